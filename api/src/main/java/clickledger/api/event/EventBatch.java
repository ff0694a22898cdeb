package clickledger.api.event;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.Derivation;
import clickledger.api.attribution.ProgramLocks;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.attribution.UserFacts;
import clickledger.api.attribution.UserLock;
import clickledger.api.http.Timestamps;
import clickledger.common.id.Ulid;
import clickledger.db.Pipeline;
import clickledger.web.ApiException;
import clickledger.web.WebApp;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/events/batch}: many events with the outcome of posting them one by one to
 * {@code POST /v1/events} in their order, at a fraction of the cost per event (decision 0029).
 *
 * <p>The items are checked one by one as the single endpoint checks them, then taken in runs of
 * at most {@link #CHUNK} consecutive items of one program, one transaction each: every user's
 * lock (sorted, one statement), the stored events with these eventIds, the program's settings,
 * every user's touches and history and the webhook subscribers in one round trip; each user's
 * events derived in order in memory, each added to the user's history as the next one's read
 * would find it (as re-derivation does, {@link UserFacts#credited}); then every new event with its
 * attribution and commissions in one statement, and their webhooks. A refund goes through the
 * single path inside the transaction (a savepoint), after the purchases before it are written. A
 * concurrent request of another user that takes one of the eventIds fails the run's insert: the
 * run is rolled back and its items go one by one through {@link EventService#record}.
 */
public final class EventBatch {
    /** Items per request. */
    public static final int MAX_EVENTS = 1_000;

    /**
     * Items per transaction: each holds an advisory lock per user until it commits, and
     * PostgreSQL's lock table has a few thousand slots for every connection together (64 per
     * connection by default), so a pool of connections running batches must stay well below it.
     */
    static final int CHUNK = 250;

    private static final Logger LOG = LoggerFactory.getLogger(EventBatch.class);
    private static final Pattern FIELD_DETAIL = Pattern.compile("^[A-Za-z]+: .*", Pattern.DOTALL);

    private final DSLContext dsl;
    private final Clock clock;
    private final EventService.EventListener listener;
    private final EventService events;
    private final ProgramCurrencies currencies;
    private final EventIds ids = new EventIds();

    /** @param events the single path, for the runs whose eventIds a concurrent request took */
    public EventBatch(DSLContext dsl, Clock clock, EventService.EventListener listener, EventService events) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.events = requireNonNull(events, "events is null");
        this.currencies = new ProgramCurrencies(dsl);
    }

    /** An item as parsed: its place in the request, its program and the request. */
    public record Item(int index, UUID programId, EventRequest request) {}

    /** One item's answer: the status {@code POST /v1/events} would have answered, with its body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(int status, EventView event, Map<String, Object> problem) {
        static Result of(int index, Answer answer) {
            if (answer.outcome() != null) {
                EventService.Outcome outcome = answer.outcome();
                return new Result(outcome.created() ? 201 : 200, outcome.view(), null);
            }
            if (answer.failure() instanceof ApiException e) {
                return failed(index, e);
            }
            // What the single endpoint answers for an unexpected failure: logged, and a 500 without details.
            LOG.atError().setCause(answer.failure()).addKeyValue("item", index).log("unhandled error in a batch item");
            return failed(index, WebApp.internalError());
        }

        /** The item's problem, its fields named from the batch ({@code events[3].value}). */
        public static Result failed(int index, ApiException e) {
            return new Result(e.status(), null, WebApp.problemBody(at(index, e)));
        }
    }

    /**
     * What {@code POST /v1/events} answers for one item: its outcome, or the exception it throws
     * (an {@link ApiException} for the item's problem, anything else for a 500).
     */
    public record Answer(EventService.Outcome outcome, RuntimeException failure) {
        /**
         * The group could not take the item: its run met a lock it does not wait for (a
         * re-derivation's hold on its program, which it only tries, {@link ProgramLocks}; a user's
         * lock past {@link UserLock#BATCH_LOCK_TIMEOUT}), so its request records it alone. Without that, one program's re-derivation stopped the writer, and every
         * program's events queued behind it (decision 0030's revision).
         */
        static final Answer ALONE = new Answer(null, null);

        static Answer of(EventService.Outcome outcome) {
            return new Answer(outcome, null);
        }

        static Answer failed(RuntimeException failure) {
            return new Answer(null, failure);
        }

        boolean alone() {
            return outcome == null && failure == null;
        }
    }

    /**
     * Records the items (in the order given, which is the request's) and fills their answers into
     * {@code results}, at each item's index.
     */
    public void record(List<Item> items, Result[] results) {
        Instant now = Timestamps.micros(clock.instant());
        List<Checked> checked = new ArrayList<>();
        for (Item item : items) {
            try {
                checked.add(new Checked(
                        item.index(), EventService.check(currencies, item.programId(), item.request(), now)));
            } catch (ApiException e) {
                results[item.index()] = Result.failed(item.index(), e);
            }
        }
        // Programs a re-derivation held past a run's turn (ProgramLocks): their later runs are
        // refused at once rather than each waiting its turn again.
        Map<UUID, ApiException> busy = new HashMap<>();
        int from = 0;
        while (from < checked.size()) {
            UUID programId = checked.get(from).incoming().programId();
            int to = from + 1;
            while (to < checked.size()
                    && to - from < CHUNK
                    && checked.get(to).incoming().programId().equals(programId)) {
                to++;
            }
            List<Checked> chunk = checked.subList(from, to);
            ApiException refused = busy.get(programId);
            if (refused == null) {
                try {
                    events.locks()
                            .run(() -> run(chunk, false))
                            .forEach((index, answer) -> results[index] = Result.of(index, answer));
                } catch (ApiException e) {
                    if (!ProgramLocks.isBusy(e)) {
                        throw e;
                    }
                    busy.put(programId, e);
                    refused = e;
                }
            }
            if (refused != null) {
                for (Checked item : chunk) {
                    results[item.index()] = Result.failed(item.index(), refused);
                }
            }
            from = to;
        }
    }

    /** An item the group handed back ({@link Answer#ALONE}), recorded by its request through the single path. */
    EventService.Outcome recordAlone(EventService.Incoming incoming) {
        return events.record(incoming.programId(), incoming.request());
    }

    /**
     * What {@link EventService#record} checks before its transaction, for an item that a writer of
     * {@link EventGroupCommit} records later: the request's problems are the caller's to answer at once.
     */
    EventService.Incoming check(UUID programId, EventRequest request) {
        return EventService.check(currencies, programId, request, Timestamps.micros(clock.instant()));
    }

    /**
     * Records checked items (of any programs) as if each had been posted alone to {@code POST
     * /v1/events}, in the list's order, and answers each: {@link EventGroupCommit}'s group. The
     * items are taken at one time, now: one without a time of its own is of that time, and their
     * ids increase in the list's order, so re-derivation (by time, then id) takes a user's events
     * in the order they were derived. Each program's items, in their order, go in runs of at most
     * {@link #CHUNK}; items of different programs never interact.
     */
    List<Answer> record(List<EventService.Incoming> items) {
        Instant now = Timestamps.micros(clock.instant());
        Map<UUID, List<Checked>> programs = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            EventService.Incoming incoming = items.get(i).at(now);
            programs.computeIfAbsent(incoming.programId(), program -> new ArrayList<>())
                    .add(new Checked(i, incoming));
        }
        Answer[] answers = new Answer[items.size()];
        for (List<Checked> program : programs.values()) {
            for (int from = 0; from < program.size(); from += CHUNK) {
                run(program.subList(from, Math.min(program.size(), from + CHUNK)), true)
                        .forEach((index, answer) -> answers[index] = answer);
            }
        }
        return Arrays.asList(answers);
    }

    private record Checked(int index, EventService.Incoming incoming) {}

    /**
     * One run of one program's items in one transaction; one by one through the single path when
     * the run's transaction failed for one item's sake: a concurrent request took an eventId, two
     * runs deadlocked on eventIds, or PostgreSQL refused one item's data. Then each item gets what
     * the single endpoint answers it, a bad one its own failure, and none fails the others.
     */
    private Map<Integer, Answer> run(List<Checked> run, boolean handBackWhenLocked) {
        try {
            return dsl.transactionResult(
                    configuration -> new Run(configuration.dsl(), run, handBackWhenLocked).answer());
        } catch (ApiException e) {
            // A re-derivation holds the program's lock (ProgramLocks).
            if (handBackWhenLocked && ProgramLocks.isBusy(e)) {
                return handBack(run);
            }
            throw e;
        } catch (org.jooq.exception.DataAccessException e) {
            if (handBackWhenLocked && UserLock.LOCK_NOT_AVAILABLE.equals(e.sqlState())) {
                return handBack(run);
            }
            if (!AttributionEngine.eventKeyTaken(e) && !oneItemsFault(e)) {
                throw e;
            }
            Map<Integer, Answer> answered = new HashMap<>();
            for (Checked item : run) {
                try {
                    answered.put(
                            item.index(),
                            Answer.of(events.record(
                                    item.incoming().programId(), item.incoming().request())));
                } catch (RuntimeException failure) {
                    answered.put(item.index(), Answer.failed(failure));
                }
            }
            return answered;
        }
    }

    // The run's items, to be recorded one by one by their requests, each waiting its turn.
    private static Map<Integer, Answer> handBack(List<Checked> run) {
        LOG.atInfo()
                .addKeyValue("events", run.size())
                .addKeyValue("programId", run.getFirst().incoming().programId())
                .log("event run met a lock it does not wait for; its events are recorded one by one");
        Map<Integer, Answer> alone = new HashMap<>();
        run.forEach(item -> alone.put(item.index(), Answer.ALONE));
        return alone;
    }

    /**
     * A failure the run's items, one by one, would meet at most once each: a deadlock (two runs
     * inserting the same eventIds of different users, whose locks do not order them, in different
     * orders: PostgreSQL fails one), or a data exception or integrity violation (SQLSTATE classes
     * 22 and 23: PostgreSQL refused something an item carries). Not a lost connection or a
     * timeout, which every item would meet again, one after the other.
     */
    private static boolean oneItemsFault(RuntimeException failure) {
        if (!(failure.getCause() instanceof org.postgresql.util.PSQLException sql) || sql.getSQLState() == null) {
            return false;
        }
        String state = sql.getSQLState();
        return "40P01".equals(state) || state.startsWith("22") || state.startsWith("23");
    }

    /**
     * The ids of new events, increasing in the order they are derived, across runs, requests and
     * groups: re-derivation takes a user's events in the order of their time, then their id, and
     * a run derives them in its items' order, so two of a user's events with the same time must
     * keep it. {@link Ulid#newUuidV7}'s counter within a millisecond restarts at random when
     * another thread takes an id of another millisecond meanwhile: an id not above the last is
     * replaced by the last plus one.
     */
    private static final class EventIds {
        private UUID last;

        synchronized UUID next(Instant now) {
            UUID id = Ulid.newUuidV7(now.toEpochMilli());
            if (last != null
                    && (Long.compareUnsigned(id.getMostSignificantBits(), last.getMostSignificantBits()) < 0
                            || id.getMostSignificantBits() == last.getMostSignificantBits()
                                    && Long.compareUnsigned(
                                                    id.getLeastSignificantBits(), last.getLeastSignificantBits())
                                            <= 0)) {
                id = new UUID(last.getMostSignificantBits(), last.getLeastSignificantBits() + 1);
            }
            last = id;
            return id;
        }
    }

    /** An eventId this run has stored: the request's digest and the item that stored it. */
    private record Seen(String hash, int index) {}

    /** A purchase derived and waiting to be written with the others. */
    private record Pending(int index, EventRow event, AttributionEngine.Written written) {}

    /** The transaction of one run. */
    private final class Run {
        private final DSLContext trx;
        private final List<Checked> items;
        private final boolean lockTimeout;
        private final UUID programId;
        private final Instant now;
        private final Map<Integer, Answer> answered = new HashMap<>();
        private final Map<String, Seen> seen = new HashMap<>();
        private final Map<Integer, Integer> repeats = new HashMap<>();
        private final List<Pending> pending = new ArrayList<>();
        private EventService.EventListener.Announcement announcement;
        private ProgramSettings program;
        private EventService single;

        Run(DSLContext trx, List<Checked> items, boolean lockTimeout) {
            this.trx = trx;
            this.items = items;
            this.lockTimeout = lockTimeout;
            this.programId = items.getFirst().incoming().programId();
            this.now = items.getFirst().incoming().now();
        }

        Map<Integer, Answer> answer() {
            LinkedHashSet<String> userIds = new LinkedHashSet<>();
            List<String> eventKeys = new ArrayList<>();
            for (Checked item : items) {
                userIds.add(item.incoming().request().userId());
                eventKeys.add(item.incoming().request().eventId());
            }
            Pipeline reads = new Pipeline();
            if (lockTimeout) {
                UserLock.batchLockTimeout(reads);
            }
            UserLock.acquireAll(reads, programId, userIds);
            Map<String, EventRow> stored = EventRepository.findByKeys(reads, programId, eventKeys);
            ProgramSettings.Row settings = ProgramSettings.read(reads, programId);
            Map<String, UserFacts> users = UserFacts.read(reads, programId, List.copyOf(userIds));
            announcement = listener.prepare(reads);
            AttributionEngine.run(trx, reads);
            program = settings.settings(Map.of());
            for (Checked item : items) {
                EventService.Incoming incoming = item.incoming();
                String eventKey = incoming.request().eventId();
                try {
                    EventRow earlier = stored.get(eventKey);
                    Seen first = seen.get(eventKey);
                    if (earlier != null) {
                        answered.put(item.index(), Answer.of(EventService.replay(trx, earlier, incoming.hash())));
                    } else if (first != null) {
                        EventService.requireSameBody(first.hash(), incoming.hash());
                        repeats.put(item.index(), first.index());
                    } else if (incoming.request().refundOf() != null) {
                        refund(item);
                    } else {
                        UserFacts facts = users.get(incoming.request().userId());
                        purchase(item.index(), incoming, settings.settings(facts.overrides()), facts);
                        seen.put(eventKey, new Seen(incoming.hash(), item.index()));
                    }
                } catch (ApiException e) {
                    answered.put(item.index(), Answer.failed(e));
                }
            }
            write();
            // A repeat of an eventId first stored by this batch: the stored result, as a retry gets it.
            repeats.forEach((index, first) -> answered.put(
                    index,
                    Answer.of(new EventService.Outcome(
                            answered.get(first).outcome().view(), false))));
            return answered;
        }

        /**
         * Derives the purchase from the user's facts, the batch's earlier purchases of the user
         * among them, and adds it to the user's history as the history query would count it once
         * written.
         */
        private void purchase(int index, EventService.Incoming incoming, ProgramSettings settings, UserFacts facts) {
            EventRequest request = incoming.request();
            EventRow event = new EventRow(
                    ids.next(now),
                    programId,
                    request.eventId(),
                    incoming.hash(),
                    request.userId(),
                    request.type(),
                    incoming.valueMinor(),
                    program.currency().getCurrencyCode(),
                    null,
                    request.metadata(),
                    incoming.ts(),
                    null,
                    null);
            Derivation.Result result = AttributionEngine.derive(settings, event, facts, facts.history());
            facts.credited(event.type(), event.ts(), result);
            pending.add(new Pending(
                    index,
                    EventRepository.copy(
                            event,
                            event.metadata(),
                            result.status().wire(),
                            result.model().wire()),
                    AttributionEngine.plan(settings, event, result, now)));
        }

        /**
         * A refund through the single path, in a savepoint of this transaction, once the purchases
         * before it are written (it may refund one of them).
         */
        private void refund(Checked item) {
            write();
            if (single == null) {
                single = new EventService(trx, clock, listener);
            }
            EventService.Outcome outcome =
                    single.record(programId, item.incoming().request());
            answered.put(item.index(), Answer.of(outcome));
            seen.put(
                    item.incoming().request().eventId(),
                    new Seen(item.incoming().hash(), item.index()));
        }

        /**
         * Writes the pending purchases in one statement, with their webhooks in the same round trip
         * (or, when one carries metadata, in the next: the view shows metadata as stored).
         */
        private void write() {
            if (pending.isEmpty()) {
                return;
            }
            AttributionEngine.Batch batch = new AttributionEngine.Batch(program, now);
            boolean metadata = false;
            for (Pending purchase : pending) {
                batch.add(purchase.event(), purchase.written());
                metadata |= purchase.event().metadata() != null;
            }
            Map<UUID, String> storedMetadata = new HashMap<>();
            Pipeline writes = new Pipeline();
            batch.queueInsertAll(writes, rows -> {
                while (rows.next()) {
                    storedMetadata.put(rows.getObject(1, UUID.class), rows.getString(2));
                }
            });
            Pipeline announce = writes;
            if (metadata) {
                AttributionEngine.run(trx, writes);
                announce = new Pipeline();
            }
            for (Pending purchase : pending) {
                EventRow event = purchase.event();
                if (event.metadata() != null) {
                    event = EventRepository.copy(
                            event,
                            EventRepository.metadata(storedMetadata.get(event.id())),
                            event.attributionStatus(),
                            event.model());
                }
                EventView view = EventView.of(
                        event,
                        null,
                        purchase.written().attributions(),
                        purchase.written().commissions());
                announcement.write(announce, view);
                answered.put(purchase.index(), Answer.of(new EventService.Outcome(view, true)));
            }
            AttributionEngine.run(trx, announce);
            pending.clear();
        }
    }

    /**
     * {@code e} as said of item {@code index}: its fields named from the batch's body
     * ({@code events[3].value}; a problem of the item as a whole, {@code events[3]}).
     */
    static ApiException at(int index, ApiException e) {
        String prefix = "events[" + index + "]";
        if (!e.fieldErrors().isEmpty()) {
            List<ApiException.FieldError> errors = e.fieldErrors().stream()
                    .map(error -> new ApiException.FieldError(
                            "body".equals(error.field()) ? prefix : prefix + "." + error.field(), error.message()))
                    .toList();
            String detail = String.join(
                    "; ",
                    errors.stream()
                            .map(error -> error.field() + ": " + error.message())
                            .toList());
            return new ApiException(e.status(), e.code(), e.title(), detail, errors);
        }
        String detail = e.getMessage();
        if (detail != null && FIELD_DETAIL.matcher(detail).matches()) {
            detail = prefix + "." + detail;
        }
        return new ApiException(e.status(), e.code(), e.title(), detail, List.of());
    }
}
