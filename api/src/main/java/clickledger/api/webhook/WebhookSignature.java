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
        return signed(unixSeconds, body, secrets.stream().map(Key::new).toList());
    }

    /** {@link #header(long, byte[], List)} with keys set up beforehand (the delivery worker keeps them). */
    static String signed(long unixSeconds, byte[] body, List<Key> keys) {
        StringBuilder header = new StringBuilder("t=").append(unixSeconds);
        for (Key key : keys) {
            header.append(",v1=").append(key.hmacHex(unixSeconds, body));
        }
        return header.toString();
    }

    public static String hmacHex(String secret, long unixSeconds, byte[] body) {
        return new Key(secret).hmacHex(unixSeconds, body);
    }

    /**
     * A secret ready to sign: its HMAC is looked up and keyed once, and each signature works on a
     * copy ({@link Mac#clone()}), since a Mac holds the state of one computation at a time. Looking
     * up and keying a Mac for every attempt cost more than the HMAC of a small body itself.
     */
    static final class Key {
        private final SecretKeySpec spec;
        // Keyed once and never used itself (so copying it from several threads at once is safe).
        private final Mac keyed;

        Key(String secret) {
            spec = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC);
            keyed = keyedMac(spec);
        }

        String hmacHex(long unixSeconds, byte[] body) {
            Mac mac = copy();
            mac.update(Long.toString(unixSeconds).getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body));
        }

        private Mac copy() {
            try {
                return (Mac) keyed.clone();
            } catch (CloneNotSupportedException e) {
                // A provider whose HMAC cannot be copied (none of the JDK's): key a new one.
                return keyedMac(spec);
            }
        }

        private static Mac keyedMac(SecretKeySpec spec) {
            try {
                Mac mac = Mac.getInstance(HMAC);
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
            }
        }

        @Override
        public String toString() {
            return "Key[<redacted>]";
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
