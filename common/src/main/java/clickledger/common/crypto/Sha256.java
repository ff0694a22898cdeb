package clickledger.common.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 for the per-request digests (an API key on every authenticated request, an event's
 * request hash). {@code MessageDigest.getInstance} looks the algorithm up among the providers and
 * instantiates it reflectively on every call, which showed in the api's profile under event load
 * (decision 0028, session 26); a clone of one fresh digest is a plain copy. The prototype is never
 * updated, so concurrent clones are safe.
 */
public final class Sha256 {
    private static final MessageDigest PROTOTYPE = prototype();

    private Sha256() {}

    public static byte[] digest(byte[] bytes) {
        try {
            return ((MessageDigest) PROTOTYPE.clone()).digest(bytes);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the runtime's SHA-256 cannot be cloned", e);
        }
    }

    private static MessageDigest prototype() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.clone();
            return digest;
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            throw new IllegalStateException("every Java runtime has a cloneable SHA-256", e);
        }
    }
}
