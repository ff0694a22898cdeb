package clickledger.api.attribution;

import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.event.EventRow;
import clickledger.common.id.Ulid;
import clickledger.db.Pipeline;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * Runs {@link Derivation} for one event against the database and writes what it derives:
 * attribution rows, pending commissions held until event time + holdback, and the event's status.
 * Callers hold the per-user lock ({@link UserLock}) so a user's events are attributed one at a time.
 *
 * <p>Reads and writes go in one statement each ({@link UserFacts}, {@link Batch}): the event
 * path sends its lock and reads in one round trip and its writes in one more, and identify's
 * backfill and re-derivation use the same statements.
 */
public final class AttributionEngine {
    private AttributionEngine() {}

    /** What was written for one event; the attribution ids in the order of the result's credits. */
    public record Written(Derivation.Result result, List<UUID> attributionIds, List<CommissionRow> commissions) {
        /** The attribution rows as stored, in credit order (click time, then click id). */
        public List<AttributionRepository.Stored> attributions() {
            List<AttributionRepository.Stored> stored = new ArrayList<>();
            for (int i = 0; i < result.credits().size(); i++) {
                Derivation.Credit credit = result.credits().get(i);
                stored.add(new AttributionRepository.Stored(
                        attributionIds.get(i),
                        credit.touch().clickId(),
                        credit.touch().linkId(),
                        credit.touch().partnerId(),
                        result.model().wire(),
                        credit.weight(),
                        credit.valueMinor()));
            }
            return stored;
        }
    }

    /**
     * Attribution of an event from facts already read: no identity at all, or the derivation over
     * the user's candidate touches.
     */
    public static Derivation.Result derive(
            ProgramSettings program, EventRow event, UserFacts facts, Derivation.HistorySource history) {
        if (!facts.hasIdentity()) {
            return new Derivation.Result(Derivation.Status.NO_IDENTITY, program.model(), List.of(), List.of());
        }
        return Derivation.derive(
                program.model(),
                program.lookbackDays(),
                new Derivation.EventFacts(event.type(), event.value(), event.ts()),
                facts.candidates(),
                program::rulesFor,
                history);
    }

    /**
     * Reads the user's facts (and their history when the rules need it) in one round trip and
     * derives; for events already stored (identify's backfill, re-derivation), whose history must
     * leave the event itself out.
     */
    public static Derivation.Result derive(DSLContext trx, ProgramSettings program, EventRow event) {
        Pipeline reads = new Pipeline();
        UserFacts facts =
                UserFacts.read(reads, program.programId(), event.userId(), event.id(), program.needsHistory());
        run(trx, reads);
        return derive(
                program,
                event,
                facts,
                facts.historyRead() ? facts.history() : (partner, type) -> Derivation.History.NONE);
    }

    /** Derives for a stored event and writes the result, updating the event's status; one round trip each. */
    public static Written attribute(DSLContext trx, ProgramSettings program, EventRow event, Instant now) {
        return write(trx, program, event, derive(trx, program, event), now);
    }

    /** Writes a derivation for a stored event: its status and model, its attribution and commissions. */
    public static Written write(
            DSLContext trx, ProgramSettings program, EventRow event, Derivation.Result result, Instant now) {
        Written written = plan(program, event, result, now);
        new Batch(program, now).add(event, written).write(trx);
        return written;
    }

    /** Ids and rows for a derivation, nothing written yet. */
    public static Written plan(ProgramSettings program, EventRow event, Derivation.Result result, Instant now) {
        List<UUID> attributionIds = new ArrayList<>();
        for (int i = 0; i < result.credits().size(); i++) {
            attributionIds.add(Ulid.newUuidV7(now.toEpochMilli()));
        }
        Instant holdUntil = event.ts().plus(Duration.ofDays(program.holdbackDays()));
        List<CommissionRow> commissions = new ArrayList<>();
        for (Derivation.CommissionLine line : result.commissions()) {
            Derivation.Credit credit = result.credits().get(line.creditIndex());
            commissions.add(new CommissionRow(
                    CommissionRepository.newId(now),
                    event.id(),
                    attributionIds.get(line.creditIndex()),
                    credit.touch().partnerId(),
                    program.programId(),
                    event.userId(),
                    "commission",
                    line.rule().index(),
                    line.amountMinor(),
                    program.currency().getCurrencyCode(),
                    "pending",
                    holdUntil,
                    null,
                    null,
                    now));
        }
        return new Written(result, attributionIds, commissions);
    }

