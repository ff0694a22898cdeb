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

/**
 * Runs {@link Derivation} for one event against the database and writes what it derives:
 * attribution rows, pending commissions held until event time + holdback, and the event's status.
 * Callers hold the per-user lock ({@link UserLock}) so a user's events are attributed one at a time.
 *
 * <p>Reads and writes go in one statement each ({@link UserFacts}, {@link #addWrites}): the event
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
        Pipeline writes = new Pipeline();
        addWrites(writes, program, event, written, now, false, rows -> {});
        run(trx, writes);
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

    // The event as it is inserted: already with its attribution status and model, so no second write.
    private static final String INSERT_EVENT =
            """
            with e as (
                insert into event (id, program_id, event_key, request_hash, user_id, type, value_minor, currency,
                                   refund_of, metadata, ts, attribution_status, model, created_at)
                values (?::uuid, ?::uuid, ?, ?, ?, ?, ?::bigint, ?, ?::uuid, ?::jsonb, ?::timestamptz, ?, ?,
                        ?::timestamptz)
                on conflict do nothing
                returning id, metadata::text as metadata)""";

    private static final String UPDATE_EVENT =
            """
            with e as (
                update event set attribution_status = ?, model = ? where id = ?::uuid
                returning id, metadata::text as metadata)""";

    // The derived rows of the event, only if the event row above was written (an eventId taken by a
    // concurrent request under another user's lock writes nothing). One statement for all of them:
    // its statement-level stats triggers note the event's day once per table, and the foreign keys
    // are checked at its end, when every row exists.
    private static final String INSERT_DERIVED =
            """
            ,
            a as (
                insert into attribution (id, event_id, click_id, click_ts, link_id, partner_id, program_id, model,
                                         weight, value_minor, currency, created_at)
                select t.id, e.id, t.click_id, t.click_ts, t.link_id, t.partner_id, ?::uuid, ?, t.weight,
                       t.value_minor, ?, ?::timestamptz
                  from e, unnest(?::uuid[], ?::uuid[], ?::timestamptz[], ?::uuid[], ?::uuid[], ?::numeric[],
                                 ?::bigint[]) as t (id, click_id, click_ts, link_id, partner_id, weight, value_minor)),
            c as (
                insert into commission (id, event_id, attribution_id, partner_id, program_id, user_id, kind,
                                        rule_index, rule, amount_minor, currency, status, hold_until, created_at,
                                        updated_at)
                select t.id, e.id, t.attribution_id, t.partner_id, ?::uuid, ?, 'commission', t.rule_index,
                       t.rule::jsonb, t.amount_minor, ?, 'pending', ?::timestamptz, ?::timestamptz, ?::timestamptz
                  from e, unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::int[], ?::text[], ?::bigint[])
                       as t (id, attribution_id, partner_id, rule_index, rule, amount_minor))
            select id, metadata from e""";

    /**
     * Queues the writes of a planned derivation as one statement: the event itself (inserted, or
     * for a stored event its status updated), its attribution rows and its commissions. {@code
     * event} reads the statement's one row ({@code id, metadata} as stored), or none when an insert
     * found the eventId taken.
     */
    public static void addWrites(
            Pipeline writes,
            ProgramSettings program,
            EventRow event,
            Written written,
            Instant now,
            boolean insertEvent,
            Pipeline.Rows eventRow) {
        Derivation.Result result = written.result();
        String currency = program.currency().getCurrencyCode();
        List<Object> parameters = new ArrayList<>();
        String head;
        if (insertEvent) {
            head = INSERT_EVENT;
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
            parameters.add(result.status().wire());
            parameters.add(result.model().wire());
            parameters.add(now);
        } else {
            head = UPDATE_EVENT;
            parameters.add(result.status().wire());
            parameters.add(result.model().wire());
            parameters.add(event.id());
        }
        int credits = result.credits().size();
        UUID[] clickIds = new UUID[credits];
        String[] clickTimes = new String[credits];
        UUID[] linkIds = new UUID[credits];
        UUID[] partnerIds = new UUID[credits];
        BigDecimal[] weights = new BigDecimal[credits];
        Long[] values = new Long[credits];
        for (int i = 0; i < credits; i++) {
            Derivation.Credit credit = result.credits().get(i);
            clickIds[i] = credit.touch().clickId();
            clickTimes[i] = credit.touch().clickTs().toString();
            linkIds[i] = credit.touch().linkId();
            partnerIds[i] = credit.touch().partnerId();
            weights[i] = credit.weight();
            values[i] = credit.valueMinor();
        }
        parameters.add(program.programId());
        parameters.add(result.model().wire());
        parameters.add(currency);
        parameters.add(now);
        parameters.add(written.attributionIds().toArray(UUID[]::new));
        parameters.add(clickIds);
        parameters.add(clickTimes);
        parameters.add(linkIds);
        parameters.add(partnerIds);
        parameters.add(weights);
        parameters.add(values);

        List<CommissionRow> commissions = written.commissions();
        int lines = commissions.size();
        UUID[] ids = new UUID[lines];
        UUID[] attributionIds = new UUID[lines];
        UUID[] commissionPartners = new UUID[lines];
        Integer[] ruleIndexes = new Integer[lines];
        String[] rules = new String[lines];
        Long[] amounts = new Long[lines];
        for (int i = 0; i < lines; i++) {
            CommissionRow row = commissions.get(i);
            Derivation.CommissionLine line = result.commissions().get(i);
            ids[i] = row.id();
            attributionIds[i] = row.attributionId();
            commissionPartners[i] = row.partnerId();
            ruleIndexes[i] = row.ruleIndex();
            rules[i] = line.rule().toJson(program.currency()).toString();
            amounts[i] = row.amountMinor();
        }
        Instant holdUntil = event.ts().plus(Duration.ofDays(program.holdbackDays()));
        parameters.add(program.programId());
        parameters.add(event.userId());
        parameters.add(currency);
        parameters.add(holdUntil);
        parameters.add(now);
        parameters.add(now);
        parameters.add(ids);
        parameters.add(attributionIds);
        parameters.add(commissionPartners);
        parameters.add(ruleIndexes);
        parameters.add(rules);
        parameters.add(amounts);
        writes.query(head + INSERT_DERIVED, eventRow, parameters.toArray());
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
