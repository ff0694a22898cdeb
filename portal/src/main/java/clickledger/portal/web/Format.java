package clickledger.portal.web;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.NumberFormat;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

/**
 * Every number, amount and date the portal shows is written here, in the viewer's locale. Money
 * arrives from the api as a decimal string in the currency's minor-unit precision ("49.00",
 * "500" for JPY) and is parsed to a {@link BigDecimal}, never a float, so what is shown is exactly
 * what is stored. Times are shown in UTC, the zone the api's days are counted in, and say so.
 */
public final class Format {
    private static final Locale FALLBACK = Locale.US;
    private static final List<Locale> AVAILABLE = List.of(Locale.getAvailableLocales());

    private final Locale locale;

    public Format(Locale locale) {
        this.locale = requireNonNull(locale, "locale is null");
    }

    /** The best locale the JDK has for an {@code Accept-Language} header; US English without one. */
    public static Locale localeOf(String acceptLanguage) {
        if (acceptLanguage == null || acceptLanguage.isBlank() || acceptLanguage.length() > 200) {
            return FALLBACK;
        }
        try {
            Locale found = Locale.lookup(Locale.LanguageRange.parse(acceptLanguage), AVAILABLE);
            return found == null || found.getLanguage().isEmpty() ? FALLBACK : found;
        } catch (IllegalArgumentException malformed) {
            return FALLBACK;
        }
    }

    public Locale locale() {
        return locale;
    }

    /** "$49.00", "¥500", "49,00 €": the amount exactly, in its currency's own number of decimals. */
    public String money(String amount, String currencyCode) {
        if (amount == null) {
            return "";
        }
        BigDecimal value = new BigDecimal(amount);
        Currency currency = currency(currencyCode);
        if (currency == null) {
            return amount + " " + currencyCode;
        }
        NumberFormat format = NumberFormat.getCurrencyInstance(locale);
        format.setCurrency(currency);
        int digits = Math.max(0, currency.getDefaultFractionDigits());
        format.setMinimumFractionDigits(digits);
        format.setMaximumFractionDigits(Math.max(digits, value.scale()));
        format.setRoundingMode(RoundingMode.UNNECESSARY);
        return format.format(value);
    }

    public String number(long value) {
        return NumberFormat.getIntegerInstance(locale).format(value);
    }

    /** A ratio from the api ("0.0250") as a percentage ("2.5%"); a dash when there is none. */
    public String percent(String ratio) {
        if (ratio == null) {
            return "–";
        }
        NumberFormat format = NumberFormat.getPercentInstance(locale);
        format.setMaximumFractionDigits(2);
        return format.format(new BigDecimal(ratio));
    }

    public String percent(BigDecimal ratio) {
        return ratio == null ? "–" : percent(ratio.toPlainString());
    }

    /** "15 Jan 2030, 10:00 UTC". */
    public String dateTime(Instant instant) {
        if (instant == null) {
            return "–";
        }
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                        .withLocale(locale)
                        .withZone(ZoneOffset.UTC)
                        .format(instant)
                + " UTC";
    }

    public String date(LocalDate date) {
        if (date == null) {
            return "–";
        }
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                .withLocale(locale)
                .format(date);
    }

    /** Machine-readable, for {@code <time datetime=…>}. */
    public String iso(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    private static Currency currency(String code) {
        try {
            return code == null ? null : Currency.getInstance(code);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
