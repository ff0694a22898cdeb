package clickledger.api.auth;

import clickledger.common.crypto.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The text of an API key: {@code ck_<tag>_<public id>_<secret>}, for example {@code
 * ck_sk_4fQx9TzL2mWb_Vv3…}. The tag names the kind (sk, pk, ak, ptk); the 12-character public id
 * makes the stored, non-secret {@code prefix} ({@code ck_sk_4fQx9TzL2mWb}) by which a key is
 * found and shown in lists; the 32-character secret is what makes it a key.
 *
 * <p>Both random parts come from {@link SecureRandom} over the 62 letters and digits: URL-safe,
 * and without {@code -} or {@code _} a double click selects the whole key. 32 characters carry
 * 32 * log2(62), about 190 bits, so nobody guesses a key; 12 characters (about 71 bits) make a
 * prefix collision so rare that the unique index turning one away is enough.
 */
public final class ApiKeyFormat {
    static final String START = "ck_";
    static final int PUBLIC_ID_LENGTH = 12;
    static final int SECRET_LENGTH = 32;
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final SecureRandom random = new SecureRandom();

    /** A new key: shown to its creator once, never stored; only prefix and hash are. */
    public record Issued(String prefix, String key, byte[] hash) {
        // Records print every component; this one must never reach a log with the key in it.
        @Override
        public String toString() {
            return "Issued[prefix=" + prefix + ", key=<redacted>]";
        }
    }

    public Issued issue(Principal.Kind kind) {
        String prefix = START + kind.tag() + "_" + randomText(PUBLIC_ID_LENGTH);
        String key = prefix + "_" + randomText(SECRET_LENGTH);
        return new Issued(prefix, key, hash(key));
    }

    /**
     * The stored prefix of a key in this format, or null when the text is not one (such as the
     * ADMIN_API_KEY of the environment, or garbage). Plain character checks, no regex: this runs
     * on every request.
     */
    public static String prefixOf(String key) {
        Principal.Kind kind = kindOf(key);
        if (kind == null) {
            return null;
        }
        int publicStart = START.length() + kind.tag().length() + 1;
        int separator = publicStart + PUBLIC_ID_LENGTH;
        if (key.length() != separator + 1 + SECRET_LENGTH || key.charAt(separator) != '_') {
            return null;
        }
        for (int i = publicStart; i < key.length(); i++) {
            if (i != separator && ALPHABET.indexOf(key.charAt(i)) < 0) {
                return null;
            }
        }
        return key.substring(0, separator);
    }

    /** The kind a key's tag names, or null when the text does not start like a key. */
    public static Principal.Kind kindOf(String key) {
        if (key == null || !key.startsWith(START)) {
            return null;
        }
        for (Principal.Kind kind : Principal.Kind.values()) {
            if (key.startsWith(kind.tag() + "_", START.length())) {
                return kind;
            }
        }
        return null;
    }

    /**
     * SHA-256 of the whole key. A fast hash is right here, unlike for passwords: the secret part
     * has about 190 random bits, so a stolen table cannot be brute-forced however fast each guess
     * is, and a slow hash (bcrypt, Argon2) would only add its cost to every authenticated request.
     */
    public static byte[] hash(String key) {
        return Sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    }

    private String randomText(int length) {
        char[] text = new char[length];
        for (int i = 0; i < length; i++) {
            text[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(text);
    }
}
