package clickledger.api.payout;

import org.jooq.DSLContext;

/**
 * Told about a payout that was just marked paid, inside the transaction that marks it: the
 * partner's "payout paid" mail goes into the mail outbox here, so it is sent exactly when the
 * payment is recorded.
 */
@FunctionalInterface
public interface PayoutPaidListener {
    /** @param payout as it now is: paid, with its reference, method and paidAt */
    void paid(DSLContext trx, Payout payout);

    PayoutPaidListener NONE = (trx, payout) -> {};
}
