package clickledger.api.maintenance;

import static java.util.Objects.requireNonNull;

import clickledger.db.partition.PartitionMaintenance;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
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
    private final Optional<PartitionArchive> archive;
    private final PartitionMetrics metrics;

    public PartitionMaintenanceJob(PartitionMaintenance maintenance, Duration interval) {
        this(maintenance, interval, Optional.empty(), null);
    }

    /**
     * @param archive archives and drops detached months after each run (CLICK_ARCHIVE)
     * @param metrics refreshed after each run; null for none
     */
    public PartitionMaintenanceJob(
            PartitionMaintenance maintenance,
            Duration interval,
            Optional<PartitionArchive> archive,
            PartitionMetrics metrics) {
        this.archive = requireNonNull(archive, "archive is null");
        this.metrics = metrics;
        this.maintenance = requireNonNull(maintenance, "maintenance is null");
        this.interval = requireNonNull(interval, "interval is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("partition-maintenance").daemon(true).factory());
    }

    public void start() {
        // The start already maintained the partitions; archive what a retention left detached, and
        // publish the sizes, now rather than a day later.
        scheduler.execute(this::afterMaintenance);
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
            return afterMaintenance();
        } catch (RuntimeException e) {
            LOG.atError().setCause(e).log("partition maintenance failed; retrying at the next interval");
            return false;
        }
    }

    /**
     * Archives detached months (when configured), then refreshes the partition metrics, whether or
     * not the archive worked; never throws.
     */
    private synchronized boolean afterMaintenance() {
        boolean archived = true;
        if (archive.isPresent()) {
            try {
                archive.get().archiveDetached();
            } catch (IOException | SQLException | RuntimeException e) {
                LOG.atError().setCause(e).log("archiving detached click partitions failed; retrying at the next run");
                archived = false;
            }
        }
        if (metrics != null) {
            try {
                metrics.refresh();
            } catch (RuntimeException e) {
                LOG.atError().setCause(e).log("reading the click partition sizes failed");
            }
        }
        return archived;
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
