package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the rollups current: every STATS_ROLLUP_SECONDS it counts the clicks since its last run
 * ({@link ClickRollup#tryAdvance}: the new clicks only, and the days late clicks were noted for),
 * then rolls up any earlier day that never was (a first start over existing clicks, or an api that
 * was down across midnight), then applies the money changes the triggers noted. The first run is at
 * start. Every api replica runs this job; the rollup's advisory lock lets one of them do each step.
 */
public final class ClickRollupJob implements AutoCloseable {
    static final int CATCH_UP_DAYS = 7;
    /**
     * Money batches per run (of MoneyRollup.BATCH_DAYS program-days each): enough for a day's
     * changes many times over; after the migration, a long history takes a few runs, and each run
     * stays short enough to leave the clicks of today current.
     */
    static final int MAX_MONEY_BATCHES = 50;

    private static final Logger LOG = LoggerFactory.getLogger(ClickRollupJob.class);

    private final ClickRollup rollup;
    private final MoneyRollup money;
    private final Clock clock;
    private final Duration interval;
    private final Timer runs;
    private final ScheduledExecutorService scheduler;

    public ClickRollupJob(
            ClickRollup rollup, MoneyRollup money, Clock clock, Duration interval, MeterRegistry registry) {
        this.rollup = requireNonNull(rollup, "rollup is null");
        this.money = requireNonNull(money, "money is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.interval = requireNonNull(interval, "interval is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        this.runs = Timer.builder("clickledger.click.rollup")
                .description("runs of the stats rollup job: clicks of missed and recent days, noted money changes")
                .register(requireNonNull(registry, "registry is null"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("click-rollup").daemon(true).factory());
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::runOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One run. Never throws: an exception escaping a scheduled task would cancel every later run.
     *
     * @return true when the run completed, or another process held the lock
     */
    public boolean runOnce() {
        long started = System.nanoTime();
        try {
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            LocalDate yesterday = today.minusDays(1);
            // First, so the days caught up below are counted to their end, past the watermark.
            Optional<ClickRollup.Result> recent = rollup.tryAdvance();
            List<LocalDate> missing = rollup.incompleteDaysBefore(yesterday);
            int caughtUp = 0;
            for (List<LocalDate> days : chunks(missing)) {
                if (Thread.currentThread().isInterrupted()) {
                    return false;
                }
                if (rollup.tryRebuild(days.getFirst(), days.getLast()).isPresent()) {
                    caughtUp += days.size();
                }
            }
            if (caughtUp > 0) {
                LOG.atInfo()
                        .addKeyValue("days", caughtUp)
                        .addKeyValue("first", missing.getFirst())
                        .addKeyValue("last", missing.getLast())
                        .log("click rollup caught up");
            }
            int moneyDays = 0;
            for (int batch = 0; batch < MAX_MONEY_BATCHES; batch++) {
                if (Thread.currentThread().isInterrupted()) {
                    return false;
                }
                Optional<MoneyRollup.Applied> applied = money.tryApplyChanges();
                if (applied.isEmpty() || applied.get().days() == 0) {
                    break;
                }
                moneyDays += applied.get().days();
            }
            LOG.atDebug()
                    .addKeyValue("rows", recent.map(ClickRollup.Result::rows).orElse(0))
                    .addKeyValue("moneyDays", moneyDays)
                    .addKeyValue("skipped", recent.isEmpty())
                    .log("click rollup ran");
            return true;
        } catch (RuntimeException e) {
            LOG.atError().setCause(e).log("click rollup failed; retrying at the next interval");
            return false;
        } finally {
            runs.record(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * Runs of consecutive days, at most {@link #CATCH_UP_DAYS} each: one transaction per week
     * keeps a first start over a year of clicks to about fifty short transactions, each of which
     * refreshes its month's sums once.
     */
    static List<List<LocalDate>> chunks(List<LocalDate> days) {
        List<List<LocalDate>> chunks = new ArrayList<>();
        List<LocalDate> current = new ArrayList<>();
        for (LocalDate day : days) {
            if (!current.isEmpty() && (!current.getLast().plusDays(1).equals(day) || current.size() == CATCH_UP_DAYS)) {
                chunks.add(current);
                current = new ArrayList<>();
            }
            current.add(day);
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.atWarn().log("click rollup did not stop within 5 seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
