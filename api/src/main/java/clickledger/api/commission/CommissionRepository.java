package clickledger.api.commission;

import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.JSONB;

/** Commission rows: created by attribution and refunds, moved through their statuses by admins and jobs. */
public final class CommissionRepository {
    private CommissionRepository() {}

    public static void insert(DSLContext trx, CommissionRow row, JsonNode rule) {
        trx.insertInto(COMMISSION)
                .set(COMMISSION.ID, row.id())
                .set(COMMISSION.EVENT_ID, row.eventId())
                .set(COMMISSION.ATTRIBUTION_ID, row.attributionId())
                .set(COMMISSION.PARTNER_ID, row.partnerId())
                .set(COMMISSION.PROGRAM_ID, row.programId())
                .set(COMMISSION.USER_ID, row.userId())
                .set(COMMISSION.KIND, row.kind())
                .set(COMMISSION.RULE_INDEX, row.ruleIndex())
                .set(COMMISSION.RULE, rule == null ? null : JSONB.valueOf(rule.toString()))
                .set(COMMISSION.AMOUNT_MINOR, row.amountMinor())
                .set(COMMISSION.CURRENCY, row.currency())
                .set(COMMISSION.STATUS, row.status())
                .set(COMMISSION.HOLD_UNTIL, row.holdUntil().atOffset(ZoneOffset.UTC))
                .set(COMMISSION.REVERSES_ID, row.reversesId())
                .set(COMMISSION.CREATED_AT, row.createdAt().atOffset(ZoneOffset.UTC))
                .set(COMMISSION.UPDATED_AT, row.createdAt().atOffset(ZoneOffset.UTC))
                .execute();
    }

    public static UUID newId(Instant now) {
        return Ulid.newUuidV7(now.toEpochMilli());
    }

    /** Rule-made commissions of an event (not reversals or adjustments), oldest first. */
    public static List<CommissionRow> ofEvent(DSLContext dsl, UUID eventId) {
        return dsl.selectFrom(COMMISSION)
                .where(COMMISSION.EVENT_ID.eq(eventId).and(COMMISSION.KIND.eq("commission")))
                .orderBy(COMMISSION.ID)
                .fetch(CommissionRepository::toRow);
    }

    /** Every row that offsets {@code commissionId} (reversals and adjustments). */
    public static List<CommissionRow> offsetsOf(DSLContext dsl, UUID commissionId) {
        return dsl.selectFrom(COMMISSION)
                .where(COMMISSION.REVERSES_ID.eq(commissionId))
                .orderBy(COMMISSION.ID)
                .fetch(CommissionRepository::toRow);
    }

    public static Optional<CommissionRow> find(DSLContext dsl, UUID id) {
        return dsl.selectFrom(COMMISSION)
                .where(COMMISSION.ID.eq(id))
                .fetchOptional()
                .map(CommissionRepository::toRow);
    }

