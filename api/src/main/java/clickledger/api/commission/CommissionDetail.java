package clickledger.api.commission;

import static clickledger.db.jooq.Tables.ATTRIBUTION;
import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.EVENT;

import clickledger.api.money.Money;
import clickledger.common.id.Ulid;
import clickledger.db.jooq.tables.records.EventRecord;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Row2;
import org.jooq.impl.DSL;

/**
 * {@code GET /v1/commissions/{id}/detail}: the commission with what earned it, for the review
 * queue: the event, every touch of the event's attribution with its weight, click id and bot or
 * fraud marks, and notes that say in words what a reviewer should look at. Three lookups by key:
 * the event by its primary key, its touches by attribution_event_idx, their clicks by the click
 * primary key (id, ts), which prunes each to its month's partition.
 */
public record CommissionDetail(
        @JsonUnwrapped CommissionView commission, Event event, String model, List<Touch> touches, List<String> notes) {

    /** The event as the merchant sent it; {@code eventId} is the client's id, {@code id} ours. */
    public record Event(
            String id,
            String eventId,
            String type,
            String value,
            String currency,
            Instant ts,
            String refundOf,
            String attributionStatus) {}

    /**
     * One touch of the event's attribution.
     *
     * @param credited whether this commission pays for this touch
     * @param value the share of the event's value credited to the touch
     */
    public record Touch(
            String clickId,
            String linkId,
            String partnerId,
            Instant ts,
            String weight,
            String value,
            boolean credited,
            boolean isBot,
            String botReason,
            String fraudFlag) {}

    static CommissionDetail load(DSLContext dsl, CommissionRow row, CommissionView view) {
        EventRecord event =
                dsl.selectFrom(EVENT).where(EVENT.ID.eq(row.eventId())).fetchSingle();
        List<Record> attributions = dsl
                .select(
                        ATTRIBUTION.ID,
                        ATTRIBUTION.CLICK_ID,
                        ATTRIBUTION.CLICK_TS,
                        ATTRIBUTION.LINK_ID,
                        ATTRIBUTION.PARTNER_ID,
                        ATTRIBUTION.MODEL,
                        ATTRIBUTION.WEIGHT,
                        ATTRIBUTION.VALUE_MINOR)
                .from(ATTRIBUTION)
                .where(ATTRIBUTION.EVENT_ID.eq(row.eventId()))
                .orderBy(ATTRIBUTION.CLICK_TS, ATTRIBUTION.ID)
                .fetch()
                .stream()
                .map(record -> (Record) record)
                .toList();
        Map<UUID, Record> clicks = clicks(dsl, attributions);
        String currency = event.getCurrency() == null
                ? row.currency().trim()
                : event.getCurrency().trim();
        List<Touch> touches = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Record attribution : attributions) {
            UUID clickId = attribution.get(ATTRIBUTION.CLICK_ID);
            Record click = clicks.get(clickId);
            boolean bot = click != null && Boolean.TRUE.equals(click.get(CLICK.IS_BOT));
            String botReason = click == null ? null : click.get(CLICK.BOT_REASON);
            String fraudFlag = click == null ? null : click.get(CLICK.FRAUD_FLAG);
            touches.add(new Touch(
                    Ulid.encode(clickId),
                    Ulid.encode(attribution.get(ATTRIBUTION.LINK_ID)),
                    Ulid.encode(attribution.get(ATTRIBUTION.PARTNER_ID)),
                    attribution.get(ATTRIBUTION.CLICK_TS).toInstant(),
                    attribution.get(ATTRIBUTION.WEIGHT).stripTrailingZeros().toPlainString(),
                    Money.format(attribution.get(ATTRIBUTION.VALUE_MINOR), Currency.getInstance(currency)),
                    attribution.get(ATTRIBUTION.ID).equals(row.attributionId()),
                    bot,
                    botReason,
                    fraudFlag));
            String click26 = Ulid.encode(clickId);
            if (click == null) {
                notes.add("click " + click26 + " is no longer stored (its month was detached by retention)");
            }
            if (bot) {
                notes.add("click " + click26 + " was marked as a bot" + (botReason == null ? "" : ": " + botReason));
            }
            if (fraudFlag != null) {
                notes.add("click " + click26 + " is flagged: " + fraudFlag);
            }
        }
        notes.addAll(commissionNotes(dsl, row, event));
        String model = attributions.isEmpty()
                ? event.getModel()
                : attributions.getFirst().get(ATTRIBUTION.MODEL);
        return new CommissionDetail(
                view,
                new Event(
                        Ulid.encode(event.getId()),
                        event.getEventKey(),
                        event.getType(),
                        event.getValueMinor() == null
                                ? null
                                : Money.format(event.getValueMinor(), Currency.getInstance(currency)),
                        event.getCurrency() == null ? null : event.getCurrency().trim(),
                        event.getTs().toInstant(),
                        event.getRefundOf() == null ? null : Ulid.encode(event.getRefundOf()),
                        event.getAttributionStatus()),
                model,
                touches,
                notes);
    }

    private static Map<UUID, Record> clicks(DSLContext dsl, List<Record> attributions) {
        Map<UUID, Record> clicks = new HashMap<>();
        if (attributions.isEmpty()) {
            return clicks;
        }
        List<Row2<UUID, java.time.OffsetDateTime>> keys = attributions.stream()
                .map(a -> DSL.row(a.get(ATTRIBUTION.CLICK_ID), a.get(ATTRIBUTION.CLICK_TS)))
                .toList();
        dsl.select(CLICK.ID, CLICK.IS_BOT, CLICK.BOT_REASON, CLICK.FRAUD_FLAG)
                .from(CLICK)
                .where(DSL.row(CLICK.ID, CLICK.TS).in(keys))
                .forEach(click -> clicks.put(click.get(CLICK.ID), click));
        return clicks;
    }

    private static List<String> commissionNotes(DSLContext dsl, CommissionRow row, EventRecord event) {
        List<String> notes = new ArrayList<>();
        String fraud = dsl.select(clickledger.db.jooq.Tables.COMMISSION.FRAUD_FLAG)
                .from(clickledger.db.jooq.Tables.COMMISSION)
                .where(clickledger.db.jooq.Tables.COMMISSION.ID.eq(row.id()))
                .fetchOne(clickledger.db.jooq.Tables.COMMISSION.FRAUD_FLAG);
        if (fraud != null) {
            notes.add("the commission is flagged: " + fraud + "; it is not approved automatically");
        }
        if (row.reversesId() != null) {
            notes.add("this " + row.kind() + " offsets commission " + Ulid.encode(row.reversesId()));
        }
        if (event.getRefundOf() != null) {
            notes.add("the event refunds event " + Ulid.encode(event.getRefundOf()));
        }
        if (row.attributionId() == null && row.reversesId() == null) {
            notes.add("the commission pays for no single touch (a fixed commission on the event)");
        }
        return notes;
    }
}
