package clickledger.api.event;

import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LedgerWebhooksTest {
    private static final Instant NOW = TestApi.START;
    private static TestApi api;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("WEBHOOK_ALLOW_PRIVATE", "true", "WEBHOOK_WORKER_ENABLED", "false"));
        ledger = new Ledger(api);
        api.post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/hook\"}").expect(201);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static Map<String, Integer> outbox() {
        return api.dsl()
                .select(WEBHOOK_DELIVERY.EVENT_TYPE, DSL.count())
                .from(WEBHOOK_DELIVERY)
                .groupBy(WEBHOOK_DELIVERY.EVENT_TYPE)
                .fetchMap(WEBHOOK_DELIVERY.EVENT_TYPE, r -> r.get(1, Integer.class));
    }

    @Test
    void conversionsCommissionsApprovalsAndRefundsReachTheOutbox() {
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, partner, NOW.minus(Duration.ofDays(1))), user)
                .expect(201);
        String commission = ledger.event(program, "wh-1", user, "10.00", NOW.minusSeconds(5))
                .expect(201)
                .json()
                .at("/commissions/0/id")
                .asText();
        assertThat(outbox()).containsEntry("conversion.created", 1).containsEntry("commission.created", 1);
        api.post("/v1/commissions/" + commission + "/approve", "{}").expect(200);
        assertThat(outbox()).containsEntry("commission.approved", 1);
        api.post(
                        "/v1/events",
                        """
                {"programId":"%s","eventId":"wh-r","userId":"%s","type":"refund","refundOf":"wh-1"}"""
                                .formatted(program, user))
                .expect(201);
        assertThat(outbox()).containsEntry("commission.reversed", 1);
    }

    @Test
    void aRejectedEventWritesNothingToTheOutbox() {
        int before = outbox().values().stream().mapToInt(Integer::intValue).sum();
        String program = ledger.program("USD", "last_click", "[]");
        api.post(
                        "/v1/events",
                        "{\"programId\":\"%s\",\"eventId\":\"bad\",\"userId\":\"u\",\"type\":\"purchase\",\"value\":\"1.001\"}"
                                .formatted(program))
                .expect(400);
        assertThat(outbox().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(before);
    }
}
