package clickledger.router.spool;

import static java.util.Objects.requireNonNull;

import clickledger.router.click.ClickSink;
import clickledger.router.click.ClickWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background thread that moves spooled clicks into PostgreSQL and watches both stores' health.
 *
 * <ul>
 *   <li>While the database is marked down it pings it every second (backing off to five); when it
 *       answers, it lets the writers try one live batch ({@link ClickWriter#requestProbe}, at most
 *       once a second) and replays. Only a writer's batch that commits within its budget marks the
 *       database up: a replay chunk or a ping on a fresh connection proves nothing about the
 *       writers' own connections, which may be the ones that hang (decision 0011).
 *   <li>Segments are replayed oldest first in chunks, with {@code on conflict do nothing}, and a
 *       segment is deleted only after all of its chunks committed. Killed halfway, the next start
 *       replays the segment again without creating duplicates.
 *   <li>While the database is up but idle it is pinged every five seconds, so /readyz notices an
 *       outage before a visitor does; while it is down, the spool is probed every second, so
 *       /readyz goes unready when neither store could take a click.
 * </ul>
 */
public final class SpoolReplayer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolReplayer.class);
    // Rows per replay statement: the size the write-path benchmark found near the best insert
    // rate, small enough that one chunk's clicks are a few MB of heap.
    static final int CHUNK = 2_000;
    private static final long IDLE_PING_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ClickWriter writer;
    private final Spool spool;
    private final ClickSink replaySink;
    private final Counter replayed;
    private final Counter replayFailures;
    private final Thread thread;
    private volatile boolean running = true;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private long lastProbeNanos = System.nanoTime() - PROBE_INTERVAL_NANOS;

    /**
     * @param replaySink writes with {@code on conflict do nothing}, so a click that reached
     *     PostgreSQL after all (a batch that timed out but committed) is skipped, not duplicated
     */
    public SpoolReplayer(ClickWriter writer, Spool spool, ClickSink replaySink, MeterRegistry registry) {
        this.writer = requireNonNull(writer, "writer is null");
        this.spool = requireNonNull(spool, "spool is null");
        this.replaySink = requireNonNull(replaySink, "replaySink is null");
        this.replayed = Counter.builder("clickledger_clicks_replayed_total")
                .description("spooled clicks committed to PostgreSQL (its rate is the replay rate)")
                .register(registry);
        this.replayFailures = Counter.builder("clickledger_spool_replay_failures_total")
                .description("replay chunks PostgreSQL did not take (retried)")
                .register(registry);
        this.thread = Thread.ofPlatform().name("spool-replayer").daemon().unstarted(this::run);
    }

    public SpoolReplayer start() {
        thread.start();
        return this;
    }

    private void run() {
        while (running) {
            long pause;
            try {
                pause = step();
            } catch (RuntimeException | Error e) {
                // Logged and retried: an unexpected failure must not end the replay for good.
                LOG.atError().setCause(e).addKeyValue("error", e.toString()).log("spool replayer step failed");
                pause = MAX_BACKOFF_MILLIS;
            }
            if (pause > 0) {
                sleep(pause);
            }
        }
    }

    /** One round of work; returns how long to pause before the next (0: go on at once). */
    long step() {
        if (!writer.databaseUp()) {
            if (!spool.writable()) {
                spool.probe();
            }
            if (!replaySink.ping()) {
                return backoff();
            }
            if (System.nanoTime() - lastProbeNanos >= PROBE_INTERVAL_NANOS) {
                lastProbeNanos = System.nanoTime();
                writer.requestProbe();
            }
        } else if (spool.records() == 0) {
            if (writer.nanosSinceLastCommit() > IDLE_PING_NANOS) {
                if (replaySink.ping()) {
                    writer.noteReachable();
                } else {
                    writer.markDatabaseDown("unreachable");
                    spool.probe();
                }
            }
            return 200;
        }
        // PostgreSQL answers: replay what is spooled.
        try {
            if (spool.activeHasRecords()) {
                spool.sealActive();
            }
            Spool.Segment segment = spool.oldestSealed();
            if (segment == null) {
                backoffMillis = MIN_BACKOFF_MILLIS;
                return 200;
            }
            replay(segment);
            backoffMillis = MIN_BACKOFF_MILLIS;
            return 0;
        } catch (Exception e) {
            replayFailures.increment();
            LOG.atWarn().addKeyValue("error", e.toString()).log("spool replay failed; retrying");
            return backoff();
        }
    }

    private void replay(Spool.Segment segment) throws Exception {
        long start = System.nanoTime();
        long clicks = spool.read(segment, CHUNK, chunk -> {
            replaySink.write(chunk);
            replayed.increment(chunk.size());
        });
        spool.delete(segment);
        LOG.atInfo()
                .addKeyValue("segment", segment)
                .addKeyValue("clicks", clicks)
                .addKeyValue("ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .addKeyValue("remaining", spool.records())
                .log("spool segment replayed");
    }

    private long backoff() {
        long pause = backoffMillis;
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
        return pause;
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
