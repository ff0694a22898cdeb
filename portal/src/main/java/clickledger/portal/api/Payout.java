package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/**
 * A payout as the api shows it: what one partner is paid in one currency for the commissions a
 * batch claimed. {@code amount} is a decimal string in the currency's own decimals.
 */
public record Payout(
        String id,
        String batchId,
        String programId,
        String partnerId,
        String currency,
        String amount,
        int commissionCount,
        List<String> commissionIds,
        String status,
        Instant upTo,
        Instant createdAt,
        Instant paidAt,
        String reference,
        String method,
        Instant cancelledAt) {
    public Payout {
        commissionIds = commissionIds == null ? List.of() : List.copyOf(commissionIds);
    }

    /** Only a pending payout can still be paid or cancelled. */
    public boolean pending() {
        return "pending".equals(status);
    }
}