    // A new event as it is inserted: already with its attribution status and model, so no second
    // write. A plain insert, not ON CONFLICT DO NOTHING: the caller has read under the user's lock
    // that the eventId is free, so only a concurrent request of another user with the same eventId
    // can conflict, and that rare race fails the statement with a unique violation of
    // EVENT_KEY_CONSTRAINT (the caller rolls back and answers from the winner's event). A speculative
    // insertion cost every event two arbiter probes and a HEAP_CONFIRM WAL record (decision 0028).
    private static final String INSERT_EVENT =
            """
            with e as (
                insert into event (id, program_id, event_key, request_hash, user_id, type, value_minor, currency,
                                   refund_of, metadata, ts, attribution_status, model, created_at)
                values (?::uuid, ?::uuid, ?, ?, ?, ?, ?::bigint, ?, ?::uuid, ?::jsonb, ?::timestamptz, ?, ?,
                        ?::timestamptz)
                returning id, metadata::text as metadata)""";

    // Several new events at once (POST /v1/events/batch), as INSERT_EVENT inserts one: the batch's
    // reads under its users' locks found every eventId free, so only a concurrent request of another
    // user can conflict, failing the statement with a unique violation of EVENT_KEY_CONSTRAINT.
    private static final String INSERT_EVENTS =
            """
            with e as (
                insert into event (id, program_id, event_key, request_hash, user_id, type, value_minor, currency,
                                   refund_of, metadata, ts, attribution_status, model, created_at)
                select t.id, ?::uuid, t.event_key, t.request_hash, t.user_id, t.type, t.value_minor, ?, null,
                       t.metadata::jsonb, t.ts, t.status, t.model, ?::timestamptz
                  from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[],
                              ?::timestamptz[], ?::text[], ?::text[])
                       as t (id, event_key, request_hash, user_id, type, value_minor, metadata, ts, status, model)
                returning id, metadata::text as metadata)""";

    /** The unique constraint of (program_id, event_key) that {@link Batch#queueInsert} may violate. */
    public static final String EVENT_KEY_CONSTRAINT = "event_program_id_event_key_key";

    // Stored events (identify's backfill, re-derivation): their status and model.
    private static final String UPDATE_EVENTS =
            """
            with e as (
                update event as ev set attribution_status = t.status, model = t.model
                  from unnest(?::uuid[], ?::text[], ?::text[]) as t (id, status, model)
                 where ev.id = t.id
                returning ev.id, ev.metadata::text as metadata)""";

    // The derived rows of the events above, of those written. One statement for all of them: its
    // statement-level stats triggers note the events' days once (V70: the commissions' trigger
    // leaves out those whose attribution this transaction wrote). It is the only writer of
    // attribution and rule-made commissions, and writes a row only for an event of e, with the
    // attribution ids it writes in a: what the foreign keys V70 dropped checked, at 12 locking
    // probes and WAL records per event (docs/decisions/0028).
    private static final String INSERT_DERIVED =
            """
            ,
            a as (
                insert into attribution (id, event_id, click_id, click_ts, link_id, partner_id, program_id, model,
                                         weight, value_minor, currency, created_at)
                select t.id, t.event_id, t.click_id, t.click_ts, t.link_id, t.partner_id, ?::uuid, ?, t.weight,
                       t.value_minor, ?, ?::timestamptz
                  from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::timestamptz[], ?::uuid[], ?::uuid[], ?::numeric[],
                              ?::bigint[])
                       as t (id, event_id, click_id, click_ts, link_id, partner_id, weight, value_minor)
                 where t.event_id in (select id from e)),
            c as (
                insert into commission (id, event_id, attribution_id, partner_id, program_id, user_id, kind,
                                        rule_index, rule, amount_minor, currency, status, hold_until, created_at,
                                        updated_at)
                select t.id, t.event_id, t.attribution_id, t.partner_id, ?::uuid, t.user_id, 'commission',
                       t.rule_index, t.rule::jsonb, t.amount_minor, ?, 'pending', t.hold_until, ?::timestamptz,
                       ?::timestamptz
                  from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::int[], ?::text[], ?::bigint[],
                              ?::timestamptz[])
                       as t (id, event_id, attribution_id, partner_id, user_id, rule_index, rule, amount_minor,
                             hold_until)
                 where t.event_id in (select id from e))
            select id, metadata from e""";

