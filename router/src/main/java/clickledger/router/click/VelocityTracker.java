package clickledger.router.click;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Flags bursts of clicks from one client on one link: more than {@code limit} within a fixed
 * window. The table has a fixed number of slots so memory stays bounded under any traffic; two
 * keys that land in the same slot evict each other, which can only under-count, so an evicted
 * burst goes unflagged rather than a person being flagged by someone else's clicks.
 */
public final class VelocityTracker {
    // 2^16 slots of 3 longs each: ~1.5 MB, enough for every active client/link pair of a busy box
    // within a one-minute window.
    private static final int SLOTS = 1 << 16;
    private static final int STRIPES = 64;

    private final long[] keys = new long[SLOTS];
    private final long[] windowStarts = new long[SLOTS];
    private final int[] counts = new int[SLOTS];
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final int limit;
    private final long windowMillis;

    public VelocityTracker(int limit, long windowMillis) {
        this.limit = limit;
        this.windowMillis = windowMillis;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Counts this click; true when it is beyond the limit for its window. */
    public boolean record(long clientKey, long linkKey, long nowMillis) {
        long key = mix(clientKey * 31 + linkKey);
        int slot = (int) (key & (SLOTS - 1));
        ReentrantLock lock = locks[slot & (STRIPES - 1)];
        lock.lock();
        try {
            if (keys[slot] != key || nowMillis - windowStarts[slot] >= windowMillis) {
                keys[slot] = key;
                windowStarts[slot] = nowMillis;
                counts[slot] = 1;
                return false;
            }
            return ++counts[slot] > limit;
        } finally {
            lock.unlock();
        }
    }

    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
