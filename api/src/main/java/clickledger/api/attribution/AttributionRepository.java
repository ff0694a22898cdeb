package clickledger.api.attribution;

import static clickledger.db.jooq.Tables.ATTRIBUTION;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/** Attribution rows as stored (UserFacts reads the inputs, AttributionEngine writes the rows). */
public final class AttributionRepository {
    private AttributionRepository() {}

    /** A stored credit, as the API shows it. */
    public record Stored(
            UUID id, UUID clickId, UUID linkId, UUID partnerId, String model, BigDecimal weight, long valueMinor) {}

    public static List<Stored> forEvent(DSLContext dsl, UUID eventId) {
        return dsl.selectFrom(ATTRIBUTION)
                .where(ATTRIBUTION.EVENT_ID.eq(eventId))
                .orderBy(ATTRIBUTION.CLICK_TS, ATTRIBUTION.CLICK_ID)
                .fetch(r -> new Stored(
                        r.getId(),
                        r.getClickId(),
                        r.getLinkId(),
                        r.getPartnerId(),
                        r.getModel(),
                        r.getWeight(),
                        r.getValueMinor()));
    }
}
