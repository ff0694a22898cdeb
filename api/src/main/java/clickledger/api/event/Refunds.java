package clickledger.api.event;

import clickledger.api.attribution.ProgramSettings;
import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.PayoutClaims;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * A refund reverses the matching share of each commission of the original event. The share is
 * computed on the cumulative refunded value, so partial refunds never drift: after refunds that
 * add up to the whole value, exactly each commission's amount has been reversed, never more.
 * Unpaid commissions are offset by reversal rows (and marked reversed when fully refunded); paid
 * ones, and ones a pending payout claims (their money is on its way), get an approved negative row
 * that the partner's next payout carries.
 */
public final class Refunds {
    private Refunds() {}

    public static List<CommissionRow> apply(
            DSLContext trx,
            ProgramSettings program,
            EventRow original,
            EventRow refund,
            long refundedBefore,
            Instant now) {
        long originalValue = original.value();
        long refundedAfter = refundedBefore + refund.value();
        boolean full = originalValue == 0 || refundedAfter >= originalValue;
        List<CommissionRow> written = new ArrayList<>();
        // A batch claims under the program's payout lock; holding it shared, no batch can claim one
        // of these commissions between reading the claims here and reversing below.
        PayoutClaims.lockShared(trx, program.programId());
        for (CommissionRow commission : CommissionRepository.ofEvent(trx, original.id())) {
            if (!commission.live()) {
                continue;
            }
            List<CommissionRow> offsets = CommissionRepository.offsetsOf(trx, commission.id());
            long reversedSoFar = 0;
            for (CommissionRow offset : offsets) {
                if ("reversal".equals(offset.kind())) {
                    reversedSoFar -= offset.amountMinor();
                }
            }
            long target = full
                    ? commission.amountMinor()
                    : BigDecimal.valueOf(commission.amountMinor())
                            .multiply(BigDecimal.valueOf(refundedAfter))
                            .divide(BigDecimal.valueOf(originalValue), 0, RoundingMode.HALF_EVEN)
                            .longValueExact();
            long delta = target - reversedSoFar;
            if (delta == 0) {
                continue;
            }
            // Settled like a paid one when a payout claims it or any of its offsets: those rows are
            // frozen, so the refund's share is carried as a negative row instead.
            List<UUID> family = new ArrayList<>();
            family.add(commission.id());
            offsets.forEach(offset -> family.add(offset.id()));
            boolean paid =
                    commission.paid() || !PayoutClaims.claimed(trx, family).isEmpty();
            CommissionRow reversal = new CommissionRow(
                    CommissionRepository.newId(now),
                    refund.id(),
                    commission.attributionId(),
                    commission.partnerId(),
                    commission.programId(),
                    commission.userId(),
                    "reversal",
                    commission.ruleIndex(),
                    -delta,
                    commission.currency(),
                    paid ? "approved" : commission.status(),
                    paid ? now : commission.holdUntil(),
                    commission.id(),
                    null,
                    now);
            CommissionRepository.insert(trx, reversal, null);
            written.add(reversal);
            if (full && !paid) {
                // Nothing of it is owed any more: the commission and its offsets leave every total.
                List<UUID> ids = new ArrayList<>();
                ids.add(commission.id());
                ids.add(reversal.id());
                offsets.forEach(offset -> ids.add(offset.id()));
                CommissionRepository.transition(trx, ids, List.of("pending", "approved"), "reversed", now);
            }
        }
        return written;
    }
}
