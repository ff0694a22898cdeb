package clickledger.api.program;

import clickledger.web.ApiException;
import java.util.Currency;
import java.util.Locale;

/** ISO 4217 codes for money: amounts are kept in minor units, so a currency must have them. */
public final class Currencies {
    private Currencies() {}

    public static Currency parse(String field, String text) {
        if (text == null || text.isEmpty()) {
            throw ApiException.badRequest(field, "is required");
        }
        String code = text.toUpperCase(Locale.ROOT);
        if (code.length() != 3) {
            throw ApiException.badRequest(field, "must be a three-letter ISO 4217 code such as USD");
        }
        try {
            Currency currency = Currency.getInstance(code);
            // Gold, SDRs and the "no currency" code have no minor unit (-1): not money we can count.
            if (currency.getDefaultFractionDigits() < 0) {
                throw ApiException.badRequest(field, "must be a currency with a minor unit");
            }
            return currency;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, "is not an ISO 4217 currency code");
        }
    }
}
