package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AttributionTest {
    private static final Instant NOW = TestApi.START;
    private static final String TEN_PERCENT = "[{\"kind\":\"percent\",\"amount\":\"10\"}]";
    private static TestApi api;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        ledger = new Ledger(api);
    }

    @AfterAll
    static void stop() {
        // Also checks that the flows left no row pointing at a missing one (V70).
        ledger.close();
    }

    private static Instant daysAgo(double days) {
        return NOW.minus(Duration.ofMillis((long) (days * 86_400_000)));
    }

    /** Three partners clicked 9, 5 and 1 days before a purchase of {@code value}; returns the event. */
    private static JsonNode threeTouches(String model, String value, List<Ledger.Partner> partners) {
        String program = ledger.program("USD", model, TEN_PERCENT);
        String user = TestApi.unique("user-");
        double[] ages = {9, 5, 1};
        for (double age : ages) {
            Ledger.Partner partner = ledger.partner(program);
            partners.add(partner);
            ledger.identify(ledger.click(program, partner, daysAgo(age)), user).expect(201);
        }
        return ledger.event(program, TestApi.unique("order-"), user, value, NOW)
                .expect(201)
                .json();
    }

    @Test
    void lastClickIsTheDefaultAndPaysTheLastTouch() {
        List<Ledger.Partner> partners = new ArrayList<>();
        JsonNode event = threeTouches("last_click", "49.00", partners);
        assertThat(event.at("/attribution/status").asText()).isEqualTo("attributed");
        assertThat(event.at("/attribution/model").asText()).isEqualTo("last_click");
        assertThat(event.at("/attribution/touches")).hasSize(1);
        assertThat(event.at("/attribution/touches/0/weight").asText()).isEqualTo("1");
        assertThat(Ledger.amounts(event)).containsExactly(partners.get(2).id() + "=4.90");
        assertThat(event.at("/commissions/0/status").asText()).isEqualTo("pending");
        assertThat(event.at("/commissions/0/holdUntil").asText())
                .isEqualTo(NOW.plus(Duration.ofDays(30)).toString());
    }

    @Test
    void firstClickPaysTheFirstTouch() {
        List<Ledger.Partner> partners = new ArrayList<>();
        JsonNode event = threeTouches("first_click", "49.00", partners);
        assertThat(Ledger.amounts(event)).containsExactly(partners.get(0).id() + "=4.90");
    }

    @Test
    void linearSplitAddsUpToTheCentWithTheExtraCentOnTheEarliestTouch() {
        List<Ledger.Partner> partners = new ArrayList<>();
        JsonNode event = threeTouches("linear", "100.00", partners);
        // 10 % of 100.00 = 10.00 = 1000 cents over three touches: 334 + 333 + 333.
        assertThat(Ledger.amounts(event))
                .containsExactly(
                        partners.get(0).id() + "=3.34",
                        partners.get(1).id() + "=3.33",
                        partners.get(2).id() + "=3.33");
        List<String> values = new ArrayList<>();
        event.at("/attribution/touches").forEach(t -> values.add(t.get("value").asText()));
        assertThat(values).containsExactly("33.34", "33.33", "33.33");
    }

    @Test
    void positionSplitsFortyTwentyForty() {
        List<Ledger.Partner> partners = new ArrayList<>();
        JsonNode event = threeTouches("position", "49.99", partners);
        // 10 % of 49.99 = 4.999 -> 5.00 (half-even on the whole), then 2.00 / 1.00 / 2.00.
        assertThat(Ledger.amounts(event))
                .containsExactly(
                        partners.get(0).id() + "=2.00",
                        partners.get(1).id() + "=1.00",
                        partners.get(2).id() + "=2.00");
    }

    @Test
    void timeDecayFavoursRecentTouchesAndStillAddsUp() {
        List<Ledger.Partner> partners = new ArrayList<>();
        JsonNode event = threeTouches("time_decay", "1000.00", partners);
        List<Long> cents = new ArrayList<>();
        for (JsonNode commission : event.get("commissions")) {
            cents.add(new java.math.BigDecimal(commission.get("amount").asText())
                    .movePointRight(2)
                    .longValueExact());
        }
        assertThat(cents).hasSize(3);
        assertThat(cents.stream().mapToLong(Long::longValue).sum()).isEqualTo(10_000);
        assertThat(cents.get(0)).isLessThan(cents.get(1));
        assertThat(cents.get(1)).isLessThan(cents.get(2));
    }

    @Test
    void windowIncludesAClickJustInsideAndExcludesOneJustOutsideOrAfterTheEvent() {
        String program = ledger.program("USD", "linear", TEN_PERCENT);
        Ledger.Partner inside = ledger.partner(program);
        Ledger.Partner outside = ledger.partner(program);
        Ledger.Partner after = ledger.partner(program);
        String user = TestApi.unique("user-");
        Instant eventTs = NOW.minus(Duration.ofHours(1));
        ledger.identify(ledger.click(program, inside, eventTs.minus(Duration.ofDays(60))), user)
                .expect(201);
        ledger.identify(
                        ledger.click(
                                program,
                                outside,
                                eventTs.minus(Duration.ofDays(60)).minusMillis(1)),
                        user)
                .expect(201);
        ledger.identify(ledger.click(program, after, eventTs.plusMillis(1)), user)
                .expect(201);
        JsonNode event = ledger.event(program, TestApi.unique("order-"), user, "20.00", eventTs)
                .expect(201)
                .json();
        assertThat(Ledger.amounts(event)).containsExactly(inside.id() + "=2.00");
    }

    @Test
    void clicksOnlyOutsideTheWindowLeaveTheEventUnattributed() {
        String program = ledger.program("USD", "last_click", TEN_PERCENT);
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, partner, daysAgo(61)), user).expect(201);
        JsonNode event = ledger.event(program, TestApi.unique("order-"), user, "20.00", NOW)
                .expect(201)
                .json();
        assertThat(event.at("/attribution/status").asText()).isEqualTo("outside_window");
        assertThat(event.get("commissions")).isEmpty();
    }

    @Test
    void botsFlaggedClicksAndRevokedPartnersEarnNothing() {
        String program = ledger.program("USD", "linear", TEN_PERCENT);
        Ledger.Partner honest = ledger.partner(program);
        Ledger.Partner bot = ledger.partner(program);
        Ledger.Partner flagged = ledger.partner(program);
        Ledger.Partner revoked = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, honest, daysAgo(4)), user).expect(201);
        ledger.identify(ledger.click(program, bot, daysAgo(3), true, null), user)
                .expect(201);
        ledger.identify(ledger.click(program, flagged, daysAgo(2), false, "velocity"), user)
                .expect(201);
        ledger.identify(ledger.click(program, revoked, daysAgo(1)), user).expect(201);
        api.post("/v1/partners/" + revoked.id() + "/revoke", "{}").expect(200);
        JsonNode event = ledger.event(program, TestApi.unique("order-"), user, "30.00", NOW)
                .expect(201)
                .json();
        assertThat(Ledger.amounts(event)).containsExactly(honest.id() + "=3.00");
    }

    @Test
    void roundsToTheMinorUnitInYenDollarsAndDinars() {
        String rules = "[{\"kind\":\"percent\",\"amount\":\"12.5\"}]";
        assertThat(singleTouchCommission("JPY", rules, "500")).isEqualTo("62");
        assertThat(singleTouchCommission("USD", rules, "49.99")).isEqualTo("6.25");
        assertThat(singleTouchCommission("KWD", rules, "1.250")).isEqualTo("0.156");
    }

    @Test
    void moreDecimalsThanTheCurrencyAllowsIsRefused() {
        String program = ledger.program("JPY", "last_click", TEN_PERCENT);
        TestApi.Response response = ledger.event(program, TestApi.unique("o-"), "u", "500.5", NOW);
        response.expect(400);
        assertThat(response.errorFields()).containsExactly("value");
    }

    @Test
    void triggersFirstAndSubsequentPerUserAndPartner() {
        String rules =
                """
                [{"trigger":"first","kind":"fixed","amount":"10.00"},
                 {"trigger":"subsequent","kind":"percent","amount":"5"}]""";
        String program = ledger.program("USD", "last_click", rules);
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, partner, daysAgo(3)), user).expect(201);
        JsonNode first = ledger.event(program, TestApi.unique("o-"), user, "100.00", daysAgo(2))
                .expect(201)
                .json();
        JsonNode second = ledger.event(program, TestApi.unique("o-"), user, "100.00", daysAgo(1))
                .expect(201)
                .json();
        assertThat(Ledger.amounts(first)).containsExactly(partner.id() + "=10.00");
        assertThat(Ledger.amounts(second)).containsExactly(partner.id() + "=5.00");
    }

    @Test
    void recurringRuleStopsAfterItsMonths() {
        String rules = "[{\"kind\":\"percent\",\"amount\":\"20\",\"recurringMonths\":1}]";
        String program = api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"Subs","destinationUrl":"https://shop.example.com/","currency":"USD",
                         "lookbackDays":365,"commissionRules":%s}"""
                                .formatted(TestApi.unique("subs-"), rules))
                .expect(201)
                .json()
                .get("id")
                .asText();
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, partner, daysAgo(100)), user).expect(201);
        JsonNode month1 = ledger.event(program, TestApi.unique("o-"), user, "10.00", daysAgo(90))
                .expect(201)
                .json();
        JsonNode month1b = ledger.event(program, TestApi.unique("o-"), user, "10.00", daysAgo(70))
                .expect(201)
                .json();
        JsonNode month2 = ledger.event(program, TestApi.unique("o-"), user, "10.00", daysAgo(50))
                .expect(201)
                .json();
        assertThat(Ledger.amounts(month1)).containsExactly(partner.id() + "=2.00");
        assertThat(Ledger.amounts(month1b)).containsExactly(partner.id() + "=2.00");
        assertThat(Ledger.amounts(month2)).isEmpty();
    }

    @Test
    void severalRulesEventTypesAndPartnerOverrides() {
        String rules =
                """
                [{"kind":"percent","amount":"10"},
                 {"eventType":"purchase","kind":"fixed","amount":"1.00"},
                 {"eventType":"signup","kind":"fixed","amount":"3.00"}]""";
        String program = ledger.program("USD", "last_click", rules);
        Ledger.Partner regular = ledger.partner(program);
        Ledger.Partner vip = ledger.partner(program);
        api.patch(
                        "/v1/programs/" + program + "/partners/" + vip.id(),
                        "{\"commissionRules\":[{\"kind\":\"percent\",\"amount\":\"25\"}]}")
                .expect(200);
        String alice = TestApi.unique("user-");
        String bob = TestApi.unique("user-");
        ledger.identify(ledger.click(program, regular, daysAgo(2)), alice).expect(201);
        ledger.identify(ledger.click(program, vip, daysAgo(2)), bob).expect(201);
        JsonNode regularPurchase = ledger.event(program, TestApi.unique("o-"), alice, "50.00", NOW)
                .expect(201)
                .json();
        JsonNode vipPurchase = ledger.event(program, TestApi.unique("o-"), bob, "50.00", NOW)
                .expect(201)
                .json();
        assertThat(Ledger.amounts(regularPurchase)).containsExactly(regular.id() + "=5.00", regular.id() + "=1.00");
        assertThat(Ledger.amounts(vipPurchase)).containsExactly(vip.id() + "=12.50");
    }

    @Test
    void eventBeforeAnyIdentityIsBackfilledExactlyOnceByTheFirstStitch() {
        String program = ledger.program("USD", "last_click", TEN_PERCENT);
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        String cref = ledger.click(program, partner, daysAgo(2));
        String orderId = TestApi.unique("o-");
        JsonNode before = ledger.event(program, orderId, user, "80.00", daysAgo(1))
                .expect(201)
                .json();
        assertThat(before.at("/attribution/status").asText()).isEqualTo("no_identity");
        assertThat(before.get("commissions")).isEmpty();

        JsonNode stitch = ledger.identify(cref, user).expect(201).json();
        assertThat(stitch.get("firstStitch").asBoolean()).isTrue();
        assertThat(stitch.get("backfilledEventIds")).hasSize(1);
        assertThat(stitch.get("backfilledEventIds").get(0).asText()).isEqualTo(orderId);

        JsonNode again = ledger.identify(cref, user).expect(200).json();
        assertThat(again.get("identityId")).isEqualTo(stitch.get("identityId"));
        assertThat(again.get("backfilledEventIds")).isEmpty();
        String second = ledger.click(program, partner, daysAgo(0.5));
        assertThat(ledger.identify(second, user).expect(201).json().get("backfilledEventIds"))
                .isEmpty();

        JsonNode commissions =
                api.get("/v1/commissions?eventId=" + orderId).expect(200).json();
        assertThat(commissions.get("items")).hasSize(1);
        assertThat(commissions.at("/items/0/amount").asText()).isEqualTo("8.00");
    }

    @Test
    void identifyOfAnUnknownClickIs404AndAMalformedOne400() {
        TestApi.Response unknown = ledger.identify("01J00000000000000000000000", "u");
        unknown.expect(404);
        assertThat(unknown.json().get("code").asText()).isEqualTo("click_not_found");
        TestApi.Response malformed = ledger.identify("not-a-cref", "u");
        malformed.expect(400);
        assertThat(malformed.errorFields()).containsExactly("cref");
    }

    private static String singleTouchCommission(String currency, String rules, String value) {
        String program = ledger.program(currency, "last_click", rules);
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, partner, daysAgo(1)), user).expect(201);
        JsonNode event = ledger.event(program, TestApi.unique("o-"), user, value, NOW)
                .expect(201)
                .json();
        assertThat(event.get("value").asText()).isEqualTo(value);
        return event.at("/commissions/0/amount").asText();
    }
}