    /**
     * The writes of planned derivations, of any number of events, as one statement: each event's
     * status and model, its attribution rows and its commissions.
     */
    public static final class Batch {
        private final ProgramSettings program;
        private final Instant now;
        private final List<EventRow> events = new ArrayList<>();
        private final List<UUID> eventIds = new ArrayList<>();
        private final List<String> statuses = new ArrayList<>();
        private final List<String> models = new ArrayList<>();
        private final List<UUID> attributionIds = new ArrayList<>();
        private final List<UUID> attributionEvents = new ArrayList<>();
        private final List<UUID> clickIds = new ArrayList<>();
        private final List<String> clickTimes = new ArrayList<>();
        private final List<UUID> linkIds = new ArrayList<>();
        private final List<UUID> partnerIds = new ArrayList<>();
        private final List<BigDecimal> weights = new ArrayList<>();
        private final List<Long> values = new ArrayList<>();
        private final List<UUID> commissionIds = new ArrayList<>();
        private final List<UUID> commissionEvents = new ArrayList<>();
        private final List<UUID> commissionAttributions = new ArrayList<>();
        private final List<UUID> commissionPartners = new ArrayList<>();
        private final List<String> users = new ArrayList<>();
        private final List<Integer> ruleIndexes = new ArrayList<>();
        private final List<String> rules = new ArrayList<>();
        private final List<Long> amounts = new ArrayList<>();
        private final List<String> holdUntil = new ArrayList<>();

        public Batch(ProgramSettings program, Instant now) {
            this.program = program;
            this.now = now;
        }

        /** Adds one event's planned derivation. */
        public Batch add(EventRow event, Written written) {
            Derivation.Result result = written.result();
            events.add(event);
            eventIds.add(event.id());
            statuses.add(result.status().wire());
            models.add(result.model().wire());
            for (int i = 0; i < result.credits().size(); i++) {
                Derivation.Credit credit = result.credits().get(i);
                attributionIds.add(written.attributionIds().get(i));
                attributionEvents.add(event.id());
                clickIds.add(credit.touch().clickId());
                clickTimes.add(credit.touch().clickTs().toString());
                linkIds.add(credit.touch().linkId());
                partnerIds.add(credit.touch().partnerId());
                weights.add(credit.weight());
                values.add(credit.valueMinor());
            }
            for (int i = 0; i < written.commissions().size(); i++) {
                CommissionRow row = written.commissions().get(i);
                commissionIds.add(row.id());
                commissionEvents.add(event.id());
                commissionAttributions.add(row.attributionId());
                commissionPartners.add(row.partnerId());
                users.add(row.userId());
                ruleIndexes.add(row.ruleIndex());
                rules.add(result.commissions()
                        .get(i)
                        .rule()
                        .toJson(program.currency())
                        .toString());
                amounts.add(row.amountMinor());
                holdUntil.add(row.holdUntil().toString());
            }
            return this;
        }

        public int size() {
            return events.size();
        }

        /** Queues the writes for events already stored: their status is updated. */
        public void queueUpdate(Pipeline writes, Pipeline.Rows eventRows) {
            List<Object> parameters = new ArrayList<>();
            parameters.add(eventIds.toArray(UUID[]::new));
            parameters.add(statuses.toArray(String[]::new));
            parameters.add(models.toArray(String[]::new));
            writes.query(UPDATE_EVENTS + INSERT_DERIVED, eventRows, derived(parameters));
        }

        /**
         * Queues the writes for the one new event of this batch: it is inserted with its status;
         * {@code eventRow} reads its {@code id, metadata} as stored. When another transaction took
         * the eventId meanwhile, the pipeline fails with a unique violation of {@link
         * #EVENT_KEY_CONSTRAINT} (see {@link #eventKeyTaken}) and the transaction must roll back.
         */
        public void queueInsert(Pipeline writes, Pipeline.Rows eventRow) {
            if (events.size() != 1) {
                throw new IllegalStateException("an insert writes exactly one new event");
            }
            EventRow event = events.getFirst();
            List<Object> parameters = new ArrayList<>();
            parameters.add(event.id());
            parameters.add(event.programId());
            parameters.add(event.eventKey());
            parameters.add(event.requestHash());
            parameters.add(event.userId());
            parameters.add(event.type());
            parameters.add(event.valueMinor());
            parameters.add(event.currency());
            parameters.add(event.refundOf());
            parameters.add(event.metadata() == null ? null : event.metadata().toString());
            parameters.add(event.ts());
            parameters.add(statuses.getFirst());
            parameters.add(models.getFirst());
            parameters.add(now);
            writes.query(INSERT_EVENT + INSERT_DERIVED, eventRow, derived(parameters));
        }

