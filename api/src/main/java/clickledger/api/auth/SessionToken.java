package clickledger.api.auth;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The text of a session token: {@code ck_sess_} and 43 base64url characters, 32 random bytes (256
 * bits) from {@link SecureRandom}. Sent like a key ({@code Authorization: Bearer ck_sess_…}); the
 * prefix tells the authenticator to look in the session table, and tells a person who finds one in
 * a log what leaked. Stored only as its SHA-256 ({@link ApiKeyFormat#hash}): with 256 random bits
 * a fast hash cannot be brute-forced, and a slow one would cost every request.
 */
public final class SessionToken {
    public static final String START = "ck_sess_";
    static final int RANDOM_BYTES = 32;
    static final int LENGTH = START.length() + 43;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecureRandom random = new SecureRandom();

    /** A new token and its hash; the token goes to its holder once and is never stored. */
    public record Issued(String token, byte[] hash) {
        @Override
        public String toString() {
            return "Issued[token=<redacted>]";
        }
    }

    public Issued issue() {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        String token = START + ENCODER.encodeToString(bytes);
        return new Issued(token, ApiKeyFormat.hash(token));
    }

    /** Whether the text has the shape of a token: checked before hashing and looking it up. */
    public static boolean looksLikeToken(String text) {
        if (text == null || text.length() != LENGTH || !text.startsWith(START)) {
            return false;
        }
        for (int i = START.length(); i < text.length(); i++) {
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
