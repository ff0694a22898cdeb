package clickledger.api.stats;

import org.junit.jupiter.api.Test;

/**
 * Surefire's entry to {@link StatsBenchmark} (it has the reactor's test classpath); run by
 * {@code bench/stats.sh}. The name keeps it out of {@code make test}, which only runs *Test classes.
 */
class StatsBenchmarkRun {
    @Test
    void run() throws Exception {
        StatsBenchmark.main(new String[0]);
    }
}
