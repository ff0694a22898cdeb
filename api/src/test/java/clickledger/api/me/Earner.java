package clickledger.api.me;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.api.onboarding.Onboard;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.StreamSupport;

/**
 * A partner with everything a partner can own: an account (signed in through its invitation), a
 * partner key, a link, clicks on it, commissions from purchases, and a payout of one of them.
 */
record Earner(
        String partnerId,
        String email,
        String session,
        String key,
        String linkId,
        String cref,
        String pendingCommission,
        String paidCommission,
        String payoutId) {
    /** A program paying 10 % in USD. */
    static String program(TestApi api) {
        return new Ledger(api).program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
    }

    /**
     * A partner of the program that sold for 49.00 (commission 4.90, pending) and 20.00 (2.00,
     * approved then paid out in a payout of its own).
     */
    static Earner in(TestApi api, String program) {
        Onboard.SignedInPartner person = Onboard.partner(api, program);
        String key = api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"partner\",\"name\":\"p\",\"partnerId\":\"%s\"}".formatted(person.partnerId()))
                .expect(201)
                .json()
                .get("key")
                .asText();
        String linkId = api.post(
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(program, person.partnerId()))
                .expect(201)
                .json()
                .get("id")
                .asText();
        Ledger ledger = new Ledger(api);
        Ledger.Partner partner = new Ledger.Partner(person.partnerId(), linkId);
        // Clicks as they happen (now, after the rollup's last run, so the stats count them live),
        // then the purchases a minute later.
        Instant clicked = api.clock().instant();
        String first = ledger.click(program, partner, clicked);
        String cref = ledger.click(program, partner, clicked.plusMillis(1));
        String second = ledger.click(program, partner, clicked.plusMillis(2));
        api.clock().advance(Duration.ofMinutes(2));
        String pending = sale(api, ledger, program, first, "49.00", clicked.plusSeconds(60));
        String paid = sale(api, ledger, program, second, "20.00", clicked.plusSeconds(60));
        api.post("/v1/commissions/" + paid + "/approve", null).expect(200);
        // Paid out as an admin pays: a batch (which finds only this approved commission of the
        // partner), then mark-paid.
        String payout = StreamSupport.stream(
                        api.post("/v1/payouts", "{\"programId\":\"%s\"}".formatted(program))
                                .expect(201)
                                .json()
                                .get("items")
                                .spliterator(),
                        false)
                .filter(item -> item.get("partnerId").asText().equals(person.partnerId()))
                .findFirst()
                .orElseThrow()
                .get("id")
                .asText();
        api.post("/v1/payouts/" + payout + "/mark-paid", "{\"reference\":\"PAY-" + payout + "\"}")
                .expect(200);
        return new Earner(
                person.partnerId(), person.email(), person.session(), key, linkId, cref, pending, paid, payout);
    }

    private static String sale(TestApi api, Ledger ledger, String program, String cref, String value, Instant at) {
        String user = TestApi.unique("user-");
        ledger.identify(cref, user).expect(201);
        JsonNode event = ledger.event(program, TestApi.unique("order-"), user, value, at)
                .expect(201)
                .json();
        return event.at("/commissions/0/id").asText();
    }

    static UUID uuid(String id) {
        return Ulid.parse(id).orElseThrow();
    }
}
