package clickledger.api.event;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.Derivation;
import clickledger.api.attribution.ProgramLocks;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.attribution.UserFacts;
import clickledger.api.attribution.UserLock;
import clickledger.api.http.Timestamps;
import clickledger.api.money.Money;
import clickledger.common.crypto.Sha256;
import clickledger.common.id.Ulid;
import clickledger.db.Pipeline;
import clickledger.db.Transactions;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * {@code POST /v1/events}: stores the event once per (program, eventId), attributes it under the
 * program's model and creates its commissions, or reverses commissions for a refund, all in one
 * transaction under the user's lock. A repeat with the same body returns the stored result; a
 * repeat with a different body is a conflict.
 */
public final class EventService implements EventRecorder {
    // Clocks of merchants' servers drift; an event a few minutes "in the future" is still real.
    static final Duration FUTURE_SKEW = Duration.ofMinutes(5);
    public static final String ADJUSTMENT = "adjustment";
    /**
     * The api's mapper with map entries sorted by key, made once: a copy made per request (as until
     * session 26) duplicated the configuration and started with empty serializer caches, so every
     * event with metadata built its serializers again. The text is the same as the per-request
     * copy wrote, so digests stored by earlier builds still match their retries ({@code RequestHashTest}).
     */
    private static final ObjectMapper CANONICAL =
            Json.MAPPER.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final DSLContext dsl;
    private final Clock clock;
    private final EventListener listener;
    private final ProgramLocks locks;
    private final ProgramCurrencies currencies;
    private final HistoryHints historyHints = new HistoryHints();

    /** Told about every newly stored event, inside its transaction (the webhook outbox hooks in here). */
    public interface EventListener {
        /** Writes what the stored event announces, in its transaction. */
        void stored(DSLContext trx, EventView view);

        /**
         * The same for the event path, which reads and writes in one round trip each: queues what
         * the listener must read on {@code reads} (run after the user's lock), and returns what
         * then writes the announcements of the event's view.
         */
        Announcement prepare(Pipeline reads);

        /** The second half of {@link #prepare}. */
        interface Announcement {
            void write(Pipeline writes, EventView view);
        }

        EventListener NONE = new EventListener() {
            @Override
            public void stored(DSLContext trx, EventView view) {}

            @Override
            public Announcement prepare(Pipeline reads) {
                return (writes, view) -> {};
            }
        };
    }

    /**
     * Events of a re-derived program refused at once ({@link ProgramLocks#REFUSE}): for events
     * recorded inside a transaction of their caller's.
     */
    public EventService(DSLContext dsl, Clock clock, EventListener listener) {
        this(dsl, clock, listener, ProgramLocks.REFUSE);
    }

