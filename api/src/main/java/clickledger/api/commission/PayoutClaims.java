package clickledger.api.commission;

import static clickledger.db.jooq.Tables.PAYOUT_COMMISSION;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Which commissions a payout claims, and the program's payout lock, for code that changes
 * commissions: a claimed commission is frozen (the database's commission_claim_guard refuses to
 * change or delete it) until its payout is paid or cancelled. A batch claims under the lock held
 * exclusively (PayoutRepository); a writer that holds it shared, then reads the claims, knows no
 * batch claims one of its commissions before it commits.
 */
public final class PayoutClaims {
    // hashtextextended's seed names the lock's kind: 0 user locks, 1 re-derivation, 2 payouts.
    static final int LOCK_SEED = 2;

    private PayoutClaims() {}

    /** Taken by a batch: one batch per program at a time, across every api process. */
    public static void lockExclusive(DSLContext trx, UUID programId) {
        trx.fetch(
                "select 1 from pg_advisory_xact_lock(hashtextextended({0}, " + LOCK_SEED + "))", programId.toString());
    }

    /** Waits for a running batch of the program and holds off the next until this transaction ends. */
    public static void lockShared(DSLContext trx, UUID programId) {
        trx.fetch(
                "select 1 from pg_advisory_xact_lock_shared(hashtextextended({0}, " + LOCK_SEED + "))",
                programId.toString());
    }

    /** Which of these commissions a pending or paid payout claims. */
    public static Set<UUID> claimed(DSLContext dsl, Collection<UUID> commissionIds) {
        if (commissionIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(dsl.select(PAYOUT_COMMISSION.COMMISSION_ID)
                .from(PAYOUT_COMMISSION)
                .where(PAYOUT_COMMISSION.COMMISSION_ID.in(commissionIds))
                .fetch(PAYOUT_COMMISSION.COMMISSION_ID));
    }
}
