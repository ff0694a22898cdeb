package clickledger.api.webhook;

import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The outbox writes deliveries inside the caller's transaction, for exactly the endpoints that want them. */
class WebhookOutboxTest {

    private static List<JsonNode> payloadsOf(TestApi api, String endpointId) {
        return api.dsl()
                .select(WEBHOOK_DELIVERY.PAYLOAD)
                .from(WEBHOOK_DELIVERY)
                .where(WEBHOOK_DELIVERY.ENDPOINT_ID.eq(Ulid.parse(endpointId).orElseThrow()))
                .orderBy(WEBHOOK_DELIVERY.ID)
                .fetch(row -> {
                    try {
                        return Json.MAPPER.readTree(row.value1().data());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }

    @Test
    void rolledBackChangeQueuesNothing() {
        try (TestApi api = TestApi.start(WebhookFixture.NO_WORKER)) {
            String endpointId = WebhookFixture.createEndpoint(api, "http://127.0.0.1:9/hook")
                    .id();
            WebhookOutbox outbox = new WebhookOutbox(api.clock());

            assertThatThrownBy(() -> api.dsl().transaction(trx -> {
                        assertThat(outbox.publish(trx.dsl(), WebhookEvents.PARTNER_CREATED, Map.of("a", 1), "p1", 1))
                                .isEqualTo(1);
                        throw new IllegalStateException("the change failed after its webhook was queued");
                    }))
                    .hasMessage("the change failed after its webhook was queued");
            // A partner whose email is taken: the service's transaction fails and queues nothing.
            String email = TestApi.unique("taken") + "@example.com";
            api.post("/v1/partners", "{\"email\":\"%s\",\"name\":\"A\"}".formatted(email))
                    .expect(201);
            api.post("/v1/partners", "{\"email\":\"%s\",\"name\":\"B\"}".formatted(email))
                    .expect(409);

            assertThat(payloadsOf(api, endpointId))
                    .extracting(payload -> payload.get("type").asText())
                    .containsExactly("partner.created");
        }
    }

    @Test
    void eachEnabledSubscribedEndpointGetsOneRowWithTheEnvelope() {
        try (TestApi api = TestApi.start(WebhookFixture.NO_WORKER)) {
            String all =
                    WebhookFixture.createEndpoint(api, "http://127.0.0.1:9/all").id();
            String links = WebhookFixture.createEndpoint(api, "http://127.0.0.1:9/links", "[\"link.created\"]")
                    .id();
            String disabled =
                    WebhookFixture.createEndpoint(api, "http://127.0.0.1:9/off").id();
            api.patch("/v1/webhooks/" + disabled, "{\"enabled\":false}").expect(200);
            String deleted = WebhookFixture.createEndpoint(api, "http://127.0.0.1:9/gone")
                    .id();
            api.send("DELETE", "/v1/webhooks/" + deleted, null, TestApi.ADMIN_KEY)
                    .expect(204);
            WebhookOutbox outbox = new WebhookOutbox(api.clock());

            int partnerRows = api.dsl()
                    .transactionResult(trx -> outbox.publish(
                            trx.dsl(), WebhookEvents.PARTNER_CREATED, Map.of("id", "p-1", "name", "Ada"), "p-1", 42L));
            int linkRows = api.dsl()
                    .transactionResult(trx ->
                            outbox.publish(trx.dsl(), WebhookEvents.LINK_CREATED, Map.of("id", "l-1"), "l-1", 43L));

            assertThat(partnerRows).isEqualTo(1);
            assertThat(linkRows).isEqualTo(2);
            assertThat(payloadsOf(api, disabled)).isEmpty();
            assertThat(payloadsOf(api, deleted)).isEmpty();
            assertThat(payloadsOf(api, links))
                    .extracting(p -> p.get("type").asText())
                    .containsExactly("link.created");
            JsonNode envelope = payloadsOf(api, all).getFirst();
            assertThat(envelope.get("type").asText()).isEqualTo("partner.created");
            assertThat(envelope.at("/data/name").asText()).isEqualTo("Ada");
            assertThat(envelope.at("/resource/id").asText()).isEqualTo("p-1");
            assertThat(envelope.at("/resource/version").asLong()).isEqualTo(42L);
            assertThat(envelope.get("createdAt").asText()).endsWith("Z");
            UUID rowId = api.dsl()
                    .select(WEBHOOK_DELIVERY.ID)
                    .from(WEBHOOK_DELIVERY)
                    .where(WEBHOOK_DELIVERY.ENDPOINT_ID.eq(Ulid.parse(all).orElseThrow()))
                    .orderBy(WEBHOOK_DELIVERY.ID)
                    .limit(1)
                    .fetchSingle(WEBHOOK_DELIVERY.ID);
            assertThat(envelope.get("id").asText()).isEqualTo(Ulid.encode(rowId));
        }
    }

    @Test
    void bulkPublishWritesEveryRowInFewStatements() {
        try (TestApi api = TestApi.start(WebhookFixture.NO_WORKER)) {
            String endpointId = WebhookFixture.createEndpoint(api, "http://127.0.0.1:9/bulk")
                    .id();
            List<WebhookEvent> events = new ArrayList<>();
            for (int i = 0; i < 2500; i++) {
                events.add(new WebhookEvent(WebhookEvents.COMMISSION_APPROVED, Map.of("n", i), "c-" + i, i));
            }

            int rows = api.dsl().transactionResult(trx -> new WebhookOutbox(api.clock()).publish(trx.dsl(), events));

            assertThat(rows).isEqualTo(2500);
            assertThat(payloadsOf(api, endpointId)).hasSize(2500);
        }
    }

    @Test
    void nobodyListeningQueuesNothingAndUnknownTypesAreRefused() {
        try (TestApi api = TestApi.start(WebhookFixture.NO_WORKER)) {
            WebhookOutbox outbox = new WebhookOutbox(api.clock());

            int queued = api.dsl()
                    .transactionResult(trx -> outbox.publish(trx.dsl(), WebhookEvents.PAYOUT_PAID, Map.of(), "x", 1));

            assertThat(queued).isZero();
            assertThatThrownBy(() -> outbox.publish(api.dsl(), "payout.lost", Map.of(), "x", 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("payout.lost");
            assertThatThrownBy(() -> outbox.publish(api.dsl(), WebhookEvents.TEST, Map.of(), "x", 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
