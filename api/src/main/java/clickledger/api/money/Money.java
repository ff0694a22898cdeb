package clickledger.api.money;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Currency;

/**
 * An amount in integer minor units of an ISO 4217 currency: cents for USD, yen for JPY, fils for
 * KWD. Never a float: parsing is exact and refuses more decimals than the currency has.
 */
public record Money(long minor, Currency currency) {
    public Money {
        requireNonNull(currency, "currency is null");
    }

    public static int exponent(Currency currency) {
        return Math.max(0, currency.getDefaultFractionDigits());
    }

    /**
     * Parses a decimal string ({@code "49.00"}) or a JSON number ({@code 49.5}) exactly. A JSON
     * number is read from its literal text, so {@code 0.1} is one tenth, not a binary fraction.
     */
    public static Money parse(String field, JsonNode value, Currency currency) {
        if (value == null || value.isNull()) {
            throw ApiException.badRequest(field, "is required");
        }
        String text;
        if (value.isTextual()) {
            text = value.textValue().trim();
        } else if (value.isNumber()) {
            text = value.isBigDecimal() || value.isFloatingPointNumber()
                    ? value.decimalValue().toPlainString()
                    : value.asText();
        } else {
            throw ApiException.badRequest(field, "must be a decimal string such as \"49.00\" or a number");
        }
        return parse(field, text, currency);
    }

    public static Money parse(String field, String text, Currency currency) {
        if (text.isEmpty() || text.length() > 40) {
            throw ApiException.badRequest(field, "must be a decimal amount such as \"49.00\"");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || c == '.' || (i == 0 && (c == '-' || c == '+'));
            if (!ok) {
                throw ApiException.badRequest(field, "must be a decimal amount such as \"49.00\"");
            }
        }
        BigDecimal decimal;
        try {
            decimal = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field, "must be a decimal amount such as \"49.00\"");
        }
        int exponent = exponent(currency);
        BigDecimal stripped = decimal.stripTrailingZeros();
        if (stripped.scale() > exponent) {
            throw ApiException.badRequest(
                    field, "has more decimals than " + currency.getCurrencyCode() + " allows (" + exponent + ")");
        }
        BigInteger minor = decimal.movePointRight(exponent).toBigIntegerExact();
        if (minor.bitLength() > 52) {
            // Far beyond any real purchase, and it keeps every product of amount and rate exact.
            throw ApiException.badRequest(field, "is too large");
        }
        return new Money(minor.longValueExact(), currency);
    }

    /** The decimal string the API shows: {@code "49.00"}, {@code "500"} (JPY), {@code "1.250"} (KWD). */
    public String decimal() {
        return format(minor, currency);
    }

    public static String format(long minor, Currency currency) {
        return BigDecimal.valueOf(minor, exponent(currency)).toPlainString();
    }
}
