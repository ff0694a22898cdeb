package clickledger.bench;

import java.util.Arrays;

/**
 * Every latency of a run, in microseconds, kept exactly: a run is at most a few million requests
 * (8 bytes each), so percentiles come from the sorted samples, not from an approximation.
 */
final class Latencies {
    private long[] micros = new long[1 << 16];
    private int size;

    void add(long value) {
        if (size == micros.length) {
            micros = Arrays.copyOf(micros, size * 2);
        }
        micros[size++] = value;
    }

    void addAll(Latencies other) {
        for (int i = 0; i < other.size; i++) {
            add(other.micros[i]);
        }
    }

    int size() {
        return size;
    }

    /** The value at quantile {@code q} (0..1), in milliseconds; 0 when empty. Sorts in place. */
    double percentileMillis(double q) {
        if (size == 0) {
            return 0;
        }
        Arrays.sort(micros, 0, size);
        int index = (int) Math.min(size - 1, Math.max(0, Math.ceil(q * size) - 1));
        return micros[index] / 1000.0;
    }
}
