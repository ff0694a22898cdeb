package clickledger.api.http;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket per client address (or per name, such as the email a sign-in names) for calls
 * that need no key: each client may spend {@code capacity} calls at once and earns them back
 * evenly over the window (a minute unless said).
 *
 * <p>Memory is bounded: at most {@link #MAX_CLIENTS} buckets (each under 100 bytes, so about 1 MB),
 * and when a new client would exceed that, the least recently seen client's bucket is dropped.
 * Dropping a bucket only forgets what that client spent, so the worst a flood from more than
 * {@code MAX_CLIENTS} addresses can do is earn its members a fresh allowance; it can never grow
 * the heap. IPv6 clients are counted per /64, the block one host or household usually owns, so
 * hopping between its own addresses buys nothing.
 */
public final class RateLimiter {
    public static final int MAX_CLIENTS = 10_000;
    private static final int IPV6_PREFIX_BYTES = 8;

    private final Clock clock;
    private final double capacity;
    private final double tokensPerMilli;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<ByteBuffer, Bucket> buckets;

    /** Whether a call may go ahead, and if not, after how many whole seconds it could. */
    public record Decision(boolean allowed, long retryAfterSeconds) {}

    private static final class Bucket {
        double tokens;
        long updatedMillis;

        Bucket(double tokens, long updatedMillis) {
            this.tokens = tokens;
            this.updatedMillis = updatedMillis;
        }
    }

    public RateLimiter(Clock clock, int perMinute) {
        this(clock, perMinute, Duration.ofMinutes(1), MAX_CLIENTS);
    }

    /** {@code capacity} calls at once, earned back evenly over {@code window}. */
    public RateLimiter(Clock clock, int capacity, Duration window) {
        this(clock, capacity, window, MAX_CLIENTS);
    }

    RateLimiter(Clock clock, int perMinute, int maxClients) {
        this(clock, perMinute, Duration.ofMinutes(1), maxClients);
    }

    RateLimiter(Clock clock, int capacity, Duration window, int maxClients) {
        this.clock = requireNonNull(clock, "clock is null");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.capacity = capacity;
        this.tokensPerMilli = capacity / (double) window.toMillis();
        // Access order, so the eldest entry is the client seen least recently.
        this.buckets = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Bucket> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Takes one token from the client's bucket when it has one. */
    public Decision acquire(InetAddress client) {
        requireNonNull(client, "client is null");
        return acquire(key(client));
    }

    /**
     * Takes one token from the bucket of a name, such as the lower-cased email of a sign-in. A
     * limiter counts either addresses or names, never both, so the two kinds of key cannot meet.
     */
    public Decision acquire(String name) {
        requireNonNull(name, "name is null");
        return acquire(ByteBuffer.wrap(name.getBytes(StandardCharsets.UTF_8)));
    }

    private Decision acquire(ByteBuffer key) {
        long now = clock.millis();
        lock.lock();
        try {
            Bucket bucket = buckets.get(key);
            if (bucket == null) {
                bucket = new Bucket(capacity, now);
                buckets.put(key, bucket);
            } else {
                long elapsed = Math.max(0, now - bucket.updatedMillis);
                bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * tokensPerMilli);
                bucket.updatedMillis = now;
            }
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return new Decision(true, 0);
            }
            long waitMillis = (long) Math.ceil((1 - bucket.tokens) / tokensPerMilli);
            return new Decision(false, Math.max(1, (waitMillis + 999) / 1000));
        } finally {
            lock.unlock();
        }
    }

    int trackedClients() {
        lock.lock();
        try {
            return buckets.size();
        } finally {
            lock.unlock();
        }
    }

    private static ByteBuffer key(InetAddress client) {
        byte[] address = client.getAddress();
        int length = address.length == 16 ? IPV6_PREFIX_BYTES : address.length;
        return ByteBuffer.wrap(address, 0, length).slice();
    }
}
