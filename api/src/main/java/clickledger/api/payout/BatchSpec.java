package clickledger.api.payout;

import static java.util.Objects.requireNonNull;

import clickledger.api.money.Money;
import clickledger.api.program.ProgramId;
import java.time.Instant;
import java.util.Currency;

/**
 * What a batch (or its preview) covers: one program's approved, unclaimed commissions created at
 * or before {@code upTo}, in {@code currency} (every currency when null). A partner is paid per
 * currency when the net of those commissions is positive and, in the minimum's currency, at least
 * the minimum.
 *
 * @param minimum the request's {@code minimumAmount}, else the program's {@code payoutMinimum}; in
 *     the requested currency, else the program's. Groups in any other currency (possible only
 *     through imports: a program's currency is locked once it has events) need only be positive.
 */
public record BatchSpec(ProgramId programId, Currency currency, Money minimum, Instant upTo) {
    public BatchSpec {
        requireNonNull(programId, "programId is null");
        requireNonNull(minimum, "minimum is null");
        requireNonNull(upTo, "upTo is null");
    }

    /** The minimum a group in this currency must reach, besides being positive. */
    long minimumFor(Currency groupCurrency) {
        return groupCurrency.equals(minimum.currency()) ? minimum.minor() : 0;
    }
}