        /**
         * {@link #queueInsert} for every event of this batch, all new purchases of its program (no
         * refund): one statement writes them with their attribution and commissions; {@code
         * eventRows} reads each one's {@code id, metadata} as stored.
         */
        public void queueInsertAll(Pipeline writes, Pipeline.Rows eventRows) {
            for (EventRow event : events) {
                if (event.refundOf() != null || !event.programId().equals(program.programId())) {
                    throw new IllegalStateException("a batch inserts new purchases of its own program only");
                }
            }
            List<Object> parameters = new ArrayList<>();
            parameters.add(program.programId());
            parameters.add(program.currency().getCurrencyCode());
            parameters.add(now);
            parameters.add(eventIds.toArray(UUID[]::new));
            parameters.add(events.stream().map(EventRow::eventKey).toArray(String[]::new));
            parameters.add(events.stream().map(EventRow::requestHash).toArray(String[]::new));
            parameters.add(events.stream().map(EventRow::userId).toArray(String[]::new));
            parameters.add(events.stream().map(EventRow::type).toArray(String[]::new));
            parameters.add(events.stream().map(EventRow::valueMinor).toArray(Long[]::new));
            parameters.add(events.stream()
                    .map(event ->
                            event.metadata() == null ? null : event.metadata().toString())
                    .toArray(String[]::new));
            parameters.add(events.stream().map(event -> event.ts().toString()).toArray(String[]::new));
            parameters.add(statuses.toArray(String[]::new));
            parameters.add(models.toArray(String[]::new));
            writes.query(INSERT_EVENTS + INSERT_DERIVED, eventRows, derived(parameters));
        }

        private Object[] derived(List<Object> parameters) {
            String currency = program.currency().getCurrencyCode();
            parameters.add(program.programId());
            parameters.add(program.model().wire());
            parameters.add(currency);
            parameters.add(now);
            parameters.add(attributionIds.toArray(UUID[]::new));
            parameters.add(attributionEvents.toArray(UUID[]::new));
            parameters.add(clickIds.toArray(UUID[]::new));
            parameters.add(clickTimes.toArray(String[]::new));
            parameters.add(linkIds.toArray(UUID[]::new));
            parameters.add(partnerIds.toArray(UUID[]::new));
            parameters.add(weights.toArray(BigDecimal[]::new));
            parameters.add(values.toArray(Long[]::new));
            parameters.add(program.programId());
            parameters.add(currency);
            parameters.add(now);
            parameters.add(now);
            parameters.add(commissionIds.toArray(UUID[]::new));
            parameters.add(commissionEvents.toArray(UUID[]::new));
            parameters.add(commissionAttributions.toArray(UUID[]::new));
            parameters.add(commissionPartners.toArray(UUID[]::new));
            parameters.add(users.toArray(String[]::new));
            parameters.add(ruleIndexes.toArray(Integer[]::new));
            parameters.add(rules.toArray(String[]::new));
            parameters.add(amounts.toArray(Long[]::new));
            parameters.add(holdUntil.toArray(String[]::new));
            return parameters.toArray();
        }

        /** Writes the batch's stored events in one round trip, then empties it. */
        public void write(DSLContext trx) {
            if (events.isEmpty()) {
                return;
            }
            Pipeline writes = new Pipeline();
            queueUpdate(writes, rows -> {});
            run(trx, writes);
            for (List<?> list : List.of(
                    events,
                    eventIds,
                    statuses,
                    models,
                    attributionIds,
                    attributionEvents,
                    clickIds,
                    clickTimes,
                    linkIds,
                    partnerIds,
                    weights,
                    values,
                    commissionIds,
                    commissionEvents,
                    commissionAttributions,
                    commissionPartners,
                    users,
                    ruleIndexes,
                    rules,
                    amounts,
                    holdUntil)) {
                list.clear();
            }
        }
    }

    /** Whether {@code failure} is the unique violation of {@link #EVENT_KEY_CONSTRAINT}. */
    public static boolean eventKeyTaken(RuntimeException failure) {
        return failure.getCause() instanceof PSQLException sql
                && PSQLState.UNIQUE_VIOLATION.getState().equals(sql.getSQLState())
                && sql.getServerErrorMessage() != null
                && EVENT_KEY_CONSTRAINT.equals(sql.getServerErrorMessage().getConstraint());
    }

    /** Runs a pipeline on the transaction's connection. */
    public static void run(DSLContext trx, Pipeline pipeline) {
        trx.connection(connection -> {
            try {
                pipeline.run(connection);
            } catch (SQLException e) {
                throw new org.jooq.exception.DataAccessException(e.getMessage(), e);
            }
        });
    }
}
