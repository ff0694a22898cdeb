package clickledger.api.webhook;

import static clickledger.api.webhook.TestReceiver.await;
import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One receiver's trouble stays its own: the breaker, the per-endpoint limit, and disabling after days. */
class WebhookBreakerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(WebhookFixture.NO_WORKER);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static int attemptsOf(String endpointId) {
        return api.dsl()
                .select(DSL.coalesce(DSL.sum(WEBHOOK_DELIVERY.ATTEMPTS), DSL.inline(java.math.BigDecimal.ZERO)))
                .from(WEBHOOK_DELIVERY)
                .where(WEBHOOK_DELIVERY.ENDPOINT_ID.eq(Ulid.parse(endpointId).orElseThrow()))
                .fetchSingle(0, Integer.class);
    }

    private static JsonNode endpoint(String id) {
        return api.get("/v1/webhooks/" + id).expect(200).json();
    }

    @Test
    void openBreakerHoldsDeliveriesBackWithoutSpendingTheirAttempts() throws InterruptedException {
        Map<String, String> settings = Map.of(
                "WEBHOOK_BREAKER_THRESHOLD", "3",
                "WEBHOOK_BREAKER_COOLDOWN_SECONDS", "60",
                "WEBHOOK_ENDPOINT_CONCURRENCY", "1",
                "WEBHOOK_RETRY_BASE_SECONDS", "1");
        try (TestReceiver receiver = TestReceiver.answering(500);
                WebhookWorker worker = WebhookFixture.worker(api, api.clock(), settings, () -> 1.0)) {
            String endpointId =
                    WebhookFixture.createEndpoint(api, receiver.url("/failing")).id();
            List<String> deliveries = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                deliveries.add(WebhookFixture.sendTest(api, endpointId));
            }
            worker.start();

            await(
                    "the breaker to open",
                    WAIT,
                    () -> endpoint(endpointId).get("consecutiveFailures").asInt() == 3);
            Thread.sleep(300);

            assertThat(attemptsOf(endpointId)).isEqualTo(3);
            assertThat(receiver.received()).hasSize(3);
            assertThat(endpoint(endpointId).get("breakerOpenUntil").isNull()).isFalse();
            long untouched = deliveries.stream()
                    .filter(id ->
                            WebhookFixture.delivery(api, id).get("attemptCount").asInt() == 0)
                    .count();
            assertThat(untouched).isEqualTo(3);

            api.clock().advance(Duration.ofSeconds(61));
            await("one probe after the cool-down", WAIT, () -> attemptsOf(endpointId) == 4);
            Thread.sleep(300);
            assertThat(attemptsOf(endpointId)).isEqualTo(4);

            receiver.respond(request -> TestReceiver.Reply.status(200));
            api.clock().advance(Duration.ofSeconds(61));
            await("every delivery after the receiver recovered", WAIT, () -> deliveries.stream()
                    .allMatch(id -> "delivered".equals(WebhookFixture.status(api, id))));
            JsonNode recovered = endpoint(endpointId);
            assertThat(recovered.get("consecutiveFailures").asInt()).isZero();
            assertThat(recovered.get("failingSince").isNull()).isTrue();
            assertThat(recovered.get("breakerOpenUntil").isNull()).isTrue();
        }
    }

    @Test
    void hangingReceiverDoesNotDelayAHealthyOne() {
        Map<String, String> settings = Map.of(
                "WEBHOOK_TIMEOUT_SECONDS", "1",
                "WEBHOOK_BREAKER_THRESHOLD", "3",
                "WEBHOOK_CONCURRENCY", "8",
                "WEBHOOK_ENDPOINT_CONCURRENCY", "2");
        try (TestReceiver hanging = TestReceiver.start(
                        request -> TestReceiver.Reply.status(200).after(Duration.ofSeconds(20)));
                TestReceiver healthy = TestReceiver.answering(200);
                WebhookWorker worker = WebhookFixture.worker(api, api.clock(), settings, () -> 1.0)) {
            String hangingId =
                    WebhookFixture.createEndpoint(api, hanging.url("/slow")).id();
            String healthyId =
                    WebhookFixture.createEndpoint(api, healthy.url("/fast")).id();
            for (int i = 0; i < 20; i++) {
                WebhookFixture.sendTest(api, hangingId);
            }
            for (int i = 0; i < 20; i++) {
                WebhookFixture.sendTest(api, healthyId);
            }
            long started = System.nanoTime();
            worker.start();

            await(
                    "the healthy endpoint's deliveries",
                    Duration.ofSeconds(10),
                    () -> healthy.received().size() == 20);
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // The hanging receiver holds at most its own two slots for one timeout (1 s) at a time.
            assertThat(took).isLessThan(Duration.ofSeconds(3));
            assertThat(hanging.maxInFlight()).isLessThanOrEqualTo(2);
            await(
                    "the hanging endpoint's breaker",
                    WAIT,
                    () -> endpoint(hangingId).get("consecutiveFailures").asInt() >= 3);
            assertThat(attemptsOf(hangingId)).isLessThanOrEqualTo(4);
            assertThat(WebhookFixture.delivery(
                                    api, healthy.received().getFirst().deliveryId())
                            .at("/attempts/0/statusCode")
                            .asInt())
                    .isEqualTo(200);
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void endpointFailingForThreeDaysIsDisabledLoggedAndAudited() {
        Map<String, String> settings = Map.of(
                "WEBHOOK_BREAKER_THRESHOLD", "10000",
                "WEBHOOK_RETRY_BASE_SECONDS", "60",
                "WEBHOOK_RETRY_CAP_SECONDS", "3600",
                "WEBHOOK_MAX_ATTEMPTS", "100");
        try (TestReceiver receiver = TestReceiver.answering(503);
                WebhookWorker worker = WebhookFixture.worker(api, api.clock(), settings, () -> 1.0)
                        .start()) {
            String endpointId = WebhookFixture.createEndpoint(api, receiver.url("/abandoned"))
                    .id();
            String deliveryId = WebhookFixture.sendTest(api, endpointId);
            await("the first failure", WAIT, () -> !endpoint(endpointId)
                    .get("failingSince")
                    .isNull());

            api.clock().advance(Duration.ofHours(40));
            await(
                    "a failure after 40 hours",
                    WAIT,
                    () -> WebhookFixture.delivery(api, deliveryId)
                                    .get("attemptCount")
                                    .asInt()
                            == 2);
            assertThat(endpoint(endpointId).get("enabled").asBoolean()).isTrue();
            api.clock().advance(Duration.ofHours(33));
            await("the endpoint to be disabled", WAIT, () -> !endpoint(endpointId)
                    .get("enabled")
                    .asBoolean());

            JsonNode disabled = endpoint(endpointId);
            assertThat(disabled.get("disabledReason").asText()).startsWith("failing since");
            assertThat(api.dsl()
                            .fetchCount(
                                    AUDIT_LOG,
                                    AUDIT_LOG
                                            .ACTION
                                            .eq("webhook.disabled")
                                            .and(AUDIT_LOG.ACTOR.eq("system:webhooks"))
                                            .and(AUDIT_LOG.ENTITY_ID.eq(endpointId))))
                    .isEqualTo(1);
            assertThat(WebhookFixture.status(api, deliveryId)).isEqualTo("pending");

            JsonNode reenabled = api.patch("/v1/webhooks/" + endpointId, "{\"enabled\":true}")
                    .expect(200)
                    .json();
            assertThat(reenabled.get("disabledReason").isNull()).isTrue();
            assertThat(reenabled.get("failingSince").isNull()).isTrue();
            assertThat(reenabled.get("consecutiveFailures").asInt()).isZero();
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void successfulDeliveryRestartsTheThreeDays() {
        Map<String, String> settings = Map.of(
                "WEBHOOK_BREAKER_THRESHOLD", "10000",
                "WEBHOOK_RETRY_BASE_SECONDS", "60",
                "WEBHOOK_RETRY_CAP_SECONDS", "3600");
        try (TestReceiver receiver =
                        TestReceiver.start(request -> TestReceiver.Reply.status(request.index() == 1 ? 200 : 500));
                WebhookWorker worker = WebhookFixture.worker(api, api.clock(), settings, () -> 1.0)
                        .start()) {
            String endpointId =
                    WebhookFixture.createEndpoint(api, receiver.url("/wobbly")).id();
            String deliveryId = WebhookFixture.sendTest(api, endpointId);
            // Recorded, not just received: moving the clock past a lease in flight would send it twice.
            await(
                    "the first failure",
                    WAIT,
                    () -> WebhookFixture.delivery(api, deliveryId)
                                    .get("attemptCount")
                                    .asInt()
                            == 1);

            api.clock().advance(Duration.ofHours(48));
            await("the success", WAIT, () -> endpoint(endpointId)
                    .get("failingSince")
                    .isNull());
            api.clock().advance(Duration.ofHours(48));
            WebhookFixture.sendTest(api, endpointId);
            await("the failure after the success", WAIT, () -> !endpoint(endpointId)
                    .get("failingSince")
                    .isNull());

            assertThat(endpoint(endpointId).get("enabled").asBoolean()).isTrue();
        }
    }
}
