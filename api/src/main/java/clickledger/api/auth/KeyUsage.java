package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps api_key.last_used_at without a write per request: each authenticated request only notes
 * the time in memory, and every {@link #FLUSH_INTERVAL} (and at close) one {@code UPDATE … FROM
 * unnest(…)} writes the latest use of every key seen since. A busy merchant's key makes thousands
 * of requests a minute; a write each would turn every read into a write and pile row versions on
 * one hot row. The price is that lastUsedAt may lag by up to the interval, and a crash loses at
 * most that much of it.
 */
public final class KeyUsage implements AutoCloseable {
    public static final Duration FLUSH_INTERVAL = Duration.ofSeconds(30);
    /**
     * Distinct keys remembered between flushes. Entries exist only for keys that authenticated, so
     * real deployments (a few keys per program) stay far below it; the bound only caps memory (about
     * 1 MB) if something mints keys by the thousand. A key that finds the map full is noted again at
     * its next use after the flush, so a lastUsedAt lags a little longer, and nothing else is lost.
     */
    public static final int MAX_PENDING = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(KeyUsage.class);

    private final DSLContext dsl;
    private final Clock clock;
    private final ConcurrentHashMap<UUID, Instant> pending = new ConcurrentHashMap<>();
    // Flushes block on the database; a scheduled flush and the one at close must not interleave.
    private final ReentrantLock flushLock = new ReentrantLock();
    private final ScheduledExecutorService scheduler;

    public KeyUsage(DSLContext dsl, Clock clock) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("api-key-usage").daemon(true).factory());
    }

    public void start() {
        long millis = FLUSH_INTERVAL.toMillis();
        scheduler.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Notes a use now. Memory only: no I/O on the request path. */
    void record(ApiKeyId id) {
        UUID key = id.value();
        if (pending.size() >= MAX_PENDING && !pending.containsKey(key)) {
            return;
        }
        pending.merge(key, clock.instant().truncatedTo(ChronoUnit.MILLIS), KeyUsage::later);
    }

    /** A use noted here and not yet written, so this replica can show it before the flush. */
    Optional<Instant> unwritten(ApiKeyId id) {
        return Optional.ofNullable(pending.get(id.value()));
    }

    /**
     * Writes every noted use in one statement.
     *
     * @return the api_key rows changed
     */
    public int flush() {
        flushLock.lock();
        try {
            if (pending.isEmpty()) {
                return 0;
            }
            Map<UUID, Instant> batch = new HashMap<>(pending);
            int written = new ApiKeyRepository(dsl).recordLastUse(batch);
            // A use that arrived during the write keeps its newer entry for the next flush.
            batch.forEach(pending::remove);
            return written;
        } finally {
            flushLock.unlock();
        }
    }

    // An exception escaping a scheduled task would cancel every later run; the uses stay pending
    // and the next flush retries them.
    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.atWarn().setCause(e).addKeyValue("pending", pending.size()).log("api key last use flush failed");
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.atWarn().log("api key usage flusher did not stop within 5 seconds");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
