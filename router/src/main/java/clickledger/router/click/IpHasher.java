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
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    public IpHasher(String salt) {
        this.key = new SecretKeySpec(salt.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    public byte[] hash(InetAddress address) {
        Mac mac = macs.get();
        return Arrays.copyOf(mac.doFinal(address.getAddress()), 16);
    }

    /** A 64-bit key from a hash, for in-memory tables. */
    public static long key(byte[] hash) {
        return ByteBuffer.wrap(hash).getLong();
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