    /** Moves rows whose status is one of {@code from} to {@code to}; returns the ids it moved. */
    public static List<UUID> transition(
            DSLContext trx, Collection<UUID> ids, Collection<String> from, String to, Instant now) {
        return trx.update(COMMISSION)
                .set(COMMISSION.STATUS, to)
                .set(COMMISSION.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .where(COMMISSION.ID.in(ids).and(COMMISSION.STATUS.in(from)))
                .returning(COMMISSION.ID)
                .fetch(COMMISSION.ID);
    }

    /** The programs of these commissions, in id order (the order locks on them are taken in). */
    public static List<UUID> programsOf(DSLContext dsl, Collection<UUID> ids) {
        return dsl.selectDistinct(COMMISSION.PROGRAM_ID)
                .from(COMMISSION)
                .where(COMMISSION.ID.in(ids))
                .orderBy(COMMISSION.PROGRAM_ID)
                .fetch(COMMISSION.PROGRAM_ID);
    }

    public static void delete(DSLContext trx, Collection<UUID> ids) {
        trx.deleteFrom(COMMISSION).where(COMMISSION.ID.in(ids)).execute();
    }

    /**
     * Holds an event's rule-made commissions for review under {@code flag}: pending ones and
     * approved ones not yet in a payout go (back) to pending with the flag, which auto-approval
     * passes by. Paid ones and ones already flagged for something else are left as they are.
     * Returns the rows it held.
     */
    public static List<CommissionRow> hold(DSLContext trx, UUID eventId, String flag, Instant now) {
        // commission_event_idx
        return trx.update(COMMISSION)
                .set(COMMISSION.FRAUD_FLAG, flag)
                .set(COMMISSION.STATUS, "pending")
                .set(COMMISSION.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .where(COMMISSION.EVENT_ID.eq(eventId))
                .and(COMMISSION.KIND.eq("commission"))
                .and(COMMISSION.STATUS.in("pending", "approved"))
                .and(COMMISSION.PAYOUT_ID.isNull())
                .and(COMMISSION.FRAUD_FLAG.isNull())
                .returning()
                .fetch(CommissionRepository::toRow);
    }

    /** Lifts the hold {@link #hold} put on an event's commissions; auto-approval takes them from here. */
    public static List<CommissionRow> release(DSLContext trx, UUID eventId, String flag, Instant now) {
        // commission_event_idx
        return trx.update(COMMISSION)
                .setNull(COMMISSION.FRAUD_FLAG)
                .set(COMMISSION.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .where(COMMISSION.EVENT_ID.eq(eventId).and(COMMISSION.FRAUD_FLAG.eq(flag)))
                .returning()
                .fetch(CommissionRepository::toRow);
    }

    /** Pending rows whose hold has passed and that nobody flagged: the auto-approval job's work. */
    public static List<UUID> approveDue(DSLContext trx, Instant now, int limit) {
        var due = trx.select(COMMISSION.ID)
                .from(COMMISSION)
                .where(COMMISSION
                        .STATUS
                        .eq("pending")
                        .and(COMMISSION.HOLD_UNTIL.le(now.atOffset(ZoneOffset.UTC)))
                        .and(COMMISSION.FRAUD_FLAG.isNull()))
                .orderBy(COMMISSION.HOLD_UNTIL)
                .limit(limit)
                .forUpdate()
                .skipLocked()
                .fetch(COMMISSION.ID);
        if (due.isEmpty()) {
            return List.of();
        }
        return transition(trx, due, List.of("pending"), "approved", now);
    }

    public record Filter(UUID programId, UUID partnerId, UUID eventId, String status, String kind) {}

    /**
     * What the review queue filters on beyond the commission itself: its event's time and type.
     *
     * @param from events at or after this; null for no lower bound
     * @param to events before this; null for no upper bound
     * @param eventType the client's event type; null for every type
     */
    public record EventFilter(Instant from, Instant to, String eventType) {}

    /** A commission of a list with the event it came from, so a queue needs no call per row. */
    public record Listed(
            CommissionRow row,
            String eventKey,
            String eventType,
            Instant eventTs,
            Long eventValueMinor,
            String eventCurrency) {}

    /**
     * Newest first, each joined to its event by the event's primary key; the event filters apply
     * to the joined row, so a page stops at its limit like the unfiltered list.
     */
    public static Page<Listed> listWithEvents(DSLContext dsl, Filter filter, EventFilter events, PageRequest page) {
        Condition condition = conditionOf(filter, page);
        if (events.from() != null) {
            condition = condition.and(EVENT.TS.ge(events.from().atOffset(ZoneOffset.UTC)));
        }
        if (events.to() != null) {
            condition = condition.and(EVENT.TS.lt(events.to().atOffset(ZoneOffset.UTC)));
        }
        if (events.eventType() != null) {
            condition = condition.and(EVENT.TYPE.eq(events.eventType()));
        }
        List<Listed> rows = dsl.select(COMMISSION.fields())
                .select(EVENT.EVENT_KEY, EVENT.TYPE, EVENT.TS, EVENT.VALUE_MINOR, EVENT.CURRENCY)
                .from(COMMISSION)
                .join(EVENT)
                .on(EVENT.ID.eq(COMMISSION.EVENT_ID))
                .where(condition)
                .orderBy(COMMISSION.ID.desc())
                .limit(page.fetchSize())
                .fetch(record -> new Listed(
                        toRow(record.into(COMMISSION)),
                        record.get(EVENT.EVENT_KEY),
                        record.get(EVENT.TYPE),
                        record.get(EVENT.TS).toInstant(),
                        record.get(EVENT.VALUE_MINOR),
                        record.get(EVENT.CURRENCY)));
        return Page.of(rows, page, listed -> Ulid.encode(listed.row().id()));
    }

    private static Condition conditionOf(Filter filter, PageRequest page) {
        Condition condition = page.after(COMMISSION.ID);
        if (filter.programId() != null) {
            condition = condition.and(COMMISSION.PROGRAM_ID.eq(filter.programId()));
        }
        if (filter.partnerId() != null) {
            condition = condition.and(COMMISSION.PARTNER_ID.eq(filter.partnerId()));
        }
        if (filter.eventId() != null) {
            condition = condition.and(COMMISSION.EVENT_ID.eq(filter.eventId()));
        }
        if (filter.status() != null) {
            condition = condition.and(COMMISSION.STATUS.eq(filter.status()));
        }
        if (filter.kind() != null) {
            condition = condition.and(COMMISSION.KIND.eq(filter.kind()));
        }
        return condition;
    }

    public static CommissionRow toRow(clickledger.db.jooq.tables.records.CommissionRecord r) {
        return new CommissionRow(
                r.getId(),
                r.getEventId(),
                r.getAttributionId(),
                r.getPartnerId(),
                r.getProgramId(),
                r.getUserId(),
                r.getKind(),
                r.getRuleIndex(),
                r.getAmountMinor(),
                r.getCurrency(),
                r.getStatus(),
                r.getHoldUntil().toInstant(),
                r.getReversesId(),
                r.getPayoutId(),
                r.getCreatedAt().toInstant());
    }
}
