package clickledger.api.stats;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;

/**
 * The decimal strings stats show. Money is exact in the currency's minor-unit precision
 * ({@code "49.00"}, {@code "500"} for JPY, {@code "1.250"} for KWD), as everywhere in the api.
 * Ratios (earnings per click, conversion rate) are rounded half-even to {@link #RATIO_SCALE}
 * places: four places keep a tenth of a cent per click visible in USD and a 0.01 % step in a rate.
 */
final class Decimals {
    static final int RATIO_SCALE = 4;

    private Decimals() {}

    static int exponent(Currency currency) {
        return Math.max(0, currency.getDefaultFractionDigits());
    }

    static String money(long minor, Currency currency) {
        return BigDecimal.valueOf(minor, exponent(currency)).toPlainString();
    }

    /** Money per unit, in the currency's major unit; null when there is nothing to divide by. */
    static String moneyPer(long minor, Currency currency, long count) {
        if (count == 0) {
            return null;
        }
        return BigDecimal.valueOf(minor, exponent(currency))
                .divide(BigDecimal.valueOf(count), RATIO_SCALE, RoundingMode.HALF_EVEN)
                .toPlainString();
    }

    /** A plain ratio such as 0.0250 for 2.5 %; null when there is nothing to divide by. */
    static String ratio(long numerator, long denominator) {
        if (denominator == 0) {
            return null;
        }
        return BigDecimal.valueOf(numerator)
                .divide(BigDecimal.valueOf(denominator), RATIO_SCALE, RoundingMode.HALF_EVEN)
                .toPlainString();
    }
}
