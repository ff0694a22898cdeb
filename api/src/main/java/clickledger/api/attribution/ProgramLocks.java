package clickledger.api.attribution;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How a request meets a re-derivation of its program (decision 0036). A re-derivation holds its
 * program's lock exclusively for its whole run, minutes for a large program ({@link UserLock}).
 * A request that simply waited for it would wait on a pooled connection: a handful of them drain
 * the pool, and the whole api stops answering, every program and the portal included.
 *
 * <p>So a request's transaction only tries the program's lock ({@link UserLock}); when a
 * re-derivation holds it, the transaction ends at once (nothing written, its connection back in
 * the pool) with {@link #busy()}. {@link #run} then waits, off any connection, for one of {@link
 * #AT_ONCE} turns of this instance, and tries again in a transaction that waits for the lock, at
 * most until the request's {@link #BUDGET} is spent: a short re-derivation costs its requests a
 * little wait, a long one at most {@link #AT_ONCE} connections. A request that gets no turn, or no
 * lock, within the budget is answered 503 {@code program_busy} with {@code Retry-After}, nothing of
 * it written; the requests are idempotent, so the retry records it.
 *
 * <p>{@link #REFUSE} never waits: the 503 at once. It is for requests inside a transaction of their
 * own caller (a Stripe webhook), which would wait on that caller's connection; Stripe retries.
 */
public final class ProgramLocks {
    /** The problem code of a request refused while its program is re-derived. */
    public static final String BUSY = "program_busy";

    /** Requests of one instance that may wait for a program's lock at once, each on a pooled connection. */
    public static final int AT_ONCE = 2;

    /** How long a request may wait, in all, for a turn and then for the lock. */
    public static final Duration BUDGET = Duration.ofSeconds(10);

    static final String RETRY_AFTER_SECONDS = "5";

    /** Never waits: a request that meets a re-derivation is refused at once. */
    public static final ProgramLocks REFUSE = new ProgramLocks(null, null, null);

    // The lock_timeout of the transaction a request runs in its turn; unset outside a turn, where
    // UserLock only tries the program's lock.
    private static final ThreadLocal<String> PATIENCE = new ThreadLocal<>();

    private final Semaphore turns;
    private final Counter waited;
    private final Counter refused;

    public ProgramLocks(MeterRegistry registry) {
        this(
                new Semaphore(AT_ONCE, true),
                outcome(requireNonNull(registry, "registry is null"), "waited"),
                outcome(registry, "refused"));
    }

    private ProgramLocks(Semaphore turns, Counter waited, Counter refused) {
        this.turns = turns;
        this.waited = waited;
        this.refused = refused;
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("clickledger_program_busy_total")
                .description("requests that met a re-derivation of their program: waited for it, or refused (503)")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** The 503 of a request whose program a re-derivation holds. */
    public static ApiException busy() {
        return ApiException.unavailable(
                BUSY,
                "the program is being re-derived; this request was not written: retry it shortly",
                RETRY_AFTER_SECONDS);
    }

    /** Whether {@code e} is {@link #busy()}: a caller that keeps other refusals as outcomes must pass it on. */
    public static boolean isBusy(ApiException e) {
        return BUSY.equals(e.code());
    }

    /**
     * The lock_timeout {@link UserLock} sets before it waits for a program's lock, or null when it
     * must only try it (outside a turn).
     */
    static String patience() {
        return PATIENCE.get();
    }

    /** Runs {@code attempt} (a whole transaction); met by a re-derivation, once more in a turn, as above. */
    public <T> T run(Supplier<T> attempt) {
        if (PATIENCE.get() != null) {
            return attempt.get(); // within a turn already
        }
        long start = System.nanoTime();
        try {
            return attempt.get();
        } catch (ApiException e) {
            if (!isBusy(e) || turns == null) {
                throw e;
            }
        }
        long budget = BUDGET.toNanos();
        try {
            if (!turns.tryAcquire(Math.max(0, budget - (System.nanoTime() - start)), TimeUnit.NANOSECONDS)) {
                refused.increment();
                throw busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            refused.increment();
            throw busy();
        }
        try {
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(budget - (System.nanoTime() - start));
            if (leftMillis < 1) {
                refused.increment();
                throw busy();
            }
            PATIENCE.set(leftMillis + "ms");
            T result = attempt.get();
            waited.increment();
            return result;
        } catch (RuntimeException e) {
            if (lockTimedOut(e)) {
                refused.increment();
                throw busy();
            }
            throw e;
        } finally {
            PATIENCE.remove();
            turns.release();
        }
    }

    // The turn's lock_timeout ran out (SQLSTATE lock_not_available, however wrapped).
    private static boolean lockTimedOut(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.jooq.exception.DataAccessException access
                    && UserLock.LOCK_NOT_AVAILABLE.equals(access.sqlState())) {
                return true;
            }
            if (cause instanceof java.sql.SQLException sql && UserLock.LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
