package clickledger.api.payout;

import clickledger.api.money.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a batch with these settings would do, without doing it: every partner and currency with
 * owed commissions, whether it would be paid and why not, and the totals per currency. The admin
 * portal shows it before the admin creates the batch.
 *
 * @param minimumAmount the minimum the batch applies, in {@code minimumCurrency}
 * @param items largest net first
 */
public record PayoutPreview(
        String programId,
        String currency,
        String minimumAmount,
        String minimumCurrency,
        Instant upTo,
        List<Line> items,
        List<Total> totals) {

    /** Why a partner's owed money stays for a later batch. */
    public static final String BELOW_MINIMUM = "below_minimum";

    public static final String NOT_POSITIVE = "not_positive";

    /**
     * One partner in one currency.
     *
     * @param amount the net: what the payout would be
     * @param earned the positive commissions in it
     * @param negatives reversals and adjustments of paid commissions carried into it (zero or less)
     * @param reason null when payable, else {@link #BELOW_MINIMUM} or {@link #NOT_POSITIVE} (carried
     *     forward: the rows stay unpaid for the next batch)
     */
    public record Line(
            String partnerId,
            String partnerName,
            String partnerEmail,
            String currency,
            String amount,
            String earned,
            String negatives,
            int commissionCount,
            int negativeCount,
            boolean payable,
            String reason) {}

    /**
     * @param amount what the payable partners get in all
     * @param carriedAmount the net of the partners left for a later batch
     */
    public record Total(
            String currency,
            String amount,
            int payouts,
            int commissionCount,
            String carriedAmount,
            int carriedPartners) {}

    static PayoutPreview of(BatchSpec spec, List<PayoutRepository.Group> groups) {
        List<Line> lines = new ArrayList<>();
        Map<Currency, long[]> sums = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));
        for (PayoutRepository.Group group : groups) {
            String reason = reason(spec, group);
            Currency currency = group.currency();
            lines.add(new Line(
                    group.partnerId().toString(),
                    group.partnerName(),
                    group.partnerEmail(),
                    currency.getCurrencyCode(),
                    Money.format(group.net(), currency),
                    Money.format(group.earned(), currency),
                    Money.format(group.negatives(), currency),
                    group.rows(),
                    group.negativeRows(),
                    reason == null,
                    reason));
            // paid amount, payouts, commissions, carried amount, carried partners
            long[] sum = sums.computeIfAbsent(currency, c -> new long[5]);
            if (reason == null) {
                sum[0] += group.net();
                sum[1]++;
                sum[2] += group.rows();
            } else {
                sum[3] += group.net();
                sum[4]++;
            }
        }
        List<Total> totals = new ArrayList<>();
        sums.forEach((currency, sum) -> totals.add(new Total(
                currency.getCurrencyCode(),
                Money.format(sum[0], currency),
                (int) sum[1],
                (int) sum[2],
                Money.format(sum[3], currency),
                (int) sum[4])));
        return new PayoutPreview(
                spec.programId().toString(),
                spec.currency() == null ? null : spec.currency().getCurrencyCode(),
                spec.minimum().decimal(),
                spec.minimum().currency().getCurrencyCode(),
                spec.upTo(),
                lines,
                totals);
    }

    /** Null when a batch would pay the group; the same rule as the batch's claim statement. */
    static String reason(BatchSpec spec, PayoutRepository.Group group) {
        if (group.net() <= 0) {
            return NOT_POSITIVE;
        }
        if (group.net() < spec.minimumFor(group.currency())) {
            return BELOW_MINIMUM;
        }
        return null;
    }
}
