package clickledger.api.payout;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Commissions made the way production makes them (a click, identify, an event, approval through
 * the api), for payout tests. Programs pay 100 % of the event's value, so a commission's amount is
 * the value the test names.
 */
final class PayoutFixture {
    static final String ALL_OF_IT = "[{\"kind\":\"percent\",\"amount\":\"100\"}]";

    final TestApi api;
    final Ledger ledger;

    PayoutFixture(TestApi api) {
        this.api = api;
        this.ledger = new Ledger(api);
    }

    String program(String currency) {
        return ledger.program(currency, "last_click", ALL_OF_IT);
    }

    Ledger.Partner partner(String programId) {
        return ledger.partner(programId);
    }

    /** A purchase whose commission is exactly {@code amount}; returns it (its id, eventId and amount). */
    Earned earnPending(String programId, Ledger.Partner partner, String amount) {
        Instant now = api.clock().instant();
        String user = TestApi.unique("buyer-");
        ledger.identify(ledger.click(programId, partner, now.minus(Duration.ofHours(1))), user)
                .expect(201);
        String eventId = TestApi.unique("order-");
        JsonNode event = ledger.event(programId, eventId, user, amount, now.minusSeconds(1))
                .expect(201)
                .json();
        JsonNode commission = event.at("/commissions/0");
        return new Earned(
                commission.get("id").asText(),
                eventId,
                user,
                commission.get("amount").asText());
    }

    /** As {@link #earnPending}, then approved. */
    Earned earn(String programId, Ledger.Partner partner, String amount) {
        Earned earned = earnPending(programId, partner, amount);
        api.post("/v1/commissions/" + earned.id() + "/approve", "{}").expect(200);
        return earned;
    }

    /** Refunds the whole purchase; returns the reversal rows it wrote. */
    JsonNode refund(String programId, Earned earned) {
        return api.post(
                        "/v1/events",
                        """
                        {"programId":"%s","eventId":"%s","userId":"%s","type":"refund","refundOf":"%s"}"""
                                .formatted(programId, TestApi.unique("refund-"), earned.userId(), earned.eventId()))
                .expect(201)
                .json()
                .get("commissions");
    }

    record Earned(String id, String eventId, String userId, String amount) {}

    /** POST /v1/payouts; the created payouts. */
    List<JsonNode> batch(String programId) {
        return batchWith("{\"programId\":\"%s\"}".formatted(programId));
    }

    List<JsonNode> batchWith(String body) {
        return items(api.post("/v1/payouts", body).expect(201).json());
    }

    JsonNode commission(String id) {
        return api.get("/v1/commissions/" + id).expect(200).json();
    }

    static List<JsonNode> items(JsonNode page) {
        List<JsonNode> items = new ArrayList<>();
        page.get("items").forEach(items::add);
        return items;
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    static BigDecimal decimal(JsonNode node) {
        return new BigDecimal(node.asText());
    }
}
