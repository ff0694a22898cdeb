package clickledger.api.auth;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer secrets the api hands to people: a prefix naming what the token is, then 43 base64url
 * characters, 32 random bytes (256 bits) from {@link SecureRandom}. Session tokens ({@code
 * ck_sess_…}) are sent like a key ({@code Authorization: Bearer ck_sess_…}); invitation tokens
 * ({@code ck_inv_…}) travel in the invitation's link. The prefix tells the authenticator where to
 * look, and tells a person who finds one in a log what leaked. Both are stored only as their
 * SHA-256 ({@link ApiKeyFormat#hash}): with 256 random bits a fast hash cannot be brute-forced, and
 * a slow one would cost every request.
 */
public final class OpaqueToken {
    public static final String SESSION = "ck_sess_";
    public static final String INVITATION = "ck_inv_";
    /** A password reset link's token (issue 15). */
    public static final String PASSWORD_RESET = "ck_rst_";
    /** An email change's confirmation link's token (issue 15). */
    public static final String EMAIL_CHANGE = "ck_eml_";

    static final int RANDOM_BYTES = 32;
    static final int RANDOM_CHARACTERS = 43;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private OpaqueToken() {}

    /** A new token and its hash; the token goes to its holder once and is never stored. */
    public record Issued(String token, byte[] hash) {
        @Override
        public String toString() {
            return "Issued[token=<redacted>]";
        }
    }

    public static Issued issue(String start) {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        String token = start + ENCODER.encodeToString(bytes);
        return new Issued(token, ApiKeyFormat.hash(token));
    }

    /** Whether the text has the shape of a token of this kind: checked before hashing and looking it up. */
    public static boolean looksLike(String start, String text) {
        if (text == null || text.length() != start.length() + RANDOM_CHARACTERS || !text.startsWith(start)) {
            return false;
        }
        for (int i = start.length(); i < text.length(); i++) {
            char c = text.charAt(i);
            boolean base64url =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!base64url) {
                return false;
            }
        }
        return true;
    }
}
