package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for clicks, with a local spool behind PostgreSQL (docs/decisions/0002, 0005, 0011).
 *
 * <p>Requests hand a click and a completion to a bounded queue and return without waiting. A few
 * writer threads take whatever has accumulated (up to {@code maxBatchSize}), write it to
 * PostgreSQL in one statement on their own thread, and complete every request of the batch: the
 * redirect's 302 is sent by the writer once the batch is durable. No thread parks per click, and
 * a batch costs no hand-off beyond the queue.
 *
 * <p>PostgreSQL gets {@code budget} per batch. A watchdog thread looks at the batches in flight;
 * one still running after the budget is taken over: appended to the spool (fsync'd) and answered,
 * the database is marked down, and its writer is <em>stuck</em>: the watchdog aborts that
 * writer's connection ({@link ClickSink#abandon}), so the writer comes back at once whatever the
 * socket is doing. While the database is down every batch goes straight to the spool, and while it
 * is down or any writer is stuck the watchdog drains the queue to the spool too, so visitors never
 * wait behind a stuck writer. A batch that fails outright is spooled by its writer.
 *
 * <p>The database is up again only when a writer completes a batch within the budget: never
 * because another connection answered (a replay chunk, a ping), which says nothing about the
 * writers' own connections. While it is down, {@code SpoolReplayer} grants a probe once PostgreSQL
 * answers it ({@link #requestProbe}): the next batch tries PostgreSQL, under the same watchdog.
 * A stuck write may still commit later; the replay's {@code on conflict do nothing} makes that
 * harmless. Only a batch that neither store took is answered with a failure (a 503 without a
 * {@code cref}).
 *
 * <p>A click offered on a {@link Lane}'s thread (an HTTP selector thread of the router) skips the
 * queue: the lane holds the clicks its thread read since it last selected, and the thread commits
 * and answers them itself before it selects again (decision 0038), under the same budget, watchdog
 * and spool as a writer. The writers take the clicks offered on any other thread.
 */
public final class ClickWriter implements AutoCloseable {
    /** Called exactly once per submitted click. */
    public interface Completion {
        void durable();

        void failed(Throwable cause);
    }

    // stamps: the click's timeline when it is one of the sampled, else null (ClickTimeline).
    private record Pending(Click click, Completion completion, ClickTimeline.Stamps stamps) {}

    /** One batch; answered exactly once, by its writer or by the watchdog, whichever claims it. */
    private static final class Batch {
        final List<Pending> pending;
        final List<Click> clicks;
        final long startNanos = System.nanoTime();
        // The thread that writes it (a writer or a lane's), whose connection the watchdog aborts.
        final Thread thread = Thread.currentThread();
        private final AtomicBoolean claimed = new AtomicBoolean();
        // Set by the watchdog once it aborted the writer's connection; read by the writer after.
        volatile boolean abandoned;

        Batch(List<Pending> pending) {
            this.pending = pending;
            this.clicks = new ArrayList<>(pending.size());
            for (Pending each : pending) {
                clicks.add(each.click());
            }
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClickWriter.class);
    // Non-null on the threads that answer batches: the jobs Jetty handed them while they answered
    // the batch, run once its last 302 is out (runAfterBatch).
    private static final ThreadLocal<ArrayDeque<Runnable>> ANSWERING = new ThreadLocal<>();
    // The lane whose thread this is, set each time the lane commits (see Lane).
    private static final ThreadLocal<Lane> LANE = new ThreadLocal<>();
    // As many as ROUTER_SELECTORS may be: the lanes' slots follow the writers' in inFlight.
    static final int MAX_LANES = 16;
    // Small next to a commit (an fsync is 0.5–2 ms here), large next to the gap between clicks
    // under load.
    private static final long LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final ClickSink database;
    private final ClickSink spool;
    private final long budgetNanos;
    private final long watchdogTickNanos;
    private final ArrayBlockingQueue<Pending> queue;
    private final int maxBatchSize;
    private final Thread[] writers;
    private final Thread watchdog;
    private final AtomicReferenceArray<Batch> inFlight;
    private final List<Lane> lanes = new CopyOnWriteArrayList<>();
    private final AtomicBoolean probe = new AtomicBoolean();
    private final DistributionSummary batchSizes;
    private final Timer commitLatency;
    private final Timer answerLoop;
    private final DistributionSummary depthAtTake;
    private final Counter written;
    private final Counter spooledWhileDown;
    private final Counter failures;
    private final Counter rejected;
    private final Counter fallbackSlow;
    private final Counter fallbackFailed;
    private final Counter aborts;
    private final Counter writerErrors;
    private final Counter laneBatches;
    private volatile boolean running = true;
    // Set once every writer and the watchdog have returned: a click queued after that is answered
    // by whoever queued it (see submit).
    private volatile boolean stopped;
    private volatile boolean databaseUp = true;
    private volatile long downSinceNanos = System.nanoTime();
    private volatile long lastCommitNanos = System.nanoTime();

    /**
     * @param database PostgreSQL, tried first for every batch while it is up
     * @param spool where a batch goes when PostgreSQL is slow or down; must be durable on return
     * @param budget how long a batch may take in PostgreSQL before it is spooled instead
     * @param queueCapacity clicks that may wait for a writer; beyond it a click is refused at once
     *     (the request answers 503) instead of memory growing without bound. The default, 20,000,
     *     is about half a second of the throughput target, more than the budget lets wait.
     */
    public ClickWriter(
            ClickSink database,
            ClickSink spool,
            Duration budget,
            int writerThreads,
            int queueCapacity,
            int maxBatchSize,
            MeterRegistry registry) {
        this.database = requireNonNull(database, "database is null");
        this.spool = requireNonNull(spool, "spool is null");
        this.budgetNanos = budget.toNanos();
        // Notice a slow batch within a fifth of the budget, without waking more than 200 times a second.
        this.watchdogTickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(budgetNanos / 5, 50_000_000L));
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatchSize = maxBatchSize;
        this.inFlight = new AtomicReferenceArray<>(writerThreads + MAX_LANES);
        this.batchSizes = DistributionSummary.builder("clickledger_click_batch_size")
                .description("clicks per group commit")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.commitLatency = Timer.builder("clickledger_click_commit_seconds")
                .description("time to commit one batch to PostgreSQL")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        // Per batch, so always on: how long a writer spends answering a durable batch (while it
        // takes no clicks), and how many clicks were queued when a writer took a batch. Windows of
        // 20 s like the timeline's (ClickTimeline), so a bench run reads its own.
        this.answerLoop = ClickTimeline.recent(
                        Timer.builder("clickledger_click_batch_answer_seconds")
                                .description("time a writer spends answering one durable batch (its 302s), per batch"),
                        0.5,
                        0.9,
                        0.99)
                .register(registry);
        this.depthAtTake = ClickTimeline.recent(
                        DistributionSummary.builder("clickledger_click_queue_depth_at_take")
                                .description("clicks queued when a writer took a batch (the batch included)"),
                        0.5,
                        0.9,
                        0.99)
                .register(registry);
        this.written = Counter.builder("clickledger_clicks_written_total")
                .description("clicks committed to PostgreSQL by the writers")
                .register(registry);
        this.spooledWhileDown = Counter.builder("clickledger_click_fallbacks_total")
                .description("clicks made durable in the spool instead of PostgreSQL, by reason")
                .tag("reason", "database_down")
                .register(registry);
        this.fallbackSlow = Counter.builder("clickledger_click_fallbacks_total")
                .tag("reason", "slow")
                .register(registry);
        this.fallbackFailed = Counter.builder("clickledger_click_fallbacks_total")
                .tag("reason", "failed")
                .register(registry);
        this.failures = Counter.builder("clickledger_click_write_failures_total")
                .description("clicks neither committed nor spooled (answered 503)")
                .register(registry);
        this.rejected = Counter.builder("clickledger_clicks_rejected_total")
                .description("clicks refused because the writer queue was full")
                .register(registry);
        this.aborts = Counter.builder("clickledger_click_writer_aborts_total")
                .description("writer connections aborted because a batch overran CLICK_DB_BUDGET_MS")
                .register(registry);
        this.writerErrors = Counter.builder("clickledger_click_writer_errors_total")
                .description("unexpected exceptions and errors caught in the writer and watchdog threads")
                .register(registry);
        this.laneBatches = Counter.builder("clickledger_click_selector_batches_total")
                .description("batches committed and answered by the selector thread that read their requests")
                .register(registry);
        registry.gauge("clickledger_click_queue_depth", queue, ArrayBlockingQueue::size);
        registry.gauge("clickledger_click_database_up", this, writer -> writer.databaseUp ? 1 : 0);
        registry.gauge("clickledger_click_writers_stuck", this, ClickWriter::stuckWriters);
        this.writers = new Thread[writerThreads];
        for (int i = 0; i < writerThreads; i++) {
            int index = i;
            writers[i] = Thread.ofPlatform().name("click-writer-" + i).daemon().start(() -> writeLoop(index));
        }
        this.watchdog = Thread.ofPlatform().name("click-watchdog").daemon().start(this::watchdogLoop);
    }

    /**
     * Queues a click; false (and no completion call) when the queue is full or the writer stopped,
     * else the completion is called exactly once, even when the writer stops right after.
     */
    public boolean submit(Click click, Completion completion) {
        return submit(click, completion, null);
    }

    /** As {@link #submit(Click, Completion)}, for a click the timeline follows ({@code stamps} null if not). */
    public boolean submit(Click click, Completion completion, ClickTimeline.Stamps stamps) {
        Lane lane = LANE.get();
        if (lane != null && lane.thread == Thread.currentThread()) {
            // Holding before running is read, as close() clears running before it reads holding:
            // either this click is refused here or close() waits for the lane to commit it.
            lane.holding = true;
            if (running) {
                lane.pending.add(new Pending(click, completion, stamps));
                return true;
            }
            lane.holding = !lane.pending.isEmpty();
        }
        if (!running || !queue.offer(new Pending(click, completion, stamps))) {
            rejected.increment();
            return false;
        }
        if (stopped) {
            // close() drained the queue before this click arrived: nobody else will answer it.
            answerLeftovers();
        }
        return true;
    }

    public int queueDepth() {
        return queue.size();
    }

    /** False from a slow or failed batch (or failed check) until a writer completes a batch again. */
    public boolean databaseUp() {
        return databaseUp;
    }

    /** Writers whose batch has been in PostgreSQL longer than the budget. */
    public int stuckWriters() {
        long now = System.nanoTime();
        int stuck = 0;
        for (int i = 0; i < inFlight.length(); i++) {
            Batch batch = inFlight.get(i);
            if (batch != null && now - batch.startNanos >= budgetNanos) {
                stuck++;
            }
        }
        return stuck;
    }

    /** What /readyz reports: a click arriving now could be made durable somewhere. */
    public boolean canMakeDurable() {
        return (databaseUp && stuckWriters() == 0) || spool.ping();
    }

    /**
     * PostgreSQL answered on another connection (a ping, a replay chunk) while the database is
     * marked down: let the next batch try it. Only that batch completing marks the database up.
     */
    public void requestProbe() {
        if (!databaseUp) {
            probe.set(true);
        }
    }

    /** PostgreSQL answered an idle health check while up: it counts as recent contact. */
    public void noteReachable() {
        lastCommitNanos = System.nanoTime();
    }

    /** Called when a batch or a health check found PostgreSQL slow or unreachable. */
    public void markDatabaseDown(String reason) {
        downSinceNanos = System.nanoTime();
        if (databaseUp) {
            databaseUp = false;
            LOG.atWarn()
                    .addKeyValue("reason", reason)
                    .addKeyValue("budgetMs", TimeUnit.NANOSECONDS.toMillis(budgetNanos))
                    .log("PostgreSQL cannot take clicks in time; spooling them until a writer commits again");
        }
    }

    /** Nanoseconds since a batch last committed to PostgreSQL, for idle health checks. */
    public long nanosSinceLastCommit() {
        return System.nanoTime() - lastCommitNanos;
    }

    /**
     * On the threads that answer batches (writers, the watchdog, a lane's thread while it
     * commits), holds {@code job} (Jetty
     * resuming a connection after its 302) until every answer of the batch is written, then runs it
     * there; false on any other thread. See AnswerInlineThreadPool for why.
     */
    public static boolean runAfterBatch(Runnable job) {
        ArrayDeque<Runnable> deferred = ANSWERING.get();
        if (deferred == null) {
            return false;
        }
        deferred.add(job);
        return true;
    }

    /**
     * A lane for one selector thread. {@code wakeup} makes that thread return from its select (so
     * it commits what it holds); close() calls it once the writer stops taking clicks.
     */
    public Lane newLane(Runnable wakeup) {
        synchronized (lanes) {
            if (lanes.size() == MAX_LANES) {
                throw new IllegalStateException("at most " + MAX_LANES + " selector threads may commit clicks");
            }
            Lane lane = new Lane(writers.length + lanes.size(), wakeup);
            lanes.add(lane);
            return lane;
        }
    }

    /**
     * The clicks one selector thread read since it last selected, which that thread commits and
     * answers itself before it selects again: no hand-off to a writer, no queue, and the thread
     * that answers a connection is the one that reads its next request. Touched only by the
     * thread that calls {@link #commit} (Jetty's producing thread of the selector); a click
     * offered on any other thread goes to the writers' queue. Bounded without a capacity: a
     * connection offers its next click only once its last was answered, so a lane holds at most
     * one click per connection of its selector.
     */
    public final class Lane {
        private final int slot;
        private final Runnable wakeup;
        private List<Pending> pending = new ArrayList<>();
        private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
        private volatile Thread thread;
        // True while clicks wait in pending (or one is being added); read by close().
        private volatile boolean holding;

        private Lane(int slot, Runnable wakeup) {
            this.slot = slot;
            this.wakeup = wakeup;
        }

        /**
         * Called by the selector thread before it selects: makes the clicks it read since the last
         * call durable (PostgreSQL or the spool, as a writer would) and answers them; true if the
         * answers' resumed connections offered new clicks, which the next call commits (select
         * without blocking, then).
         */
        public boolean commit() {
            Thread current = Thread.currentThread();
            if (thread != current) {
                thread = current;
                LANE.set(this);
            }
            if (pending.isEmpty()) {
                return false;
            }
            List<Pending> taken = pending;
            pending = new ArrayList<>(Math.min(taken.size(), maxBatchSize));
            depthAtTake.record(taken.size());
            ANSWERING.set(deferred);
            try {
                // A pass over thousands of connections is written CLICK_BATCH_MAX at a time.
                for (int from = 0; from < taken.size(); from += maxBatchSize) {
                    write(taken.subList(from, Math.min(taken.size(), from + maxBatchSize)));
                }
            } finally {
                // Resumes a batch left behind (one the watchdog answered runs them itself).
                runDeferred();
                ANSWERING.remove();
            }
            holding = !pending.isEmpty();
            return holding;
        }

        private void write(List<Pending> clicks) {
            laneBatches.increment();
            Batch batch = null;
            try {
                batch = new Batch(clicks);
                ClickWriter.this.write(slot, batch);
            } catch (Throwable e) {
                inFlight.set(slot, null);
                writerFailed("selector", e, batch);
            }
        }

        private boolean idle() {
            return !holding && inFlight.get(slot) == null;
        }
    }

    private void writeLoop(int index) {
        ANSWERING.set(new ArrayDeque<>());
        List<Pending> drained = new ArrayList<>(maxBatchSize);
        while (running || !queue.isEmpty()) {
            Batch batch = null;
            try {
                if (!take(drained, 200)) {
                    if (!databaseUp && probe.get()) {
                        // No traffic to probe with: an empty batch tries this writer's path (a
                        // pooled connection, one COPY round trip) under the same watchdog.
                        batch = new Batch(new ArrayList<>());
                        write(index, batch);
                    }
                    continue;
                }
                batch = new Batch(drained);
                drained = new ArrayList<>(maxBatchSize);
                write(index, batch);
            } catch (Throwable e) {
                // An Error or a bug must not kill the writer silently (or leave its batch unanswered).
                inFlight.set(index, null);
                drained = new ArrayList<>(maxBatchSize);
                writerFailed("writer", e, batch);
            }
        }
    }

    private void write(int index, Batch batch) {
        if (!databaseUp && !probe.compareAndSet(true, false)) {
            batch.claim();
            spoolOrFail(batch, spooledWhileDown);
            return;
        }
        inFlight.set(index, batch);
        Exception failure = null;
        try {
            database.write(batch.clicks);
        } catch (Exception e) {
            failure = e;
        } finally {
            inFlight.set(index, null);
        }
        if (!batch.claim()) {
            return; // the watchdog spooled and answered it; a late commit is harmless
        }
        if (failure == null) {
            long elapsed = System.nanoTime() - batch.startNanos;
            lastCommitNanos = batch.startNanos + elapsed;
            if (!batch.pending.isEmpty()) {
                commitLatency.record(elapsed, TimeUnit.NANOSECONDS);
                batchSizes.record(batch.pending.size());
                written.increment(batch.pending.size());
                complete(batch, null);
            }
            // A batch that began before the last slow or failed one says nothing about now.
            if (!databaseUp && batch.startNanos - downSinceNanos > 0) {
                databaseUp = true;
                LOG.atInfo().log("a writer committed to PostgreSQL again; writing to it directly");
            }
            return;
        }
        LOG.atWarn()
                .addKeyValue("clicks", batch.pending.size())
                .addKeyValue("error", failure.toString())
                .log("click batch failed in PostgreSQL; spooling it");
        markDatabaseDown("failed");
        spoolOrFail(batch, fallbackFailed);
    }

    /** Counts and logs a throwable caught in a writer or the watchdog, and answers its batch if nobody did. */
    private void writerFailed(String thread, Throwable error, Batch batch) {
        writerErrors.increment();
        LOG.atError()
                .setCause(error)
                .addKeyValue("thread", Thread.currentThread().getName())
                .addKeyValue("error", error.toString())
                .log("unexpected failure in the click " + thread + "; it carries on");
        if (batch != null && batch.claim()) {
            try {
                markDatabaseDown("writer error");
                spoolOrFail(batch, fallbackFailed);
            } catch (Throwable again) {
                LOG.atError()
                        .addKeyValue("error", again.toString())
                        .log("could not answer the batch of a failed writer");
            }
        }
        if (error instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to {@code millis} for a first click, then takes what else is queued; false if none came. */
    private boolean take(List<Pending> into, long millis) {
        Pending first = queue.poll();
        if (first == null) {
            try {
                first = queue.poll(millis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = queue.poll();
            }
            if (first == null) {
                return false;
            }
            // Woken by a single click: give the clicks right behind it a moment to arrive, so they
            // share this commit. A writer that is waiting gets woken (a futex call and a context
            // switch) by every click offered while it waits; a lingering one by none.
            LockSupport.parkNanos(LINGER_NANOS);
        }
        into.add(first);
        queue.drainTo(into, maxBatchSize - 1);
        depthAtTake.record(into.size() + queue.size());
        return true;
    }

    private void watchdogLoop() {
        ANSWERING.set(new ArrayDeque<>());
        List<Pending> drained = new ArrayList<>(maxBatchSize);
        while (running || anyInFlight()) {
            Batch batch = null;
            try {
                boolean stuck = takeOverStuckBatches();
                if (databaseUp && !stuck) {
                    sleepNanos(watchdogTickNanos);
                    continue;
                }
                // The writers may be stuck in a hung database: take clicks off the queue as well.
                if (take(drained, TimeUnit.NANOSECONDS.toMillis(watchdogTickNanos))) {
                    batch = new Batch(drained);
                    drained = new ArrayList<>(maxBatchSize);
                    batch.claim();
                    spoolOrFail(batch, spooledWhileDown);
                }
            } catch (Throwable e) {
                drained = new ArrayList<>(maxBatchSize);
                writerFailed("watchdog", e, batch);
            }
        }
    }

    /** Spools and answers every batch over its budget and aborts its writer's connection; true if any. */
    private boolean takeOverStuckBatches() {
        long now = System.nanoTime();
        boolean stuck = false;
        for (int i = 0; i < inFlight.length(); i++) {
            Batch batch = inFlight.get(i);
            if (batch == null || now - batch.startNanos < budgetNanos) {
                continue;
            }
            stuck = true;
            if (batch.claim()) {
                markDatabaseDown("slow");
                spoolOrFail(batch, fallbackSlow);
            }
            if (!batch.abandoned) {
                batch.abandoned = true;
                aborts.increment();
                LOG.atWarn()
                        .addKeyValue("writer", batch.thread.getName())
                        .addKeyValue("ms", TimeUnit.NANOSECONDS.toMillis(now - batch.startNanos))
                        .log("click writer overran its budget; aborting its connection");
                database.abandon(batch.thread);
            }
        }
        return stuck;
    }

    private boolean anyInFlight() {
        for (int i = 0; i < inFlight.length(); i++) {
            if (inFlight.get(i) != null) {
                return true;
            }
        }
        return false;
    }

    private void spoolOrFail(Batch batch, Counter reason) {
        try {
            spool.write(batch.clicks);
        } catch (Throwable e) {
            failures.increment(batch.pending.size());
            LOG.atError()
                    .addKeyValue("clicks", batch.pending.size())
                    .addKeyValue("error", e.toString())
                    .log("click batch neither committed nor spooled; answering 503");
            complete(batch, e);
            return;
        }
        reason.increment(batch.pending.size());
        complete(batch, null);
    }

    // Called once the batch is durable (or has failed): answers its clicks in the order they came.
    private void complete(Batch batch, Throwable failure) {
        long durable = System.nanoTime();
        for (Pending pending : batch.pending) {
            try {
                if (pending.stamps() != null) {
                    pending.stamps().answering(batch.startNanos, durable);
                }
                if (failure == null) {
                    pending.completion().durable();
                } else {
                    pending.completion().failed(failure);
                }
            } catch (Throwable e) {
                // One broken response must not stop the rest of its batch from being answered.
                LOG.atWarn().addKeyValue("error", e.toString()).log("click completion failed");
            }
        }
        // Recorded before the resumes: they read and handle the visitors' next requests, which may
        // be a look at /metrics that should find this batch counted.
        if (!batch.pending.isEmpty()) {
            answerLoop.record(System.nanoTime() - durable, TimeUnit.NANOSECONDS);
        }
        // Every resume Jetty handed this thread came from an answer above: none outlives the batch.
        runDeferred();
    }

    private static void runDeferred() {
        ArrayDeque<Runnable> deferred = ANSWERING.get();
        if (deferred == null) {
            return;
        }
        for (Runnable job = deferred.poll(); job != null; job = deferred.poll()) {
            try {
                job.run();
            } catch (Throwable e) {
                LOG.atWarn().addKeyValue("error", e.toString()).log("resuming a connection failed");
            }
        }
    }

    // After the threads stopped: whatever is still queued goes to the spool (or gets a 503).
    private void answerLeftovers() {
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        if (left.isEmpty()) {
            return;
        }
        Batch batch = new Batch(left);
        batch.claim();
        spoolOrFail(batch, spooledWhileDown);
    }

    /** Stops taking clicks, makes what is queued durable, then returns. */
    @Override
    public void close() {
        running = false;
        // Each lane commits what its thread still holds at that thread's next select.
        for (Lane lane : lanes) {
            lane.wakeup.run();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Lane lane : lanes) {
            while (!lane.idle() && System.nanoTime() - deadline < 0) {
                sleepNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        for (Thread writer : writers) {
            join(writer);
        }
        join(watchdog);
        stopped = true;
        answerLeftovers();
    }

    private static void join(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
