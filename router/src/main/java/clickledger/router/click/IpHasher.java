package clickledger.router.click;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 of the client address under the installation's salt, cropped to 16 bytes: enough to
 * count unique visitors and spot bursts, while the raw address is never stored and cannot be
 * recovered by hashing the small IPv4 space without the salt.
 */
public final class IpHasher {
    /** One salt's key and its per-thread MACs; replaced whole when the salt changes. */
    private static final class Keyed {
        final String salt;
        final SecretKeySpec key;
        final ThreadLocal<Mac> macs;

        Keyed(String salt) {
            this.salt = salt;
            this.key = new SecretKeySpec(salt.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
            this.macs = ThreadLocal.withInitial(this::newMac);
        }

        private Mac newMac() {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
            }
        }
    }

    // Null until the salt is known: from PostgreSQL, or from the link snapshot when the router
    // starts while PostgreSQL is down. The router serves no click before it is set.
    private volatile Keyed keyed;

    public IpHasher() {}

    public IpHasher(String salt) {
        use(salt);
    }

    public void use(String salt) {
        this.keyed = new Keyed(salt);
    }

    /** The salt in use, or null before one is known. */
    public String salt() {
        Keyed current = keyed;
        return current == null ? null : current.salt;
    }

    public byte[] hash(InetAddress address) {
        Mac mac = keyed.macs.get();
        return Arrays.copyOf(mac.doFinal(address.getAddress()), 16);
    }

    /** A 64-bit key from a hash, for in-memory tables. */
    public static long key(byte[] hash) {
        return ByteBuffer.wrap(hash).getLong();
    }
}
