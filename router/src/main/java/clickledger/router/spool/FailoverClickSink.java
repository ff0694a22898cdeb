package clickledger.router.spool;

import static java.util.Objects.requireNonNull;

import clickledger.router.click.Click;
import clickledger.router.click.ClickSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a batch durable in PostgreSQL when it answers within the latency budget, else in the local
 * {@link Spool}, so visitors never queue behind a slow or absent database
 * (docs/decisions/0005-click-spool.md).
 *
 * <p>While the database is up, each batch is handed to an attempt thread and awaited for at most
 * {@code budget}. A batch that fails, times out, or finds every attempt thread stuck is appended
 * to the spool instead, and the database is marked down: later batches go straight to the spool
 * until {@link SpoolReplayer} commits spooled clicks again. An attempt that timed out keeps running
 * and may commit later; replay's {@code on conflict do nothing} makes that harmless. Only when
 * neither PostgreSQL nor the spool took the batch does {@link #write} throw, and the visitors get
 * a 503 without a {@code cref}.
 */
public final class FailoverClickSink implements ClickSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverClickSink.class);

    private enum Outcome {
        COMMITTED,
        SLOW,
        FAILED,
        BUSY
    }

    private final ClickSink database;
    private final Spool spool;
    private final long budgetNanos;
    private final ThreadPoolExecutor attempts;
    private final Counter slow;
    private final Counter failed;
    private final Counter busy;
    private final Counter whileDown;
    private volatile boolean databaseUp = true;
    private volatile long lastCommitNanos = System.nanoTime();

    /**
     * @param attemptThreads database writes that may be in flight at once, stuck ones included;
     *     each holds a pooled connection, so at most the pool size
     */
    public FailoverClickSink(
            ClickSink database, Spool spool, Duration budget, int attemptThreads, MeterRegistry registry) {
        this.database = requireNonNull(database, "database is null");
        this.spool = requireNonNull(spool, "spool is null");
        this.budgetNanos = budget.toNanos();
        // No queue: a batch either gets an idle attempt thread at once or goes to the spool. A
        // queue here would be exactly the waiting behind a stuck database this class exists to avoid.
        this.attempts = new ThreadPoolExecutor(
                attemptThreads,
                attemptThreads,
                1,
                TimeUnit.MINUTES,
                new SynchronousQueue<>(),
                Thread.ofPlatform().name("click-db-", 0).daemon().factory(),
                new ThreadPoolExecutor.AbortPolicy());
        this.slow = fallbacks(registry, "slow");
        this.failed = fallbacks(registry, "failed");
        this.busy = fallbacks(registry, "busy");
        this.whileDown = fallbacks(registry, "database_down");
        registry.gauge("clickledger_click_database_up", this, sink -> sink.databaseUp ? 1 : 0);
    }

    private static Counter fallbacks(MeterRegistry registry, String reason) {
        return Counter.builder("clickledger_click_fallbacks_total")
                .description("clicks sent to the spool instead of PostgreSQL, by reason")
                .tag("reason", reason)
                .register(registry);
    }

    @Override
    public void write(List<Click> batch) throws Exception {
        if (!databaseUp) {
            try {
                spool.append(batch);
                whileDown.increment(batch.size());
                return;
            } catch (IOException spoolFailure) {
                // The spool cannot take it: PostgreSQL is the last chance before a 503.
                if (tryDatabase(batch) == Outcome.COMMITTED) {
                    return;
                }
                throw spoolFailure;
            }
        }
        Outcome outcome = tryDatabase(batch);
        if (outcome == Outcome.COMMITTED) {
            return;
        }
        (outcome == Outcome.SLOW ? slow : outcome == Outcome.BUSY ? busy : failed).increment(batch.size());
        markDown(outcome);
        spool.append(batch);
    }

    private Outcome tryDatabase(List<Click> batch) {
        // The attempt may outlive this call, while the writer reuses its list for the next batch.
        List<Click> own = List.copyOf(batch);
        Future<?> attempt;
        try {
            attempt = attempts.submit(() -> {
                database.write(own);
                return null;
            });
        } catch (RejectedExecutionException e) {
            return Outcome.BUSY;
        }
        try {
            attempt.get(budgetNanos, TimeUnit.NANOSECONDS);
            lastCommitNanos = System.nanoTime();
            return Outcome.COMMITTED;
        } catch (TimeoutException e) {
            return Outcome.SLOW;
        } catch (ExecutionException e) {
            LOG.atDebug().addKeyValue("error", String.valueOf(e.getCause())).log("click batch failed in PostgreSQL");
            return Outcome.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.FAILED;
        }
    }

    private void markDown(Outcome outcome) {
        if (databaseUp) {
            databaseUp = false;
            LOG.atWarn()
                    .addKeyValue("reason", outcome.name().toLowerCase(java.util.Locale.ROOT))
                    .addKeyValue("budgetMs", TimeUnit.NANOSECONDS.toMillis(budgetNanos))
                    .log("PostgreSQL did not take a click batch in time; spooling clicks until it does");
        }
    }

    /** Called by the replayer when PostgreSQL committed again (or answers with nothing to replay). */
    void markUp() {
        lastCommitNanos = System.nanoTime();
        if (!databaseUp) {
            databaseUp = true;
            LOG.atInfo().log("PostgreSQL takes clicks again; writing to it directly");
        }
    }

    /** Called by the replayer when an idle check found PostgreSQL unreachable. */
    void markDownAfterCheck() {
        if (databaseUp) {
            databaseUp = false;
            LOG.atWarn().log("PostgreSQL does not answer; spooling clicks until it does");
        }
    }

    public boolean databaseUp() {
        return databaseUp;
    }

    long nanosSinceLastCommit() {
        return System.nanoTime() - lastCommitNanos;
    }

    /** What /readyz reports: a click arriving now could be made durable somewhere. */
    public boolean canMakeDurable() {
        return databaseUp || spool.writable();
    }

    public Spool spool() {
        return spool;
    }

    ClickSink database() {
        return database;
    }

    @Override
    public boolean ping() {
        return database.ping();
    }

    @Override
    public void close() {
        attempts.shutdown();
        try {
            attempts.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
