package clickledger.api.payout;

import static clickledger.api.payout.PayoutFixture.decimal;
import static clickledger.api.payout.PayoutFixture.items;
import static clickledger.api.payout.PayoutFixture.texts;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /v1/payouts and its preview: who is paid what, and what is carried to the next batch. */
class PayoutBatchTest {
    private static TestApi api;
    private static PayoutFixture fixture;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        fixture = new PayoutFixture(api);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void aBatchPaysEachPartnerTheSumOfItsApprovedCommissionsToTheMinorUnit() {
        for (String[] amounts : List.of(
                new String[] {"USD", "0.01", "19.99", "30.00"},
                new String[] {"JPY", "1", "499", "12345"},
                new String[] {"KWD", "0.001", "1.255", "10.500"})) {
            String currency = amounts[0];
            String program = fixture.program(currency);
            Ledger.Partner ada = fixture.partner(program);
            Ledger.Partner bob = fixture.partner(program);
            List<String> adaIds = new ArrayList<>();
            for (int i = 1; i < amounts.length; i++) {
                adaIds.add(fixture.earn(program, ada, amounts[i]).id());
            }
            String bobId = fixture.earn(program, bob, amounts[2]).id();
            // Not approved yet: not owed.
            String pending = fixture.earnPending(program, ada, amounts[3]).id();

            List<JsonNode> payouts = fixture.batch(program);

            assertThat(payouts).as(currency).hasSize(2);
            Map<String, JsonNode> byPartner = new TreeMap<>();
            payouts.forEach(payout -> byPartner.put(payout.get("partnerId").asText(), payout));
            JsonNode adaPayout = byPartner.get(ada.id());
            BigDecimal expected =
                    new BigDecimal(amounts[1]).add(new BigDecimal(amounts[2])).add(new BigDecimal(amounts[3]));
            assertThat(adaPayout.get("amount").asText()).as(currency).isEqualTo(expected.toPlainString());
            assertThat(adaPayout.get("currency").asText()).isEqualTo(currency);
            assertThat(adaPayout.get("status").asText()).isEqualTo("pending");
            assertThat(adaPayout.get("commissionCount").asInt()).isEqualTo(3);
            assertThat(texts(adaPayout.get("commissionIds"))).containsExactlyInAnyOrderElementsOf(adaIds);
            assertThat(adaPayout.get("paidAt").isNull()).isTrue();
            assertThat(adaPayout.get("reference").isNull()).isTrue();
            // The amount is the sum of the commissions it lists, as the api shows them.
            BigDecimal listed = BigDecimal.ZERO;
            for (String id : adaIds) {
                listed = listed.add(decimal(fixture.commission(id).get("amount")));
            }
            assertThat(decimal(adaPayout.get("amount"))).isEqualByComparingTo(listed);
            assertThat(byPartner.get(bob.id()).get("amount").asText()).isEqualTo(amounts[2]);
            assertThat(texts(byPartner.get(bob.id()).get("commissionIds"))).containsExactly(bobId);
            // A second batch finds nothing left; the pending commission is still owed later.
            assertThat(fixture.batch(program)).isEmpty();
            assertThat(fixture.commission(pending).get("status").asText()).isEqualTo("pending");
            assertThat(api.get("/v1/payouts/" + adaPayout.get("id").asText())
                            .expect(200)
                            .json())
                    .isEqualTo(adaPayout);
        }
    }

    @Test
    void plusThirtyAndMinusFortyPaysNothingAndBothRowsStayForTheNextBatch() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        // A 40.00 commission is paid, then its purchase refunded: a -40.00 row, owed back.
        PayoutFixture.Earned paidEarlier = fixture.earn(program, partner, "40.00");
        String paidPayout = fixture.batch(program).getFirst().get("id").asText();
        api.post("/v1/payouts/" + paidPayout + "/mark-paid", "{\"reference\":\"PP-1\"}")
                .expect(200);
        String negative = fixture.refund(program, paidEarlier).at("/0/id").asText();
        String positive = fixture.earn(program, partner, "30.00").id();
        assertThat(fixture.commission(negative).get("amount").asText()).isEqualTo("-40.00");
        assertThat(fixture.commission(negative).get("status").asText()).isEqualTo("approved");

        JsonNode preview = api.post("/v1/payouts/preview", "{\"programId\":\"%s\"}".formatted(program))
                .expect(200)
                .json();
        assertThat(fixture.batch(program)).isEmpty();

