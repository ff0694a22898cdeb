package clickledger.api.payout;

import static java.util.Objects.requireNonNull;

import clickledger.api.money.Money;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import java.time.Instant;
import java.util.UUID;

/**
 * A payout as stored: what one partner is paid in one currency for the commissions a batch
 * claimed for it. {@code amount} is exactly the sum of those commissions (the database checks it).
 *
 * @param batchId shared by every payout of one {@code POST /v1/payouts}
 * @param upTo the batch's cut-off: it claimed commissions created at or before it
 * @param paidAt when the money left, as the admin said; null unless paid
 * @param reference the payment's reference (a PayPal batch id, a bank transfer's); null unless paid
 * @param method how it was paid, as the admin said ({@code paypal}, {@code wise}); null when not said
 * @param cancelledAt null unless cancelled
 */
public record Payout(
        PayoutId id,
        UUID batchId,
        ProgramId programId,
        PartnerId partnerId,
        Money amount,
        int commissionCount,
        PayoutStatus status,
        Instant upTo,
        Instant createdAt,
        Instant updatedAt,
        Instant paidAt,
        String reference,
        String method,
        Instant cancelledAt) {
    public Payout {
        requireNonNull(id, "id is null");
        requireNonNull(batchId, "batchId is null");
        requireNonNull(programId, "programId is null");
        requireNonNull(partnerId, "partnerId is null");
        requireNonNull(amount, "amount is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }
}
