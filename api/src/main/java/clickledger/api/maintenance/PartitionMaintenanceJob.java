package clickledger.api.maintenance;

import static java.util.Objects.requireNonNull;

import clickledger.db.partition.PartitionMaintenance;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs click partition maintenance every day: creates the months ahead before clicks need them
 * and detaches months past CLICK_RETENTION_MONTHS. Database.open already ran it once at start, so
 * the first run here is one interval later. PartitionMaintenance takes an advisory lock, so every
 * api replica can run this job without stepping on the others.
 */
public final class PartitionMaintenanceJob implements AutoCloseable {
    public static final Duration DAILY = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(PartitionMaintenanceJob.class);

    private final PartitionMaintenance maintenance;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;

    public PartitionMaintenanceJob(PartitionMaintenance maintenance, Duration interval) {
        this.maintenance = requireNonNull(maintenance, "maintenance is null");
        this.interval = requireNonNull(interval, "interval is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("partition-maintenance").daemon(true).factory());
    }

    public void start() {
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::runOnce, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * One run. Never throws: an exception escaping a scheduled task would cancel every later run,
     * and a database that is down today should not stop tomorrow's maintenance.
     *
     * @return true when the run completed (or another process held the lock)
     */
    public boolean runOnce() {
        try {
            PartitionMaintenance.Result result = maintenance.run();
            LOG.atInfo()
                    .addKeyValue("created", result.created())
                    .addKeyValue("detached", result.detached())
                    .addKeyValue("skipped", result.skipped())
                    .log("partition maintenance ran");
            return true;
        } catch (RuntimeException e) {
            LOG.atError().setCause(e).log("partition maintenance failed; retrying at the next interval");
            return false;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.atWarn().log("partition maintenance did not stop within 5 seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