    /** @param locks how a request meets a re-derivation of its program */
    public EventService(DSLContext dsl, Clock clock, EventListener listener, ProgramLocks locks) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.locks = requireNonNull(locks, "locks is null");
        this.currencies = new ProgramCurrencies(dsl);
    }

    ProgramLocks locks() {
        return locks;
    }

    /** The outcome: the event view, and whether this call created it (201) or found it (200). */
    public record Outcome(EventView view, boolean created) {}

    /** A request checked and its value parsed, at {@code now}: what the transaction works from. */
    record Incoming(UUID programId, EventRequest request, Long valueMinor, Instant ts, String hash, Instant now) {
        /**
         * The same request taken at {@code later} instead (a group commit's writer takes it after
         * its request was checked): an event without a time of its own is of that time.
         */
        Incoming at(Instant later) {
            return new Incoming(programId, request, valueMinor, request.ts() == null ? later : ts, hash, later);
        }
    }

    /** The eventId was taken by a concurrent request of another user: nothing of this one was written. */
    private static final class EventIdTaken extends RuntimeException {
        EventIdTaken() {
            super(null, null, false, false);
        }
    }

    @Override
    public Outcome record(UUID programId, EventRequest request) {
        Incoming incoming = check(currencies, programId, request, Timestamps.micros(clock.instant()));
        return locks.run(() -> record(incoming));
    }

    private Outcome record(Incoming incoming) {
        UUID programId = incoming.programId();
        EventRequest request = incoming.request();
        if (request.refundOf() != null) {
            return dsl.transactionResult(configuration -> refund(configuration.dsl(), incoming));
        }
        // Transactions, not jOOQ's transactionResult: no isolation-level round trip (decision 0028).
        try {
            return Transactions.result(dsl, trx -> purchase(trx, incoming));
        } catch (EventIdTaken taken) {
            // Another user's request with this eventId committed first: compare with it instead.
            return Transactions.result(
                    dsl,
                    trx -> replay(
                            trx,
                            EventRepository.findByKey(trx, programId, request.eventId())
                                    .orElseThrow(),
                            incoming.hash()));
        }
    }

    /**
     * What {@link #record} checks before its transaction (the currency, the value, the time) and
     * what it derives from the request; {@link EventBatch} checks each item of a batch the same way.
     */
    static Incoming check(ProgramCurrencies currencies, UUID programId, EventRequest request, Instant now) {
        Currency programCurrency = currencies.of(programId);
        String currency = programCurrency.getCurrencyCode();
        if (request.currency() != null
                && !request.currency().toUpperCase(Locale.ROOT).equals(currency)) {
            throw ApiException.badRequest("currency", "must be the program's currency, " + currency);
        }
        Long valueMinor = request.value() == null
                ? null
                : Money.parse("value", request.value(), programCurrency).minor();
        if (valueMinor != null && valueMinor < 0 && !ADJUSTMENT.equals(request.type())) {
            throw ApiException.badRequest("value", "may be negative only for events of type \"adjustment\"");
        }
        if (request.ts() != null && request.ts().isAfter(now.plus(FUTURE_SKEW))) {
            throw ApiException.badRequest("ts", "is in the future");
        }
        // Stored with PostgreSQL's microseconds, so what attribution compares is what is stored.
        Instant ts = request.ts() == null ? now : Timestamps.micros(request.ts());
        return new Incoming(programId, request, valueMinor, ts, requestHash(programId, request, valueMinor), now);
    }

    /**
     * A new event other than a refund, in two round trips and the commit: the user's locks and every
     * read (an earlier event with this eventId, the program's settings, the user's touches and
     * history, the listener's subscribers), then every write (the event with its status, its
     * attribution and commissions, its webhooks). The answer is built from the rows written.
     */
    private Outcome purchase(DSLContext trx, Incoming incoming) {
        UUID programId = incoming.programId();
        EventRequest request = incoming.request();
        Long valueMinor = incoming.valueMinor();
        Instant ts = incoming.ts();
        String hash = incoming.hash();
        Instant now = incoming.now();
        UUID eventId = Ulid.newUuidV7(now.toEpochMilli());
        Pipeline reads = new Pipeline();
        UserLock.acquireWithGenericPlans(reads, programId, request.userId());
        EventRepository.Found existing = EventRepository.findByKey(reads, programId, request.eventId());
        ProgramSettings.Row settings = ProgramSettings.read(reads, programId);
        UserFacts facts = UserFacts.read(reads, programId, request.userId(), eventId, historyHints.needs(programId));
        EventListener.Announcement announcement = listener.prepare(reads);
        AttributionEngine.run(trx, reads);
        if (existing.row() != null) {
            return replay(trx, existing.row(), hash);
        }
        ProgramSettings program = settings.settings(facts.overrides());
        historyHints.remember(programId, program.needsHistory());
        Derivation.HistorySource history;
        if (facts.historyRead()) {
            history = facts.history();
        } else if (program.needsHistory()) {
            Pipeline historyRead = new Pipeline();
            UserFacts withHistory = UserFacts.read(historyRead, programId, request.userId(), eventId, true);
            AttributionEngine.run(trx, historyRead);
            history = withHistory.history();
        } else {
            history = (partnerId, type) -> Derivation.History.NONE;
        }
        EventRow event = new EventRow(
                eventId,
                programId,
                request.eventId(),
                hash,
                request.userId(),
                request.type(),
                valueMinor,
                program.currency().getCurrencyCode(),
                null,
                request.metadata(),
                ts,
                null,
                null);
        Derivation.Result result = AttributionEngine.derive(program, event, facts, history);
        AttributionEngine.Written written = AttributionEngine.plan(program, event, result, now);
        String[] storedMetadata = new String[1];
        Pipeline writes = new Pipeline();
        new AttributionEngine.Batch(program, now).add(event, written).queueInsert(writes, rows -> {
            if (rows.next()) {
                storedMetadata[0] = rows.getString(2);
            }
        });
        EventRow stored = EventRepository.copy(
                event, event.metadata(), result.status().wire(), result.model().wire());
        if (request.metadata() == null) {
            EventView view = EventView.of(stored, null, written.attributions(), written.commissions());
            announcement.write(writes, view);
            write(trx, writes);
            return new Outcome(view, true);
        }
        // Metadata is shown as PostgreSQL stores it (jsonb orders keys and keeps the last of a
        // duplicate), so the view, and the webhooks carrying it, wait for the stored text.
        write(trx, writes);
        EventView view = EventView.of(
                EventRepository.copy(
                        stored,
                        EventRepository.metadata(storedMetadata[0]),
                        stored.attributionStatus(),
                        stored.model()),
                null,
                written.attributions(),
                written.commissions());
        Pipeline announce = new Pipeline();
        announcement.write(announce, view);
        AttributionEngine.run(trx, announce);
        return new Outcome(view, true);
    }

    /**
     * Runs the new event's writes; a unique violation of its eventId (a concurrent request of
     * another user took it after this one's read) becomes {@link EventIdTaken}, on which the caller
     * rolls back this transaction and compares with the winner's event in a new one.
     */
    private static void write(DSLContext trx, Pipeline writes) {
        try {
            AttributionEngine.run(trx, writes);
        } catch (org.jooq.exception.DataAccessException e) {
            if (AttributionEngine.eventKeyTaken(e)) {
                throw new EventIdTaken();
            }
            throw e;
        }
    }

    /** A refund: reverses the matching share of the original's commissions. */
    private Outcome refund(DSLContext trx, Incoming incoming) {
        UUID programId = incoming.programId();
        EventRequest request = incoming.request();
        Instant ts = incoming.ts();
        String hash = incoming.hash();
        Instant now = incoming.now();
        Long value = incoming.valueMinor();
        UserLock.acquire(trx, programId, request.userId());
        Optional<EventRow> existing = EventRepository.findByKey(trx, programId, request.eventId());
        if (existing.isPresent()) {
            return replay(trx, existing.get(), hash);
        }
        ProgramSettings program = ProgramSettings.load(trx, programId);
        EventRow original = findOriginal(trx, programId, request.refundOf());
        if (!original.userId().equals(request.userId())) {
            throw ApiException.badRequest("userId", "must be the user of the refunded event");
        }
        long refundedBefore = EventRepository.refundedSoFar(trx, original.id());
        long remaining = original.value() - refundedBefore;
        if (value == null) {
            value = remaining;
        }
        if (value <= 0 && original.value() > 0) {
            if (remaining <= 0) {
                throw ApiException.conflict("already_refunded", "refundOf: the event is already fully refunded");
            }
            throw ApiException.badRequest("value", "must be positive for a refund");
        }
        if (value > remaining) {
            throw ApiException.conflict(
                    "refund_exceeds_value",
                    "refundOf: refunds would total more than the event's value (remaining "
                            + Money.format(remaining, program.currency()) + ")");
        }
        EventRow event = new EventRow(
                Ulid.newUuidV7(now.toEpochMilli()),
                programId,
                request.eventId(),
                hash,
                request.userId(),
                request.type(),
                value,
                program.currency().getCurrencyCode(),
                original.id(),
                request.metadata(),
                ts,
                "refund",
                null);
        if (!EventRepository.insertIfAbsent(trx, event, now)) {
            // Same eventId under another user's lock won the race: compare with it instead.
            return replay(
                    trx,
                    EventRepository.findByKey(trx, programId, request.eventId()).orElseThrow(),
                    hash);
        }
        Refunds.apply(trx, program, original, event, refundedBefore, now);
        EventView view = EventView.load(
                trx, EventRepository.find(trx, programId, event.id()).orElseThrow());
        listener.stored(trx, view);
        return new Outcome(view, true);
    }

    static Outcome replay(DSLContext trx, EventRow stored, String hash) {
        requireSameBody(stored.requestHash(), hash);
        return new Outcome(EventView.load(trx, stored), false);
    }

    /** The 409 of an eventId recorded with another body. */
    static void requireSameBody(String storedHash, String hash) {
        if (!storedHash.equals(hash)) {
            throw ApiException.conflict(
                    "event_id_reused",
                    "eventId: an event with this eventId was already recorded with a different body");
        }
    }

    private static EventRow findOriginal(DSLContext trx, UUID programId, String refundOf) {
        Optional<EventRow> byKey = EventRepository.findByKey(trx, programId, refundOf);
        Optional<EventRow> original = byKey.isPresent()
                ? byKey
                : Ulid.parse(refundOf).flatMap(id -> EventRepository.find(trx, programId, id));
        EventRow found =
                original.orElseThrow(() -> ApiException.badRequest("refundOf", "no such event in this program"));
        if (found.refundOf() != null) {
            throw ApiException.badRequest("refundOf", "must name a purchase, not another refund");
        }
        return found;
    }

    /** A digest of what the request means (not its formatting), to tell a retry from a reuse of the id. */
    static String requestHash(UUID programId, EventRequest request, Long valueMinor) {
        String canonical = String.join(
                "\u0000",
                programId.toString(),
                request.eventId(),
                request.userId(),
                request.type(),
                String.valueOf(valueMinor),
                String.valueOf(request.ts()),
                String.valueOf(request.refundOf()),
                request.metadata() == null ? "" : canonicalJson(request.metadata()));
        return HexFormat.of().formatHex(Sha256.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    private static String canonicalJson(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return CANONICAL.writeValueAsString(CANONICAL.treeToValue(node, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("metadata cannot be serialised", e);
        }
    }
}
