package clickledger.api.event;

import static clickledger.db.jooq.Tables.COMMISSION;

import clickledger.api.attribution.AttributionRepository;
import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.CommissionView;
import clickledger.api.money.Money;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.jooq.DSLContext;

/**
 * An event with its attribution and commissions as the API returns them. Always read back from the
 * database, so the first answer and every idempotent replay are built the same way.
 */
public record EventView(
        String id,
        String eventId,
        String programId,
        String userId,
        String type,
        String value,
        String currency,
        Instant ts,
        String refundOf,
        JsonNode metadata,
        Attribution attribution,
        List<CommissionView> commissions) {

    public record Touch(
            String clickId,
            String linkId,
            String partnerId,
            String weight,
            String value,
            String attributionId,
            List<String> commissionIds) {}

    public record Attribution(String status, String model, List<Touch> touches) {}

    public static EventView load(DSLContext dsl, EventRow event) {
        String refundOf = null;
        if (event.refundOf() != null) {
            refundOf = EventRepository.find(dsl, event.programId(), event.refundOf())
                    .map(EventRow::eventKey)
                    .orElse(Ulid.encode(event.refundOf()));
        }
        List<CommissionRow> commissions = dsl.selectFrom(COMMISSION)
                .where(COMMISSION.EVENT_ID.eq(event.id()))
                .orderBy(COMMISSION.ID)
                .fetch(CommissionRepository::toRow);
        return of(event, refundOf, AttributionRepository.forEvent(dsl, event.id()), commissions);
    }

    /**
     * The view of an event from its rows: what {@link #load} reads back, or what the event path has
     * just written (the same rows, so the first answer and every replay are built alike).
     *
     * @param refundOf the refunded event's eventId, or null
     * @param credited its attribution rows ordered by click time, then click id
     */
    public static EventView of(
            EventRow event,
            String refundOf,
            List<AttributionRepository.Stored> credited,
            List<CommissionRow> commissions) {
        Currency currency = Currency.getInstance(event.currency().trim());
        List<java.util.UUID> touchOrder =
                credited.stream().map(AttributionRepository.Stored::id).toList();
        // Commissions in touch order, then rule order; offsets (reversals, adjustments) last.
        commissions = commissions.stream()
                .sorted(java.util.Comparator.comparing((CommissionRow c) -> !"commission".equals(c.kind()))
                        .thenComparing(c ->
                                c.attributionId() == null ? Integer.MAX_VALUE : touchOrder.indexOf(c.attributionId()))
                        .thenComparing(c -> c.ruleIndex() == null ? Integer.MAX_VALUE : c.ruleIndex())
                        .thenComparing(CommissionRow::id))
                .toList();
        List<CommissionRow> ordered = commissions;
        List<Touch> touches = credited.stream()
                .map(stored -> new Touch(
                        Ulid.encode(stored.clickId()),
                        Ulid.encode(stored.linkId()),
                        Ulid.encode(stored.partnerId()),
                        stored.weight().stripTrailingZeros().toPlainString(),
                        Money.format(stored.valueMinor(), currency),
                        Ulid.encode(stored.id()),
                        ordered.stream()
                                .filter(c -> stored.id().equals(c.attributionId()) && "commission".equals(c.kind()))
                                .map(c -> Ulid.encode(c.id()))
                                .toList()))
                .toList();
        return new EventView(
                Ulid.encode(event.id()),
                event.eventKey(),
                Ulid.encode(event.programId()),
                event.userId(),
                event.type(),
                event.valueMinor() == null ? null : Money.format(event.valueMinor(), currency),
                currency.getCurrencyCode(),
                event.ts(),
                refundOf,
                event.metadata(),
                new Attribution(event.attributionStatus(), event.model(), touches),
                commissions.stream()
                        .map(c -> CommissionView.of(c, event.eventKey()))
                        .toList());
    }
}
