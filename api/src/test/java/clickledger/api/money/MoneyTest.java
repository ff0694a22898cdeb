package clickledger.api.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.web.ApiException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Currency;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MoneyTest {
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "USD, 49.00, 4900",
        "USD, 49, 4900",
        "USD, 0.1, 10",
        "USD, 1234567.89, 123456789",
        "JPY, 500, 500",
        "JPY, 500.0, 500",
        "KWD, 1.250, 1250",
        "KWD, 0.005, 5",
        "USD, -5.25, -525"
    })
    void parsesDecimalStringsExactly(String currency, String text, long minor) {
        assertThat(Money.parse("value", text, Currency.getInstance(currency)).minor())
                .isEqualTo(minor);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "USD, 49.001",
        "JPY, 500.5",
        "KWD, 1.2501",
        "USD, 1e3",
        "USD, abc",
        "USD, ''",
        "USD, 1.2.3",
        "USD, 99999999999999999999"
    })
    void refusesWhatTheCurrencyCannotHold(String currency, String text) {
        assertThatThrownBy(() -> Money.parse("value", text, Currency.getInstance(currency)))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(
                                ((ApiException) e).fieldErrors().getFirst().field())
                        .isEqualTo("value"));
    }

    @ParameterizedTest
    @CsvSource({"49.99, 4999", "0.1, 10", "100, 10000"})
    void readsJsonNumbersFromTheirDecimalText(double number, long minor) {
        assertThat(Money.parse("value", JsonNodeFactory.instance.numberNode(number), Currency.getInstance("USD"))
                        .minor())
                .isEqualTo(minor);
    }

    @ParameterizedTest
    @CsvSource({"USD, 4900, 49.00", "JPY, 500, 500", "KWD, 1250, 1.250", "USD, -5, -0.05"})
    void formatsInTheCurrencysPrecision(String currency, long minor, String text) {
        assertThat(Money.format(minor, Currency.getInstance(currency))).isEqualTo(text);
    }
}
