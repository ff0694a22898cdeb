package clickledger.api.event;

import static java.util.Objects.requireNonNull;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import clickledger.web.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for {@code POST /v1/events}, as the router does for clicks (docs/decisions/0030).
 *
 * <p>The request thread checks its event as the single path does (a bad value, time or currency
 * is answered at once), hands it to a bounded queue and waits. A writer thread takes everything
 * queued (up to {@link #MAX_GROUP}) without waiting for more, and records the group with
 * {@link EventBatch}'s machinery: per program, every user's lock in one sorted statement, the
 * reads in one round trip, each event derived in memory in the group's order, every write in one
 * statement, one commit. Each waiting request then gets exactly what {@code POST /v1/events}
 * would have answered had the requests arrived one by one in the group's order: its event (201,
 * or 200 for a repeat), or its own problem, which fails no other item of the group.
 *
 * <p>A full queue is answered at once with a 503 and {@code Retry-After}; a request that waited
 * {@link Settings#timeout} without a writer taking it is withdrawn (never written) and answered
 * 503; a writer that throws answers every request of its group with the failure (a 500) and
 * carries on. {@link #close} drains what is queued, then refuses.
 */
public final class EventGroupCommit implements EventRecorder, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventGroupCommit.class);

    /**
     * Events per group: the writer's transaction holds an advisory lock per user of the group
     * until it commits, and PostgreSQL's lock table is shared by every connection (decision 0029's
     * lock budget, {@link EventBatch#CHUNK}). A checkout's concurrency, not this, sets a group's
     * size in practice: at most one group per writer is being written while the next one queues.
     */
    static final int MAX_GROUP = EventBatch.CHUNK;

    /**
     * Events that may wait for a writer: about 0.4 s of work at issue 17's floor of 2,500/s. Beyond
     * it a request is answered 503 at once instead of memory and latency growing without bound.
     */
    static final int QUEUE_CAPACITY = 1_000;

    /**
     * How long a request waits for a writer to take its event (and again for a taken event's
     * transaction) before it is answered 503: far above a group's time (milliseconds), well below
     * the 30 s that HTTP clients and proxies commonly give up after.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** How many seconds a 503 of this class asks the client to wait before retrying. */
    static final int RETRY_AFTER_SECONDS = 1;

    public static final Setting ENABLED = Setting.withDefault(
            "EVENT_GROUP_COMMIT",
            "true",
            "`POST /v1/events` waits for a writer that records every event queued meanwhile in one transaction"
                    + " (group commit, docs/decisions/0030); `false` gives each event its own transaction");
    public static final Setting WRITERS = Setting.withDefault(
            "EVENT_GROUP_COMMIT_WRITERS",
            "1",
            "writer threads (and database connections in use) of the group commit (1–8)");
    public static final List<Setting> SETTINGS = List.of(ENABLED, WRITERS);

    /**
     * @param enabled EVENT_GROUP_COMMIT
     * @param writers EVENT_GROUP_COMMIT_WRITERS
     * @param maxGroup events per group
     * @param queueCapacity events that may wait for a writer
     * @param timeout how long a request waits for a writer to take its event
     */
    public record Settings(boolean enabled, int writers, int maxGroup, int queueCapacity, Duration timeout) {
        public Settings {
            if (writers < 1 || maxGroup < 1 || queueCapacity < 1) {
                throw new IllegalArgumentException("writers, maxGroup and queueCapacity must be positive");
            }
            requireNonNull(timeout, "timeout is null");
        }

        /** Reads EVENT_GROUP_COMMIT*; problems are collected in {@code env} like the others'. */
        public static Settings fromEnv(EnvReader env) {
            boolean enabled = env.bool(ENABLED);
            int writers = env.integer(WRITERS, 1, 8);
            return new Settings(enabled, Math.max(1, writers), MAX_GROUP, QUEUE_CAPACITY, TIMEOUT);
        }
    }

    /** Checks a request on the caller's thread, as {@link EventService#record} does before its transaction. */
    @FunctionalInterface
    interface Checker {
        EventService.Incoming check(UUID programId, EventRequest request);
    }

    /** Records a group, answering each of its events in order ({@link EventBatch#record(List)}). */
    @FunctionalInterface
    interface GroupWriter {
        List<EventBatch.Answer> write(List<EventService.Incoming> group);
    }

    /**
     * A 503 this class answers (queue full, shutting down, a request that waited too long): the
     * route adds {@code Retry-After} and answers {@link #problem}.
     */
    public static final class Unavailable extends RuntimeException {
        private final ApiException problem;

        Unavailable(String code, String detail) {
            super(detail, null, false, false);
            this.problem = new ApiException(503, code, "Service unavailable", detail, List.of());
        }

        public ApiException problem() {
            return problem;
        }

        public int retryAfterSeconds() {
            return RETRY_AFTER_SECONDS;
        }
    }

    private static final int QUEUED = 0;
    private static final int TAKEN = 1;
    private static final int WITHDRAWN = 2;

    /** A request waiting for its answer; a writer takes it, or its request withdraws it, never both. */
    private static final class Waiting {
        final EventService.Incoming incoming;
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CompletableFuture<EventBatch.Answer> answer = new CompletableFuture<>();

        Waiting(EventService.Incoming incoming) {
            this.incoming = incoming;
        }
    }

    private final Checker checker;
    private final GroupWriter writer;
    private final Settings settings;
    private final ArrayBlockingQueue<Waiting> queue;
    private final Thread[] writers;
    private final DistributionSummary groupSizes;
    private final Timer groupTimes;
    private final Counter recorded;
    private final Counter queueFull;
    private final Counter timedOut;
    private final Counter refusedStopping;
    private final Counter writerErrors;
    private volatile boolean running = true;
    // Set once every writer has returned: an event queued after that is answered by whoever queued it.
    private volatile boolean stopped;

    /** The api's: checks and records through {@code batch}. */
    public EventGroupCommit(EventBatch batch, Settings settings, MeterRegistry registry) {
        this(batch::check, batch::record, settings, registry);
    }

    EventGroupCommit(Checker checker, GroupWriter writer, Settings settings, MeterRegistry registry) {
        this.checker = requireNonNull(checker, "checker is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.groupSizes = DistributionSummary.builder("clickledger_event_group_size")
                .description("events per group commit of POST /v1/events")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.groupTimes = Timer.builder("clickledger_event_group_seconds")
                .description("time to record one group of events, from the take to the last answer")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.recorded = Counter.builder("clickledger_event_group_events_total")
                .description("events answered by the group commit's writers")
                .register(registry);
        this.queueFull = Counter.builder("clickledger_event_group_refused_total")
                .description("events answered 503 by the group commit, by reason")
                .tag("reason", "queue_full")
                .register(registry);
        this.timedOut = Counter.builder("clickledger_event_group_refused_total")
                .tag("reason", "timeout")
                .register(registry);
        this.refusedStopping = Counter.builder("clickledger_event_group_refused_total")
                .tag("reason", "shutting_down")
                .register(registry);
        this.writerErrors = Counter.builder("clickledger_event_group_writer_errors_total")
                .description("groups whose writer threw; every event of the group was answered with the failure")
                .register(registry);
        registry.gauge("clickledger_event_group_queue_depth", queue, ArrayBlockingQueue::size);
        this.writers = new Thread[settings.writers()];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = Thread.ofPlatform().name("event-writer-" + i).daemon().start(this::writeLoop);
        }
    }

    /**
     * Checks the request, waits for a writer to record it in a group, and returns what {@link
     * EventService#record} would have; throws what it would have thrown (the item's {@link
     * ApiException}, or the writer's failure), or {@link Unavailable}.
     */
    @Override
    public EventService.Outcome record(UUID programId, EventRequest request) {
        Waiting waiting = new Waiting(checker.check(programId, request));
        if (!running) {
            refusedStopping.increment();
            throw stopping();
        }
        if (!queue.offer(waiting)) {
            queueFull.increment();
            throw new Unavailable(
                    "events_queue_full",
                    "too many events are waiting to be recorded; this one was not recorded: retry it (the same"
                            + " eventId and body) after " + RETRY_AFTER_SECONDS + " s");
        }
        if (stopped) {
            // close() drained the queue before this event arrived: nobody else will answer it.
            answerLeftovers();
        }
        EventBatch.Answer answer = await(waiting);
        if (answer.failure() != null) {
            throw answer.failure();
        }
        return answer.outcome();
    }

    private EventBatch.Answer await(Waiting waiting) {
        long timeoutNanos = settings.timeout().toNanos();
        try {
            try {
                return waiting.answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (waiting.state.compareAndSet(QUEUED, WITHDRAWN)) {
                    timedOut.increment();
                    throw new Unavailable(
                            "events_timeout",
                            "the event waited " + settings.timeout().toSeconds()
                                    + " s for a writer and was not recorded: retry it (the same eventId and body)");
                }
            }
            // A writer took it just now, or its group's transaction is slow: wait for that once more.
            try {
                return waiting.answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                timedOut.increment();
                throw new Unavailable(
                        "events_outcome_unknown",
                        "the event's transaction did not finish in time; it may still be recorded: retry it (the same"
                                + " eventId and body) to learn its outcome");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            waiting.state.compareAndSet(QUEUED, WITHDRAWN);
            throw new Unavailable(
                    "events_interrupted", "the request was interrupted; retry it (the same eventId and body)");
        } catch (ExecutionException impossible) {
            // Answers are completed normally, failures included.
            throw new IllegalStateException(impossible.getCause());
        }
    }

    private static Unavailable stopping() {
        return new Unavailable(
                "shutting_down",
                "the api is shutting down; this event was not recorded: retry it (the same eventId and body)");
    }

    public int queueDepth() {
        return queue.size();
    }

    /** False from {@link #close} on: new events are refused. */
    boolean accepting() {
        return running;
    }

    private void writeLoop() {
        List<Waiting> drained = new ArrayList<>(settings.maxGroup());
        while (running || !queue.isEmpty()) {
            List<Waiting> group = null;
            try {
                Waiting first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                // Whatever is there, now: a group never waits to fill (the next one queues meanwhile).
                drained.add(first);
                queue.drainTo(drained, settings.maxGroup() - 1);
                group = new ArrayList<>(drained.size());
                for (Waiting waiting : drained) {
                    if (waiting.state.compareAndSet(QUEUED, TAKEN)) {
                        group.add(waiting);
                    }
                }
                drained.clear();
                if (!group.isEmpty()) {
                    write(group);
                }
            } catch (InterruptedException e) {
                // Nothing interrupts a writer on purpose: the loop's condition alone decides when it
                // stops, once the queue is drained (restoring the flag would fail every poll after).
                LOG.atWarn().log("event writer interrupted; it carries on until close() stops it");
            } catch (Throwable e) {
                // An Error or a bug must not kill the writer, nor leave its group waiting.
                if (group == null) {
                    group = new ArrayList<>();
                    for (Waiting waiting : drained) {
                        if (waiting.state.compareAndSet(QUEUED, TAKEN)) {
                            group.add(waiting);
                        }
                    }
                }
                drained.clear();
                failed(group, e);
            }
        }
    }

    private void write(List<Waiting> group) {
        long start = System.nanoTime();
        List<EventService.Incoming> incoming = new ArrayList<>(group.size());
        for (Waiting waiting : group) {
            incoming.add(waiting.incoming);
        }
        List<EventBatch.Answer> answers = writer.write(incoming);
        if (answers.size() != group.size()) {
            throw new IllegalStateException(answers.size() + " answers for a group of " + group.size());
        }
        for (int i = 0; i < group.size(); i++) {
            EventBatch.Answer answer = answers.get(i);
            group.get(i).answer.complete(answer == null ? failure(new IllegalStateException("no answer")) : answer);
        }
        groupTimes.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        groupSizes.record(group.size());
        recorded.increment(group.size());
    }

    private void failed(List<Waiting> group, Throwable error) {
        writerErrors.increment();
        LOG.atError()
                .setCause(error)
                .addKeyValue("thread", Thread.currentThread().getName())
                .addKeyValue("events", group.size())
                .log("event group failed; its requests are answered 500 and the writer carries on");
        EventBatch.Answer answer = failure(error);
        for (Waiting waiting : group) {
            waiting.answer.complete(answer);
        }
    }

    private static EventBatch.Answer failure(Throwable error) {
        return EventBatch.Answer.failed(
                error instanceof RuntimeException runtime
                        ? runtime
                        : new IllegalStateException("event writer failed: " + error, error));
    }

    // After the writers stopped: whatever is still queued is refused (it was never written).
    private void answerLeftovers() {
        List<Waiting> left = new ArrayList<>();
        queue.drainTo(left);
        for (Waiting waiting : left) {
            if (waiting.state.compareAndSet(QUEUED, WITHDRAWN)) {
                refusedStopping.increment();
                waiting.answer.complete(EventBatch.Answer.failed(stopping()));
            }
        }
    }

    /** Stops taking events, records what is queued, then returns. */
    @Override
    public void close() {
        running = false;
        for (Thread thread : writers) {
            try {
                thread.join(settings.timeout().toMillis() * 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopped = true;
        answerLeftovers();
    }
}
