package clickledger.api.stripe;

import clickledger.api.money.Money;
import java.util.Currency;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Stripe amounts are integers in the currency's smallest unit, as clickledger keeps money: 4900 is
 * USD 49.00, 500 is JPY 500. They are used as they are, with one exception Stripe documents
 * ("Special cases"): ISK and UGX are zero-decimal in ISO 4217 (and so here) but Stripe still
 * writes them with two decimals that are always 00, so its 50000 is ISK 500.
 */
final class StripeAmounts {
    private static final Set<String> TWO_DECIMALS_FOR_ZERO_DECIMAL = Set.of("ISK", "UGX");

    private StripeAmounts() {}

    /** The ISO 4217 currency of a Stripe currency field ("usd"); empty when it is not one. */
    static Optional<Currency> currency(String stripeCurrency) {
        if (stripeCurrency == null || stripeCurrency.length() != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(Currency.getInstance(stripeCurrency.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Minor units of {@code currency} for a Stripe amount; empty when it cannot be one (ISK 50050). */
    static Optional<Long> minor(long stripeAmount, Currency currency) {
        if (TWO_DECIMALS_FOR_ZERO_DECIMAL.contains(currency.getCurrencyCode()) && Money.exponent(currency) == 0) {
            return stripeAmount % 100 == 0 ? Optional.of(stripeAmount / 100) : Optional.empty();
        }
        return Optional.of(stripeAmount);
    }
}
