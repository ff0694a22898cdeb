package clickledger.portal.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CSRF tokens derived from a secret only the browser's own cookies hold: HMAC-SHA256 keyed with
 * the session token (or, before sign-in, the pre-session cookie) over a fixed label. Another site
 * can make the browser send the cookie but cannot read it, so it cannot compute the token; the
 * token in a page reveals nothing of the key. Nothing is stored: any portal replica, before or
 * after a restart, checks a token the same way, and signing out (a new session) retires every old
 * token at once. docs/decisions/0015 compares this with a stored synchronizer token.
 */
public final class Csrf {
    /** The form field every state-changing form carries. */
    public static final String FIELD = "_csrf";
    /** The header htmx requests carry (portal.js adds it from the page's meta tag). */
    public static final String HEADER = "X-CSRF-Token";

    private static final byte[] LABEL = "clickledger portal csrf v1".getBytes(StandardCharsets.US_ASCII);

    private Csrf() {}

    public static String tokenFor(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(LABEL));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Constant-time: the comparison takes as long whatever prefix of the token an attacker guessed. */
    public static boolean matches(String secret, String presented) {
        if (secret == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(
                tokenFor(secret).getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
    }
}
