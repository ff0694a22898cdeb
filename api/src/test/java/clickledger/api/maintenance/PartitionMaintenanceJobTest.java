package clickledger.api.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.TestClock;
import clickledger.db.DataSources;
import clickledger.db.Database;
import clickledger.db.partition.PartitionMaintenance;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PartitionMaintenanceJobTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void runCreatesTheMonthsAheadOfTheClock() {
        TestClock clock = new TestClock(Instant.parse("2030-09-10T00:00:00Z"));
        PartitionMaintenanceJob job = new PartitionMaintenanceJob(
                new PartitionMaintenance(api.dsl(), clock, Database.PARTITION_MONTHS_AHEAD, 0), Duration.ofDays(1));

        assertThat(job.runOnce()).isTrue();
        assertThat(job.runOnce()).isTrue();

        assertThat(PartitionMaintenance.attachedPartitions(api.dsl()))
                .contains(
                        PartitionMaintenance.partitionName(YearMonth.of(2030, 9)),
                        PartitionMaintenance.partitionName(YearMonth.of(2030, 12)));
        job.close();
    }

    @Test
    void failedRunIsLoggedAndTheScheduleCarriesOn() throws InterruptedException {
        FailingFirst dataSource = new FailingFirst(api.app().database().pool(), 4);
        TestClock clock = new TestClock(Instant.parse("2032-03-10T00:00:00Z"));
        String wanted = PartitionMaintenance.partitionName(YearMonth.of(2032, 6));

        try (PartitionMaintenanceJob job = new PartitionMaintenanceJob(
                new PartitionMaintenance(DataSources.dsl(dataSource), clock, Database.PARTITION_MONTHS_AHEAD, 0),
                Duration.ofMillis(50))) {
            job.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!PartitionMaintenance.attachedPartitions(api.dsl()).contains(wanted)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        // Every refused connection was asked for, so the job kept running after its failed runs.
        assertThat(dataSource.failures.get()).isEqualTo(4);
        assertThat(PartitionMaintenance.attachedPartitions(api.dsl())).contains(wanted);
    }

    /**
     * A connection source that refuses its first few requests, like a database restarting. A failed
     * run asks twice (to begin, then to roll back), so four refusals fail two runs.
     */
    private static final class FailingFirst implements DataSource {
        private final DataSource delegate;
        private final AtomicInteger failuresLeft;
        final AtomicInteger failures = new AtomicInteger();

        FailingFirst(DataSource delegate, int failures) {
            this.delegate = delegate;
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (failuresLeft.getAndDecrement() > 0) {
                failures.incrementAndGet();
                throw new SQLException("connection refused (simulated)", "08001");
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
