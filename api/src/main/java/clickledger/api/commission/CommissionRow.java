package clickledger.api.commission;

import java.time.Instant;
import java.util.UUID;

/** A commission as stored; {@code amountMinor} is negative for reversals and downward adjustments. */
public record CommissionRow(
        UUID id,
        UUID eventId,
        UUID attributionId,
        UUID partnerId,
        UUID programId,
        String userId,
        String kind,
        Integer ruleIndex,
        long amountMinor,
        String currency,
        String status,
        Instant holdUntil,
        UUID reversesId,
        UUID payoutId,
        Instant createdAt) {

    public boolean paid() {
        return "paid".equals(status);
    }

    /** Counts toward what the partner earns: not rejected and not reversed. */
    public boolean live() {
        return !"rejected".equals(status) && !"reversed".equals(status);
    }
}
