package clickledger.api.commission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.web.ApiException;
import clickledger.web.Json;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommissionRuleTest {
    private static final Currency USD = Currency.getInstance("USD");

    private static List<CommissionRule> parse(String json, Currency currency) throws Exception {
        return CommissionRule.parseAll("commissionRules", Json.MAPPER.readTree(json), currency);
    }

    @Test
    void parsesEveryShape() throws Exception {
        List<CommissionRule> rules = parse(
                """
                [{"kind":"percent","amount":"12.5"},
                 {"eventType":"signup","trigger":"first","kind":"fixed","amount":"5.00"},
                 {"trigger":"subsequent","kind":"percent","amount":10,"recurringMonths":12}]""",
                USD);
        assertThat(rules).hasSize(3);
        assertThat(rules.get(0).trigger()).isEqualTo(CommissionRule.Trigger.EVERY);
        assertThat(rules.get(1).fixedMinor()).isEqualTo(500);
        assertThat(rules.get(2).recurringMonths()).isEqualTo(12);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            [{"kind":"bonus","amount":"1"}]                        | commissionRules[0].kind
            [{"kind":"percent","amount":"101"}]                    | commissionRules[0].amount
            [{"kind":"percent","amount":"-1"}]                     | commissionRules[0].amount
            [{"kind":"fixed","amount":"1.001"}]                    | commissionRules[0].amount
            [{"kind":"fixed","amount":"1"},{"kind":"percent"}]     | commissionRules[1].amount
            [{"kind":"fixed","amount":"1","trigger":"sometimes"}]  | commissionRules[0].trigger
            [{"kind":"fixed","amount":"1","recurringMonths":0}]    | commissionRules[0].recurringMonths
            [{"kind":"fixed","amount":"1","colour":"red"}]         | commissionRules[0].colour
            [42]                                                   | commissionRules[0]
            """)
    void namesTheFieldOfABadRule(String json, String field) {
        assertThatThrownBy(() -> parse(json, USD))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(
                                ((ApiException) e).fieldErrors().getFirst().field())
                        .isEqualTo(field));
    }

    @ParameterizedTest(name = "{1}% of {0} {2} = {3}")
    @CsvSource({
        "USD, 12.5, 4900, 612",
        "USD, 10, 4995, 500",
        "JPY, 12.5, 500, 62",
        "JPY, 12.5, 540, 68",
        "KWD, 10, 1250, 125",
        "KWD, 3.3333, 1000, 33"
    })
    void percentRoundsHalfEvenOnceOnTheWhole(String currency, String percent, long value, long expected)
            throws Exception {
        CommissionRule rule = parse(
                        "[{\"kind\":\"percent\",\"amount\":\"" + percent + "\"}]", Currency.getInstance(currency))
                .getFirst();
        assertThat(rule.wholeAmount(value)).isEqualTo(expected);
    }
}
