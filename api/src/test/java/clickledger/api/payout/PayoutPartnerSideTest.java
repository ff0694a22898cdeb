package clickledger.api.payout;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.api.mail.Mails;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where payouts meet the partner side (issue 15): the "payout paid" mail, queued once in
 * mark-paid's transaction; the partner's own payout details in the payment files; and the
 * partner's own payouts at /v1/me/payouts, in the admin's shape, nobody else's.
 */
class PayoutPartnerSideTest {
    private static TestApi api;
    private static PayoutFixture fixture;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("MAIL_WORKER_ENABLED", "false"));
        fixture = new PayoutFixture(api);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String email(Ledger.Partner partner) {
        return api.get("/v1/partners/" + partner.id())
                .expect(200)
                .json()
                .get("email")
                .asText();
    }

    private static String partnerKey(Ledger.Partner partner) {
        return api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"partner\",\"name\":\"partner key\",\"partnerId\":\"%s\"}".formatted(partner.id()))
                .expect(201)
                .json()
                .get("key")
                .asText();
    }

    private static String payoutOf(List<JsonNode> payouts, Ledger.Partner partner) {
        return payouts.stream()
                .filter(payout -> payout.get("partnerId").asText().equals(partner.id()))
                .findFirst()
                .orElseThrow()
                .get("id")
                .asText();
    }

    @Test
    void markPaidQueuesThePartnersPayoutPaidMailOnce() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        fixture.earn(program, partner, "12.00");
        fixture.earn(program, partner, "0.34");
        String id = fixture.batch(program).getFirst().get("id").asText();
        String to = email(partner);
        assertThat(Mails.kinds(api, to)).doesNotContain("payout_paid");

        api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"PP-77\",\"method\":\"paypal\"}")
                .expect(200);
        api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"PP-77\"}")
                .expect(200);
        api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"PP-78\"}")
                .expect(409);

        assertThat(Mails.kinds(api, to).stream().filter("payout_paid"::equals)).hasSize(1);
        assertThat(Mails.text(api, to, "payout_paid"))
                .contains("12.34")
                .contains("PP-77")
                .contains("paypal");
    }

    @Test
    void paymentFilesCarryEachPartnersOwnPayoutDetails() {
        String program = fixture.program("EUR");
        Ledger.Partner viaPayPal = fixture.partner(program);
        Ledger.Partner viaWise = fixture.partner(program);
        Ledger.Partner withoutDetails = fixture.partner(program);
        api.send(
                        "PUT",
                        "/v1/me/payout-details",
                        "{\"method\":\"paypal\",\"paypalEmail\":\"ada.paypal@example.com\"}",
                        partnerKey(viaPayPal))
                .expect(200);
        api.send(
                        "PUT",
                        "/v1/me/payout-details",
                        "{\"method\":\"wise\",\"bankDetails\":\"Grace Hopper, IBAN DE89 3704 0044 0532 0130 00\"}",
                        partnerKey(viaWise))
                .expect(200);
        for (Ledger.Partner partner : List.of(viaPayPal, viaWise, withoutDetails)) {
            fixture.earn(program, partner, "20.00");
        }
        List<JsonNode> payouts = fixture.batch(program);

        String payPal = api.get("/v1/payouts/export?format=paypal&ids=" + payoutOf(payouts, viaPayPal) + ","
                        + payoutOf(payouts, viaWise) + "," + payoutOf(payouts, withoutDetails))
                .expect(200)
                .body();
        assertThat(payPal)
                .contains("\"ada.paypal@example.com\",20.00,\"EUR\"")
                .contains("payout method is wise, not paypal")
                .contains("no payout details");
        String wise = api.get("/v1/payouts/export?format=wise&ids=" + payoutOf(payouts, viaWise))
                .expect(200)
                .body();
        assertThat(wise).contains("\"Grace Hopper, IBAN DE89 3704 0044 0532 0130 00\"");
        String csv = api.get("/v1/payouts/export?format=csv&ids=" + payoutOf(payouts, viaPayPal))
                .expect(200)
                .body();
        // The bookkeeping file names the method, never the address or the account.
        assertThat(csv).contains("\"paypal\"").doesNotContain("ada.paypal@example.com");
    }

    @Test
    void partnersSeeTheirOwnPayoutsAsAdminsDoAndNoOneElses() {
        String program = fixture.program("JPY");
        Ledger.Partner mine = fixture.partner(program);
        Ledger.Partner theirs = fixture.partner(program);
        String first = fixture.earn(program, mine, "500").id();
        fixture.earn(program, theirs, "700");
        List<JsonNode> payouts = fixture.batch(program);
        String myPayout = payoutOf(payouts, mine);
        String theirPayout = payoutOf(payouts, theirs);
        api.post("/v1/payouts/" + myPayout + "/mark-paid", "{\"reference\":\"BANK-9\",\"method\":\"wise\"}")
                .expect(200);
        String key = partnerKey(mine);

        JsonNode page = api.send("GET", "/v1/me/payouts", null, key).expect(200).json();
        assertThat(page.get("items")).hasSize(1);
        JsonNode item = page.get("items").get(0);
        assertThat(item)
                .isEqualTo(api.get("/v1/payouts/" + myPayout).expect(200).json());
        assertThat(item.get("amount").asText()).isEqualTo("500");
        assertThat(item.get("reference").asText()).isEqualTo("BANK-9");
        assertThat(item.get("method").asText()).isEqualTo("wise");
        assertThat(PayoutFixture.texts(item.get("commissionIds"))).containsExactly(first);
        assertThat(api.send("GET", "/v1/me/payouts/" + myPayout, null, key)
                        .expect(200)
                        .json())
                .isEqualTo(item);
        api.send("GET", "/v1/me/payouts/" + theirPayout, null, key).expect(404);
    }
}
