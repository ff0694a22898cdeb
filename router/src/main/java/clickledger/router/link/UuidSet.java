package clickledger.router.link;

import java.util.UUID;

/**
 * A set of UUIDs in two flat arrays (open addressing, linear probing): what a full reload of a
 * million links needs to find the links that are gone, at 16 bytes a link instead of a boxed
 * {@code HashSet} entry's ~80, and without the rehashing that dominated the profile.
 */
final class UuidSet {
    private long[] high;
    private long[] low;
    private boolean[] used;
    private int size;

    UuidSet(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        high = new long[capacity];
        low = new long[capacity];
        used = new boolean[capacity];
    }

    void add(UUID id) {
        add(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    void add(long msb, long lsb) {
        if (size * 2 >= used.length) {
            grow();
        }
        if (insert(msb, lsb)) {
            size++;
        }
    }

    boolean contains(UUID id) {
        return contains(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    boolean contains(long msb, long lsb) {
        int mask = used.length - 1;
        for (int slot = slot(msb, lsb, mask); used[slot]; slot = (slot + 1) & mask) {
            if (high[slot] == msb && low[slot] == lsb) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return size;
    }

    private boolean insert(long msb, long lsb) {
        int mask = used.length - 1;
        int slot = slot(msb, lsb, mask);
        while (used[slot]) {
            if (high[slot] == msb && low[slot] == lsb) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        used[slot] = true;
        high[slot] = msb;
        low[slot] = lsb;
        return true;
    }

    private void grow() {
        long[] oldHigh = high;
        long[] oldLow = low;
        boolean[] oldUsed = used;
        allocate(oldUsed.length * 2);
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) {
                insert(oldHigh[i], oldLow[i]);
            }
        }
    }

    // UUIDv7 ids share their leading time bits; mix both halves so neighbours spread out. The link
    // cache's by-id array uses it too.
    static int slot(long msb, long lsb, int mask) {
        long z = msb * 0x9E3779B97F4A7C15L ^ lsb;
        z = (z ^ (z >>> 32)) * 0xBF58476D1CE4E5B9L;
        return (int) (z ^ (z >>> 29)) & mask;
    }
}
