package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns an {@code Authorization: Bearer <key>} header into a {@link Principal}. Keys are compared
 * as SHA-256 digests with {@link MessageDigest#isEqual}, which takes the same time wherever the
 * first difference is, so response timing does not reveal a key byte by byte; hashing first also
 * hides the key's length. When api_key rows arrive (stored as prefix + hash), this is the one
 * place that looks them up.
 */
public final class ApiKeyAuthenticator {
    static final String ADMIN_ACTOR = "admin_key:env";
    private static final String BEARER = "bearer ";

    private final byte[] adminKeyDigest;

    public ApiKeyAuthenticator(String adminApiKey) {
        requireNonNull(adminApiKey, "adminApiKey is null");
        if (adminApiKey.isEmpty()) {
            throw new IllegalArgumentException("adminApiKey is empty");
        }
        this.adminKeyDigest = sha256(adminApiKey);
    }

    public Optional<Principal> authenticate(String authorizationHeader) {
        if (authorizationHeader == null
                || authorizationHeader.length() <= BEARER.length()
                || !authorizationHeader
                        .substring(0, BEARER.length())
                        .toLowerCase(Locale.ROOT)
                        .equals(BEARER)) {
            return Optional.empty();
        }
        String key = authorizationHeader.substring(BEARER.length()).strip();
        if (MessageDigest.isEqual(sha256(key), adminKeyDigest)) {
            return Optional.of(new Principal(Principal.Kind.ADMIN, ADMIN_ACTOR));
        }
        return Optional.empty();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
