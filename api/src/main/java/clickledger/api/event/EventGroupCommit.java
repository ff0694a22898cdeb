package clickledger.api.event;

import static java.util.Objects.requireNonNull;

import clickledger.api.group.GroupCommit;
import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import clickledger.web.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
 * <p>The queue, its writers and every way out (503 with {@code Retry-After} for a full queue, a
 * timeout or shutdown; a 500 for a group whose writer threw) are {@link GroupCommit}'s, shared
 * with {@code POST /v1/identify}; this class holds what is the events': the check on the
 * caller's thread, {@link EventBatch} as the writer, and the settings. {@link #close} drains what
 * is queued, then refuses.
 */
public final class EventGroupCommit implements EventRecorder, AutoCloseable {
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

    public static final Setting ENABLED = Setting.withDefault(
            "EVENT_GROUP_COMMIT",
            "true",
            "`POST /v1/events` waits for a writer that records every event queued meanwhile in one transaction"
                    + " (group commit, docs/decisions/0030); `false` gives each event its own transaction");
    public static final Setting WRITERS = Setting.withDefault(
            "EVENT_GROUP_COMMIT_WRITERS",
            "1",
            "writer threads (and database connections in use) of the group commit (1–8); each user's events"
                    + " always go to the same writer, in their order");
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

    /** Records an event the group handed back, on its request's thread ({@link EventBatch#recordAlone}). */
    @FunctionalInterface
    interface Alone {
        EventService.Outcome record(EventService.Incoming incoming);
    }

    private final Checker checker;
    private final Alone alone;
    private final GroupCommit<EventService.Incoming, EventService.Outcome> group;

    /** The api's: checks and records through {@code batch}. */
    public EventGroupCommit(EventBatch batch, Settings settings, MeterRegistry registry) {
        this(batch::check, batch::record, batch::recordAlone, settings, registry);
    }

    EventGroupCommit(Checker checker, GroupWriter writer, Alone alone, Settings settings, MeterRegistry registry) {
        this.checker = requireNonNull(checker, "checker is null");
        this.alone = requireNonNull(alone, "alone is null");
        requireNonNull(writer, "writer is null");
        requireNonNull(settings, "settings is null");
        // Metrics clickledger_event_group_batch_size, …_batch_seconds, …_refused_total{reason},
        // …_writer_errors_total, …_queue_depth; threads event_group-writer-N.
        this.group = new GroupCommit<>(
                "event_group",
                items -> outcomes(writer.write(items)),
                settings.writers(),
                settings.queueCapacity(),
                settings.maxGroup(),
                settings.timeout(),
                // One user's events always to the same writer, in their order (see shard).
                EventGroupCommit::shard,
                registry);
    }

    /**
     * A user's writer. With more than one writer, two groups holding events of one user would race
     * for the user's lock after each took its time ({@code now}, the time of an event without one)
     * and its ids: the one taken later could win and be derived first, so re-derivation, which
     * orders a user's events by time then id, would take them in another order than the one they
     * were derived in. With every event of a user in one writer's queue, a user's events are
     * derived in the order they were queued, one group after the other, as with a single writer.
     */
    static int shard(EventService.Incoming incoming) {
        return 31 * incoming.programId().hashCode()
                + incoming.request().userId().hashCode();
    }

    // EventBatch answers every item itself (its one-by-one fallback included), except those of a
    // run that met a lock it does not wait for (a re-derivation's): those go back to their requests.
    private static List<GroupCommit.Outcome<EventService.Outcome>> outcomes(List<EventBatch.Answer> answers) {
        List<GroupCommit.Outcome<EventService.Outcome>> outcomes = new ArrayList<>(answers.size());
        for (EventBatch.Answer answer : answers) {
            if (answer.alone()) {
                outcomes.add(new GroupCommit.Outcome.Alone<>());
            } else if (answer.failure() != null) {
                outcomes.add(new GroupCommit.Outcome.Failed<>(answer.failure()));
            } else {
                outcomes.add(new GroupCommit.Outcome.Done<>(answer.outcome()));
            }
        }
        return outcomes;
    }

    /**
     * Checks the request, waits for a writer to record it in a group, and returns what {@link
     * EventService#record} would have; throws what it would have thrown (the item's {@link
     * ApiException}), a 500 when the writer failed, or a 503 with {@code Retry-After}.
     */
    @Override
    public EventService.Outcome record(UUID programId, EventRequest request) {
        EventService.Incoming incoming = checker.check(programId, request);
        return group.submit(incoming, () -> alone.record(incoming));
    }

    public int queueDepth() {
        return group.queueDepth();
    }

    /** False from {@link #close} on: new events are refused. */
    boolean accepting() {
        return group.accepting();
    }

    /** Stops taking events, records what is queued, then returns. */
    @Override
    public void close() {
        group.close();
    }
}
