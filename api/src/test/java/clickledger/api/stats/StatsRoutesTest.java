package clickledger.api.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.TestApi;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/stats} over real HTTP against {@link StatsScenario}: three months of clicks,
 * events, attribution and commissions, checked against figures worked out by hand there. The money
 * is rolled up first, so these answers come from the rollups; {@code StatsMoneyRollupTest} shows
 * the live reading gives the same.
 */
class StatsRoutesTest {
    private static final String RANGE = "&from=2030-01-01&to=2030-03-31";
    private static TestApi api;
    private static StatsSeed seed;
    private static UUID program;
    private static UUID partnerA;
    private static UUID partnerB;
    private static StatsSeed.Link a1;
    private static StatsSeed.Link a2;
    private static StatsSeed.Link b1;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("STATS_ROLLUP_SECONDS", "86400"));
        StatsSeed.awaitFirstRollupRun(api);
        api.clock().set(Instant.parse("2030-04-20T12:00:00Z"));
        seed = new StatsSeed(api.dsl());
        StatsScenario scenario = StatsScenario.seed(seed);
        program = scenario.program();
        partnerA = scenario.partnerA();
        partnerB = scenario.partnerB();
        a1 = scenario.a1();
        a2 = scenario.a2();
        b1 = scenario.b1();
        new ClickRollup(api.dsl(), api.clock()).rebuild(LocalDate.parse("2029-12-01"), LocalDate.parse("2030-04-19"));
        StatsSeed.applyMoneyChanges(api.dsl());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode stats(String query) {
        return api.get("/v1/stats?programId=" + Ulid.encode(program) + query)
                .expect(200)
                .json();
    }

    private static void assertFigures(
            JsonNode row,
            long clicks,
            long billable,
            long visitors,
            long conversions,
            String revenue,
            String commissions,
            String epc,
            String conversionRate) {
        assertThat(row.get("clicks").asLong()).as("clicks of " + row).isEqualTo(clicks);
        assertThat(row.get("billableClicks").asLong())
                .as("billableClicks of " + row)
                .isEqualTo(billable);
        assertThat(row.get("uniqueVisitors").asLong())
                .as("uniqueVisitors of " + row)
                .isEqualTo(visitors);
        assertThat(row.get("conversions").asLong()).as("conversions of " + row).isEqualTo(conversions);
        assertThat(row.get("revenue").asText()).as("revenue of " + row).isEqualTo(revenue);
        assertThat(row.get("commissions").asText()).as("commissions of " + row).isEqualTo(commissions);
        assertThat(row.get("epc").isNull() ? null : row.get("epc").asText())
                .as("epc of " + row)
                .isEqualTo(epc);
        assertThat(
                        row.get("conversionRate").isNull()
                                ? null
                                : row.get("conversionRate").asText())
                .as("conversionRate of " + row)
                .isEqualTo(conversionRate);
    }

    private static JsonNode rowWithKey(JsonNode report, String key) {
        for (JsonNode row : report.get("rows")) {
            if (row.get("key").asText().equals(key)) {
                return row;
            }
        }
        throw new AssertionError("no row " + key + " in " + report);
    }

    @Test
    void totalsExcludeBotsAndFlaggedFromBillableNetReversalsAndSkipRefundsAsConversions() {
        JsonNode report = stats(RANGE);

        assertThat(report.get("programId").asText()).isEqualTo(Ulid.encode(program));
        assertThat(report.get("currency").asText()).isEqualTo("USD");
        assertThat(report.get("from").asText()).isEqualTo("2030-01-01");
        assertThat(report.get("to").asText()).isEqualTo("2030-03-31");
        assertThat(report.get("groupBy").asText()).isEqualTo("day");
        assertThat(report.get("totals").has("key")).isFalse();
        // epc 8.00 / 9 = 0.8888…, conversion rate 4 / 9 = 0.4444…
        assertFigures(report.get("totals"), 13, 9, 7, 4, "200.00", "8.00", "0.8889", "0.4444");
    }

    @Test
    void byDayListsEveryDayOfTheRangeWithClicksOnTheirDayAndMoneyOnItsEventsDay() {
        JsonNode report = stats(RANGE + "&groupBy=day");

        List<String> days = new ArrayList<>();
        report.get("rows").forEach(row -> days.add(row.get("key").asText()));
        assertThat(days).hasSize(90).startsWith("2030-01-01", "2030-01-02").endsWith("2030-03-31");
        assertFigures(rowWithKey(report, "2030-01-10"), 6, 4, 2, 0, "0.00", "0.00", "0.0000", "0.0000");
        assertFigures(rowWithKey(report, "2030-01-12"), 0, 0, 0, 1, "100.00", "10.00", null, null);
        assertFigures(rowWithKey(report, "2030-02-20"), 3, 1, 1, 0, "0.00", "0.00", "0.0000", "0.0000");
        assertFigures(rowWithKey(report, "2030-02-21"), 0, 0, 0, 1, "50.00", "5.00", null, null);
        assertFigures(rowWithKey(report, "2030-02-25"), 0, 0, 0, 1, "20.00", "0.00", null, null);
        assertFigures(rowWithKey(report, "2030-02-26"), 0, 0, 0, 0, "0.00", "0.00", null, null);
        assertFigures(rowWithKey(report, "2030-03-05"), 4, 4, 4, 0, "0.00", "0.00", "0.0000", "0.0000");
        assertFigures(rowWithKey(report, "2030-03-06"), 0, 0, 0, 1, "30.00", "3.00", null, null);
        assertFigures(rowWithKey(report, "2030-03-08"), 0, 0, 0, 0, "0.00", "0.00", null, null);
        assertFigures(rowWithKey(report, "2030-03-10"), 0, 0, 0, 0, "0.00", "-10.00", null, null);
        assertFigures(rowWithKey(report, "2030-01-01"), 0, 0, 0, 0, "0.00", "0.00", null, null);
        assertFigures(report.get("totals"), 13, 9, 7, 4, "200.00", "8.00", "0.8889", "0.4444");
    }

    @Test
    void byPartnerCountsAnEventOncePerPartnerAndAVisitorOncePerDayAndPartner() {
        JsonNode report = stats(RANGE + "&groupBy=partner");

        assertThat(report.get("rows")).hasSize(2);
        // Busiest first: B has 7 clicks, A 6.
        assertThat(report.at("/rows/0/key").asText()).isEqualTo(Ulid.encode(partnerB));
        // A: E1 100.00 + E2 25.00 + E6 20.00; commissions 10.00 + 2.50 - 10.00 (E6's are reversed).
        assertFigures(rowWithKey(report, Ulid.encode(partnerA)), 6, 4, 2, 3, "145.00", "2.50", "0.6250", "0.7500");
        // B: E2 25.00 + E3 30.00 (two touches, one conversion); commissions 2.50 + 3.00.
        assertFigures(rowWithKey(report, Ulid.encode(partnerB)), 7, 5, 6, 2, "55.00", "5.50", "1.1000", "0.4000");
        // The totals are the program's: E2 is one conversion, and visitor x of both partners on
        // 2030-01-10 is one visitor of the program that day.
        assertFigures(report.get("totals"), 13, 9, 7, 4, "200.00", "8.00", "0.8889", "0.4444");
    }

    @Test
    void byLinkCreditsRevenueToEachTouchAndCommissionsToTheTouchTheyPay() {
        JsonNode report = stats(RANGE + "&groupBy=link");

        assertThat(report.get("rows")).hasSize(3);
        assertFigures(rowWithKey(report, Ulid.encode(a1.id())), 5, 3, 2, 2, "125.00", "2.50", "0.8333", "0.6667");
        assertFigures(rowWithKey(report, Ulid.encode(a2.id())), 1, 1, 1, 1, "20.00", "0.00", "0.0000", "1.0000");
        assertFigures(rowWithKey(report, Ulid.encode(b1.id())), 7, 5, 6, 2, "55.00", "5.50", "1.1000", "0.4000");
        assertFigures(report.get("totals"), 13, 9, 7, 4, "200.00", "8.00", "0.8889", "0.4444");
    }

    @Test
    void rangesCuttingThroughMonthsAddTheirDaysToTheWholeMonthsBetween() {
        // 2030-01-05 to 2030-03-05: days of January, all of February (from the monthly rollup),
        // days of March. E3 (03-06) and the refund of E1 (03-10) are after it.
        JsonNode report = stats("&from=2030-01-05&to=2030-03-05&groupBy=partner");

        assertFigures(rowWithKey(report, Ulid.encode(partnerA)), 6, 4, 2, 3, "145.00", "12.50", "3.1250", "0.7500");
        assertFigures(rowWithKey(report, Ulid.encode(partnerB)), 7, 5, 6, 1, "25.00", "2.50", "0.5000", "0.2000");
        assertFigures(report.get("totals"), 13, 9, 7, 3, "170.00", "15.00", "1.6667", "0.3333");

        JsonNode byLink = stats("&from=2030-01-05&to=2030-03-05&groupBy=link&partnerId=" + Ulid.encode(partnerA));
        assertFigures(rowWithKey(byLink, Ulid.encode(a1.id())), 5, 3, 2, 2, "125.00", "12.50", "4.1667", "0.6667");
        assertFigures(byLink.get("totals"), 6, 4, 2, 3, "145.00", "12.50", "3.1250", "0.7500");
    }

    @Test
    void partnerFilterScopesTotalsAndRowsToThatPartner() {
        JsonNode report = stats(RANGE + "&groupBy=link&partnerId=" + Ulid.encode(partnerA));

        assertThat(report.get("rows")).hasSize(2);
        assertFigures(rowWithKey(report, Ulid.encode(a1.id())), 5, 3, 2, 2, "125.00", "2.50", "0.8333", "0.6667");
        assertFigures(rowWithKey(report, Ulid.encode(a2.id())), 1, 1, 1, 1, "20.00", "0.00", "0.0000", "1.0000");
        // Visitor x clicked A1 and A2 on 2030-01-10: one visitor of partner A that day.
        assertFigures(report.get("totals"), 6, 4, 2, 3, "145.00", "2.50", "0.6250", "0.7500");

        JsonNode byDay = stats(RANGE + "&partnerId=" + Ulid.encode(partnerA));
        assertFigures(rowWithKey(byDay, "2030-01-10"), 4, 3, 1, 0, "0.00", "0.00", "0.0000", "0.0000");
        assertFigures(rowWithKey(byDay, "2030-03-10"), 0, 0, 0, 0, "0.00", "-10.00", null, null);
        assertFigures(byDay.get("totals"), 6, 4, 2, 3, "145.00", "2.50", "0.6250", "0.7500");
    }

    @Test
    void linkFilterScopesTotalsToThatLink() {
        JsonNode report = stats(RANGE + "&groupBy=partner&linkId=" + Ulid.encode(b1.id()));

        assertThat(report.get("rows")).hasSize(1);
        assertFigures(rowWithKey(report, Ulid.encode(partnerB)), 7, 5, 6, 2, "55.00", "5.50", "1.1000", "0.4000");
        assertFigures(report.get("totals"), 7, 5, 6, 2, "55.00", "5.50", "1.1000", "0.4000");
    }

    @Test
    void aLinkOfAnotherPartnerLeavesNothingToCount() {
        JsonNode report = stats(RANGE + "&partnerId=" + Ulid.encode(partnerB) + "&linkId=" + Ulid.encode(a1.id()));

        assertFigures(report.get("totals"), 0, 0, 0, 0, "0.00", "0.00", null, null);
    }

    @Test
    void defaultRangeIsTheLast30DaysUpToTodayInUtc() {
        JsonNode report = stats("");

        assertThat(report.get("from").asText()).isEqualTo("2030-03-22");
        assertThat(report.get("to").asText()).isEqualTo("2030-04-20");
        assertThat(report.get("rows")).hasSize(30);
        // Only the click of 2030-04-01 is in it.
        assertFigures(report.get("totals"), 1, 1, 1, 0, "0.00", "0.00", "0.0000", "0.0000");

        assertThat(stats("&to=2030-01-30").get("from").asText()).isEqualTo("2030-01-01");
        assertThat(stats("&from=2030-04-01").get("to").asText()).isEqualTo("2030-04-20");
    }

    @Test
    void everyBadParameterIsReportedAtOnceNamingItsField() {
        TestApi.Response response =
                api.get("/v1/stats?from=2030-13-01&to=yesterday&groupBy=week&partnerId=nope&linkId=42");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.errorFields()).containsExactly("programId", "from", "to", "groupBy", "partnerId", "linkId");
    }

    @Test
    void rangeEndingBeforeItStartsIs400NamingTo() {
        TestApi.Response response =
                api.get("/v1/stats?programId=" + Ulid.encode(program) + "&from=2030-03-02&to=2030-03-01");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("to");
    }

    @Test
    void rangeOfThreeYearsOrMoreIs400NamingToAndJustUnderIsAnswered() {
        String program = "/v1/stats?programId=" + Ulid.encode(StatsRoutesTest.program);

        TestApi.Response tooLong = api.get(program + "&from=2027-04-01&to=2030-04-01");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.errorFields()).containsExactly("to");

        JsonNode longest =
                api.get(program + "&from=2027-04-01&to=2030-03-31").expect(200).json();
        assertThat(longest.get("rows")).hasSize(1096);
        assertThat(longest.at("/totals/clicks").asLong()).isEqualTo(14);
    }

    @Test
    void onlyFromInTheFutureIs400NamingFrom() {
        TestApi.Response response = api.get("/v1/stats?programId=" + Ulid.encode(program) + "&from=2030-05-01");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("from");
    }

    @Test
    void datesOutsideTheCalendarWeKeepAre400() {
        TestApi.Response response = api.get("/v1/stats?programId=" + Ulid.encode(program) + "&from=+10000-01-01");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("from");
    }

    @Test
    void unknownProgramIs404() {
        TestApi.Response response = api.get("/v1/stats?programId=" + Ulid.encode(UUID.randomUUID()));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("not_found");
    }

    @Test
    void statsNeedAnApiKey() {
        TestApi.Response response = api.send("GET", "/v1/stats?programId=" + Ulid.encode(program), null, null);

        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void statsForPartnerShowOnlyThatPartnerAndRefuseAnotherOne() {
        StatsService service = new StatsService(api.dsl(), api.clock());
        StatsQuery query = new StatsQuery(
                new ProgramId(program),
                LocalDate.parse("2030-01-01"),
                LocalDate.parse("2030-03-31"),
                GroupBy.LINK,
                null,
                null);

        StatsReport report = service.statsForPartner(new PartnerId(partnerB), query);

        assertThat(report.rows()).extracting(StatsReport.Row::key).containsExactly(Ulid.encode(b1.id()));
        assertThat(report.totals().commissions()).isEqualTo("5.50");
        assertThatThrownBy(() ->
                        service.statsForPartner(new PartnerId(partnerB), query.forPartner(new PartnerId(partnerA))))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void moneyIsShownInTheMinorUnitsOfEachCurrency() {
        for (String[] expected : new String[][] {
            // currency, revenue, commissions, epc (commissions per billable click; 3 of them)
            {"USD", "1234.56", "12.34", "4.1133"},
            {"JPY", "123456", "1234", "411.3333"},
            {"KWD", "123.456", "1.234", "0.4113"},
        }) {
            String currency = expected[0];
            UUID program = seed.program(currency);
            StatsSeed.Link link = seed.link(program, partnerA);
            for (int visitor = 0; visitor < 3; visitor++) {
                seed.click(link, "2030-02-01T10:00:00Z", visitor);
            }
            UUID event = seed.conversion(program, "2030-02-01T11:00:00Z", 123456, currency);
            seed.commission(event, seed.attribution(event, link, "1", 123456), link, 1234, currency, "approved");
            new ClickRollup(api.dsl(), api.clock())
                    .rebuild(LocalDate.parse("2030-02-01"), LocalDate.parse("2030-02-01"));

            JsonNode totals = api.get("/v1/stats?programId=" + Ulid.encode(program) + "&from=2030-02-01&to=2030-02-01")
                    .expect(200)
                    .json()
                    .get("totals");

            assertThat(totals.get("revenue").asText()).as(currency).isEqualTo(expected[1]);
            assertThat(totals.get("commissions").asText()).as(currency).isEqualTo(expected[2]);
            assertThat(totals.get("epc").asText()).as(currency).isEqualTo(expected[3]);
            assertThat(totals.get("conversionRate").asText()).as(currency).isEqualTo("0.3333");
        }
    }

    @Test
    void statsRouteIsInTheOpenApiDocument() {
        JsonNode operation = api.get("/openapi.json").expect(200).json().at("/paths/~1v1~1stats/get");

        assertThat(operation.isMissingNode()).isFalse();
        List<String> parameters = new ArrayList<>();
        operation
                .get("parameters")
                .forEach(parameter -> parameters.add(parameter.get("name").asText()));
        assertThat(parameters)
                .containsExactlyInAnyOrder("programId", "from", "to", "groupBy", "partnerId", "linkId", "tag", "limit");
    }
}
