package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/** A payout to a partner: the approved commissions it pays, and when and how it was paid. */
public record Payout(
        String id,
        String programId,
        String partnerId,
        String currency,
        String amount,
        int commissionCount,
        List<String> commissionIds,
        String status,
        Instant createdAt,
        Instant paidAt,
        String reference,
        String method) {
    public Payout {
        commissionIds = commissionIds == null ? List.of() : List.copyOf(commissionIds);
    }
}