        for (String id : List.of(negative, positive)) {
            assertThat(fixture.commission(id).get("status").asText()).isEqualTo("approved");
        }
        assertThat(preview.at("/items/0/amount").asText()).isEqualTo("-10.00");
        assertThat(preview.at("/items/0/earned").asText()).isEqualTo("30.00");
        assertThat(preview.at("/items/0/negatives").asText()).isEqualTo("-40.00");
        assertThat(preview.at("/items/0/payable").asBoolean()).isFalse();
        assertThat(preview.at("/items/0/reason").asText()).isEqualTo("not_positive");
        assertThat(preview.at("/totals/0/payouts").asInt()).isZero();
        assertThat(preview.at("/totals/0/carriedAmount").asText()).isEqualTo("-10.00");

        // 15.00 more: the next batch pays 5.00, netting the negative row.
        String more = fixture.earn(program, partner, "15.00").id();
        List<JsonNode> next = fixture.batch(program);
        assertThat(next).hasSize(1);
        assertThat(next.getFirst().get("amount").asText()).isEqualTo("5.00");
        assertThat(texts(next.getFirst().get("commissionIds"))).containsExactlyInAnyOrder(negative, positive, more);
    }

    @Test
    void theMinimumDefaultsToTheProgramsPayoutMinimumAndCanBeOverridden() {
        String program = fixture.program("USD");
        api.patch("/v1/programs/" + program, "{\"payoutMinimum\":\"50.00\"}").expect(200);
        Ledger.Partner big = fixture.partner(program);
        Ledger.Partner small = fixture.partner(program);
        fixture.earn(program, big, "60.00");
        fixture.earn(program, small, "49.99");

        JsonNode preview = api.post("/v1/payouts/preview", "{\"programId\":\"%s\"}".formatted(program))
                .expect(200)
                .json();
        assertThat(preview.get("minimumAmount").asText()).isEqualTo("50.00");
        assertThat(preview.get("minimumCurrency").asText()).isEqualTo("USD");
        assertThat(preview.at("/items/1/partnerId").asText()).isEqualTo(small.id());
        assertThat(preview.at("/items/1/reason").asText()).isEqualTo("below_minimum");
        assertThat(preview.at("/totals/0/amount").asText()).isEqualTo("60.00");
        assertThat(preview.at("/totals/0/carriedPartners").asInt()).isEqualTo(1);

        List<JsonNode> first = fixture.batch(program);
        assertThat(first).hasSize(1);
        assertThat(first.getFirst().get("partnerId").asText()).isEqualTo(big.id());

        List<JsonNode> lowered =
                fixture.batchWith("{\"programId\":\"%s\",\"minimumAmount\":\"49.99\"}".formatted(program));
        assertThat(lowered).hasSize(1);
        assertThat(lowered.getFirst().get("partnerId").asText()).isEqualTo(small.id());
        assertThat(lowered.getFirst().get("amount").asText()).isEqualTo("49.99");
    }

    @Test
    void upToLeavesLaterCommissionsForTheNextBatch() {
        String program = fixture.program("EUR");
        Ledger.Partner partner = fixture.partner(program);
        String early = fixture.earn(program, partner, "10.00").id();
        Instant cutOff = api.clock().instant();
        api.clock().advance(Duration.ofMinutes(5));
        String late = fixture.earn(program, partner, "7.00").id();

        List<JsonNode> batch = fixture.batchWith(
                "{\"programId\":\"%s\",\"upTo\":\"%s\",\"currency\":\"EUR\"}".formatted(program, cutOff));

        assertThat(batch).hasSize(1);
        assertThat(texts(batch.getFirst().get("commissionIds"))).containsExactly(early);
        assertThat(batch.getFirst().get("upTo").asText()).isEqualTo(cutOff.toString());
        List<JsonNode> rest = fixture.batch(program);
        assertThat(texts(rest.getFirst().get("commissionIds"))).containsExactly(late);
    }

    @Test
    void aBatchOfOtherCurrencyPaysNothingAndListsFilterByBatch() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        fixture.earn(program, partner, "10.00");
        assertThat(fixture.batchWith("{\"programId\":\"%s\",\"currency\":\"EUR\"}".formatted(program)))
                .isEmpty();

        JsonNode created = api.post("/v1/payouts", "{\"programId\":\"%s\"}".formatted(program))
                .expect(201)
                .json();
        String batchId = created.get("batchId").asText();
        String payoutId = created.at("/items/0/id").asText();
        assertThat(created.at("/items/0/batchId").asText()).isEqualTo(batchId);
        assertThat(ids(api.get("/v1/payouts?batchId=" + batchId).expect(200).json()))
                .containsExactly(payoutId);
        assertThat(ids(api.get("/v1/payouts?programId=" + program + "&status=pending")
                        .expect(200)
                        .json()))
                .containsExactly(payoutId);
        assertThat(ids(api.get("/v1/payouts?partnerId=" + partner.id() + "&status=paid")
                        .expect(200)
                        .json()))
                .isEmpty();
    }

    @Test
    void listsPageNewestFirstWithACursor() {
        String program = fixture.program("USD");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fixture.earn(program, fixture.partner(program), "1.00");
        }
        fixture.batch(program).forEach(payout -> created.add(payout.get("id").asText()));
        List<String> seen = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = api.get("/v1/payouts?programId=%s&limit=2&cursor=%s".formatted(program, cursor))
                    .expect(200)
                    .json();
            assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
            seen.addAll(ids(page));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asText();
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(created.reversed());
    }

    @Test
    void badInputIsA4xxNamingTheField() {
        String program = fixture.program("JPY");
        assertThat(api.post("/v1/payouts", "{}").expect(400).errorFields()).containsExactly("programId");
        assertThat(api.post("/v1/payouts", "{\"programId\":\"nope\",\"currency\":\"EURO\",\"upTo\":\"yesterday\"}")
                        .expect(400)
                        .errorFields())
                .containsExactlyInAnyOrder("programId", "currency", "upTo");
        assertThat(api.post("/v1/payouts", "{\"programId\":\"%s\",\"minimumAmount\":\"1.5\"}".formatted(program))
                        .expect(400)
                        .errorFields())
                .containsExactly("minimumAmount");
        assertThat(api.post("/v1/payouts", "{\"programId\":\"%s\",\"minimumAmount\":\"-1\"}".formatted(program))
                        .expect(400)
                        .errorFields())
                .containsExactly("minimumAmount");
        assertThat(api.post("/v1/payouts", "{\"programId\":\"%s\",\"amount\":\"1\"}".formatted(program))
                        .expect(400)
                        .errorFields())
                .containsExactly("amount");
        assertThat(api.post("/v1/payouts", "[1]").expect(400).errorFields()).containsExactly("body");
        api.post("/v1/payouts", "{\"programId\":\"01JZZZZZZZZZZZZZZZZZZZZZZZ\"}")
                .expect(404);
        assertThat(api.get("/v1/payouts?status=lost").expect(400).errorFields()).containsExactly("status");
        api.get("/v1/payouts/01JZZZZZZZZZZZZZZZZZZZZZZZ").expect(404);
        api.get("/v1/payouts/not-an-id").expect(400);
        // Nothing of the above made a payout.
        assertThat(items(api.get("/v1/payouts?programId=" + program).expect(200).json()))
                .isEmpty();
    }

    @Test
    void theProgramsPayoutMinimumIsMoneyInItsCurrency() {
        String program = fixture.program("KWD");
        JsonNode read = api.get("/v1/programs/" + program).expect(200).json();
        assertThat(read.get("payoutMinimum").asText()).isEqualTo("0.000");
        assertThat(api.patch("/v1/programs/" + program, "{\"payoutMinimum\":\"1.2345\"}")
                        .expect(400)
                        .errorFields())
                .containsExactly("payoutMinimum");
        assertThat(api.patch("/v1/programs/" + program, "{\"payoutMinimum\":\"-5\"}")
                        .expect(400)
                        .errorFields())
                .containsExactly("payoutMinimum");
        assertThat(api.patch("/v1/programs/" + program, "{\"payoutMinimum\":25.5}")
                        .expect(200)
                        .json()
                        .get("payoutMinimum")
                        .asText())
                .isEqualTo("25.500");
        // Another currency while it has no events: the minimum must be said again in it.
        assertThat(api.patch("/v1/programs/" + program, "{\"currency\":\"USD\"}")
                        .expect(400)
                        .errorFields())
                .containsExactly("payoutMinimum");
        assertThat(api.patch("/v1/programs/" + program, "{\"currency\":\"USD\",\"payoutMinimum\":\"20.00\"}")
                        .expect(200)
                        .json()
                        .get("payoutMinimum")
                        .asText())
                .isEqualTo("20.00");
        String created = api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"Min","destinationUrl":"https://shop.example.com/","currency":"JPY",
                         "payoutMinimum":"5000"}"""
                                .formatted(TestApi.unique("min-")))
                .expect(201)
                .json()
                .get("payoutMinimum")
                .asText();
        assertThat(created).isEqualTo("5000");
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }
}
