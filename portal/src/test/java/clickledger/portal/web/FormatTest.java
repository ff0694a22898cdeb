package clickledger.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class FormatTest {
    private final Format us = new Format(Locale.US);
    private final Format germany = new Format(Locale.GERMANY);

    /** The JDK's locale data writes no-break spaces (U+00A0, U+202F) where a person sees a space. */
    private static String plain(String text) {
        return text.replace('\u00a0', ' ').replace('\u202f', ' ');
    }

    @Test
    void moneyKeepsEveryDigitTheApiSent() {
        assertThat(us.money("49.00", "USD")).isEqualTo("$49.00");
        assertThat(us.money("1234567.89", "USD")).isEqualTo("$1,234,567.89");
        // Beyond a double's precision: a float would print 90071992547409.91 as ...409.9 or worse.
        assertThat(us.money("90071992547409.91", "USD")).isEqualTo("$90,071,992,547,409.91");
        assertThat(us.money("-4.90", "USD")).isEqualTo("-$4.90");
    }

    @Test
    void moneyUsesTheCurrencysOwnDecimals() {
        assertThat(us.money("500", "JPY")).isEqualTo("¥500");
        assertThat(plain(us.money("1.250", "KWD"))).startsWith("KWD").endsWith("1.250");
        assertThat(us.money("49.5", "EUR")).isEqualTo("€49.50");
    }

    @Test
    void moneyAndNumbersFollowTheViewersLocale() {
        assertThat(plain(germany.money("1234.50", "EUR"))).isEqualTo("1.234,50 €");
        assertThat(germany.number(1234567)).isEqualTo("1.234.567");
        assertThat(us.number(1234567)).isEqualTo("1,234,567");
    }

    @Test
    void ratiosArePercentages() {
        assertThat(us.percent("0.0250")).isEqualTo("2.5%");
        assertThat(us.percent((String) null)).isEqualTo("–");
    }

    @Test
    void timesSayTheyAreUtc() {
        assertThat(plain(us.dateTime(Instant.parse("2030-01-15T10:00:00Z")))).isEqualTo("Jan 15, 2030, 10:00 AM UTC");
        assertThat(us.date(LocalDate.parse("2030-01-15"))).isEqualTo("Jan 15, 2030");
        assertThat(us.dateTime(null)).isEqualTo("–");
    }

    @Test
    void localeComesFromAcceptLanguageWithAFallback() {
        assertThat(Format.localeOf("de-DE,de;q=0.9,en;q=0.8")).isEqualTo(Locale.GERMANY);
        assertThat(Format.localeOf(null)).isEqualTo(Locale.US);
        assertThat(Format.localeOf("")).isEqualTo(Locale.US);
        assertThat(Format.localeOf(";;;q=bad")).isEqualTo(Locale.US);
        assertThat(Format.localeOf("x".repeat(500))).isEqualTo(Locale.US);
    }
}
