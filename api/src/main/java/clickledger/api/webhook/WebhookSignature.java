package clickledger.api.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing secrets and the X-Clickledger-Signature header:
 * {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>}, with one more {@code v1=}
 * per extra secret while a rotated-out secret still signs. The HMAC key is the whole secret string
 * ({@code whsec_…}) in UTF-8, so a receiver uses the secret exactly as it was shown.
 */
public final class WebhookSignature {
    public static final String SECRET_PREFIX = "whsec_";
    // 32 random bytes (256 bits): the HMAC-SHA256 key size, beyond any guessing.
    static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String HMAC = "HmacSHA256";

    private WebhookSignature() {}

    /** {@code whsec_} and 43 characters of URL-safe base64. */
    public static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** @param secrets the current secret first, then a rotated-out one still inside its overlap */
    public static String header(long unixSeconds, byte[] body, List<String> secrets) {
        StringBuilder header = new StringBuilder("t=").append(unixSeconds);
        for (String secret : secrets) {
            header.append(",v1=").append(hmacHex(secret, unixSeconds, body));
        }
        return header.toString();
    }

    public static String hmacHex(String secret, long unixSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
            mac.update(Long.toString(unixSeconds).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
        }
    }

    /**
     * What a receiver does: true when one of the header's v1 signatures matches, compared in
     * constant time. (Receivers should also refuse a timestamp far from their clock; this does not,
     * since it only checks the signature.)
     */
    public static boolean verify(String header, byte[] body, String secret) {
        Long timestamp = null;
        List<String> signatures = new java.util.ArrayList<>();
        for (String part : header.split(",")) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String key = part.substring(0, equals).trim();
            String value = part.substring(equals + 1).trim();
            if (key.equals("t")) {
                try {
                    timestamp = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (key.equals("v1")) {
                signatures.add(value);
            }
        }
        if (timestamp == null) {
            return false;
        }
        byte[] expected = hmacHex(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String signature : signatures) {
            match |= MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
        }
        return match;
    }
}
