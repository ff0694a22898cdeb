package clickledger.api.payout;

import clickledger.common.id.Ulid;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A payout as the api shows it (issue 16): {@code amount} is a decimal string in the currency's
 * own decimals; {@code commissionIds} are the commissions it pays (for a cancelled payout, the
 * ones it released). Admins see it at {@code /v1/payouts}, partners their own at
 * {@code /v1/me/payouts}, webhooks carry it as {@code payout.created} and {@code payout.paid}.
 */
public record PayoutView(
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

    public static PayoutView of(Payout payout, List<UUID> commissionIds) {
        return new PayoutView(
                payout.id().toString(),
                Ulid.encode(payout.batchId()),
                payout.programId().toString(),
                payout.partnerId().toString(),
                payout.amount().currency().getCurrencyCode(),
                payout.amount().decimal(),
                payout.commissionCount(),
                commissionIds.stream().map(Ulid::encode).toList(),
                payout.status().wire(),
                payout.upTo(),
                payout.createdAt(),
                payout.paidAt(),
                payout.reference(),
                payout.method(),
                payout.cancelledAt());
    }
}
