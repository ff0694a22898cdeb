package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/**
 * What a batch would do ({@code POST /v1/payouts/preview}): each partner and currency with owed
 * commissions, whether it would be paid or why it is carried to a later batch, and totals.
 */
public record PayoutPreview(
        String programId,
        String currency,
        String minimumAmount,
        String minimumCurrency,
        Instant upTo,
        List<Line> items,
        List<Total> totals) {
    public PayoutPreview {
        items = items == null ? List.of() : List.copyOf(items);
        totals = totals == null ? List.of() : List.copyOf(totals);
    }

    /** @param reason null when payable, else {@code below_minimum} or {@code not_positive} */
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
            String reason) {

        /** Why the money stays for a later batch, in words. */
        public String carriedBecause() {
            if (reason == null) {
                return null;
            }
            return switch (reason) {
                case "below_minimum" -> "Below the minimum";
                case "not_positive" -> "Nets to zero or less";
                default -> reason;
            };
        }
    }

    public record Total(
            String currency,
            String amount,
            int payouts,
            int commissionCount,
            String carriedAmount,
            int carriedPartners) {}

    public boolean anyPayable() {
        return items.stream().anyMatch(Line::payable);
    }
}
