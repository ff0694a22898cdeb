package clickledger.api.webhook;

import static clickledger.api.webhook.TestReceiver.await;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retries against a real receiver, on a clock the test moves: the schedule is exact (jitter fixed
 * at its ceiling), so three days of backoff take a few seconds.
 */
class WebhookRetryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, String> SCHEDULE = Map.of(
            "WEBHOOK_RETRY_BASE_SECONDS", "1",
            "WEBHOOK_RETRY_CAP_SECONDS", "600",
            "WEBHOOK_MAX_ATTEMPTS", "5",
            "WEBHOOK_BREAKER_THRESHOLD", "1000");
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(WebhookFixture.NO_WORKER);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static WebhookWorker worker(Map<String, String> overrides) {
        Map<String, String> settings = new java.util.HashMap<>(SCHEDULE);
        settings.putAll(overrides);
        return WebhookFixture.worker(api, api.clock(), settings, () -> 1.0).start();
    }

    private static int attemptCount(String deliveryId) {
        return WebhookFixture.delivery(api, deliveryId).get("attemptCount").asInt();
    }

    /** Waits for the given attempt's outcome, then moves the clock to when the next one is due. */
    private static void awaitAttemptThenJumpToTheNext(String deliveryId, int attempt) {
        await("attempt " + attempt, WAIT, () -> attemptCount(deliveryId) == attempt);
        JsonNode delivery = WebhookFixture.delivery(api, deliveryId);
        Instant next = Instant.parse(delivery.get("nextAttemptAt").asText());
        Instant now = api.clock().instant();
        if (next.isAfter(now)) {
            api.clock().set(next);
        }
    }

    private static List<Duration> gapsBetweenAttempts(String deliveryId) {
        JsonNode attempts = WebhookFixture.delivery(api, deliveryId).get("attempts");
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < attempts.size(); i++) {
            gaps.add(Duration.between(
                    Instant.parse(attempts.get(i - 1).get("attemptedAt").asText()),
                    Instant.parse(attempts.get(i).get("attemptedAt").asText())));
        }
        return gaps;
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void receiverFailingThreeTimesGetsExactlyOneSuccessAfterGrowingWaits() throws InterruptedException {
        try (TestReceiver receiver =
                        TestReceiver.start(request -> TestReceiver.Reply.status(request.index() < 3 ? 500 : 200));
                WebhookWorker worker = worker(Map.of())) {
            String deliveryId = WebhookFixture.sendTest(
                    api,
                    WebhookFixture.createEndpoint(api, receiver.url("/flaky")).id());

            for (int attempt = 1; attempt <= 3; attempt++) {
                awaitAttemptThenJumpToTheNext(deliveryId, attempt);
            }
            await("the delivery", WAIT, () -> "delivered".equals(WebhookFixture.status(api, deliveryId)));
            Thread.sleep(200);

            assertThat(receiver.received()).hasSize(4);
            assertThat(receiver.received())
                    .extracting(TestReceiver.Received::deliveryId)
                    .containsOnly(deliveryId);
            JsonNode attempts = WebhookFixture.delivery(api, deliveryId).get("attempts");
            assertThat(attempts)
                    .extracting(attempt -> attempt.get("statusCode").asInt())
                    .containsExactly(500, 500, 500, 200);
            List<Duration> gaps = gapsBetweenAttempts(deliveryId);
            // Ceilings of base 1 s: 2 s, 4 s, 8 s (plus the few milliseconds each attempt takes on the clock).
            assertThat(gaps.get(0)).isBetween(Duration.ofSeconds(2), Duration.ofMillis(2500));
            assertThat(gaps.get(1)).isBetween(Duration.ofSeconds(4), Duration.ofMillis(4500));
            assertThat(gaps.get(2)).isBetween(Duration.ofSeconds(8), Duration.ofMillis(8500));
            assertThat(WebhookFixture.delivery(api, deliveryId)
                            .get("attemptCount")
                            .asInt())
                    .isEqualTo(4);
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void retryAfterInSecondsIsHonouredAndCappedAtTheCap() {
        try (TestReceiver receiver = TestReceiver.start(request -> switch (request.index()) {
                    case 0 -> TestReceiver.Reply.status(503).withHeader("Retry-After", "120");
                    case 1 -> TestReceiver.Reply.status(429).withHeader("Retry-After", "100000");
                    default -> TestReceiver.Reply.status(200);
                });
                WebhookWorker worker = worker(Map.of())) {
            String deliveryId = WebhookFixture.sendTest(
                    api,
                    WebhookFixture.createEndpoint(api, receiver.url("/busy")).id());

            awaitAttemptThenJumpToTheNext(deliveryId, 1);
            awaitAttemptThenJumpToTheNext(deliveryId, 2);
            await("the delivery", WAIT, () -> "delivered".equals(WebhookFixture.status(api, deliveryId)));

            List<Duration> gaps = gapsBetweenAttempts(deliveryId);
            assertThat(gaps.get(0)).isBetween(Duration.ofSeconds(120), Duration.ofMillis(120_500));
            assertThat(gaps.get(1)).isBetween(Duration.ofSeconds(600), Duration.ofMillis(600_500));
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void retryAfterAsAnHttpDateIsHonoured() {
        try (TestReceiver receiver = TestReceiver.start(request -> request.index() == 0
                        ? TestReceiver.Reply.status(503)
                                .withHeader(
                                        "Retry-After",
                                        DateTimeFormatter.RFC_1123_DATE_TIME.format(api.clock()
                                                .instant()
                                                .plusSeconds(300)
                                                .atOffset(ZoneOffset.UTC)))
                        : TestReceiver.Reply.status(204));
                WebhookWorker worker = worker(Map.of())) {
            String deliveryId = WebhookFixture.sendTest(
                    api,
                    WebhookFixture.createEndpoint(api, receiver.url("/maintenance"))
                            .id());

            awaitAttemptThenJumpToTheNext(deliveryId, 1);
            await("the delivery", WAIT, () -> "delivered".equals(WebhookFixture.status(api, deliveryId)));

            // The date has whole seconds, so the wait lands within a second of 300 s.
            assertThat(gapsBetweenAttempts(deliveryId).getFirst())
                    .isBetween(Duration.ofSeconds(299), Duration.ofSeconds(301));
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void deliveryIsDeadAfterTheLimitAndGoesOutWhenRedeliveredByHand() throws InterruptedException {
        try (TestReceiver receiver = TestReceiver.answering(500);
                WebhookWorker worker = worker(Map.of("WEBHOOK_MAX_ATTEMPTS", "3"))) {
            String deliveryId = WebhookFixture.sendTest(
                    api,
                    WebhookFixture.createEndpoint(api, receiver.url("/down")).id());

            awaitAttemptThenJumpToTheNext(deliveryId, 1);
            awaitAttemptThenJumpToTheNext(deliveryId, 2);
            await("the dead status", WAIT, () -> "dead".equals(WebhookFixture.status(api, deliveryId)));
            api.clock().advance(Duration.ofHours(1));
            Thread.sleep(200);

            JsonNode dead = WebhookFixture.delivery(api, deliveryId);
            assertThat(dead.get("attemptCount").asInt()).isEqualTo(3);
            assertThat(dead.get("nextAttemptAt").isNull()).isTrue();
            assertThat(dead.get("lastStatusCode").asInt()).isEqualTo(500);
            assertThat(receiver.received()).hasSize(3);

            receiver.respond(request -> TestReceiver.Reply.status(200));
            api.post("/v1/webhooks/deliveries/" + deliveryId + "/redeliver", null)
                    .expect(202);
            await("the redelivery", WAIT, () -> "delivered".equals(WebhookFixture.status(api, deliveryId)));

            assertThat(receiver.received()).hasSize(4);
            assertThat(receiver.received())
                    .extracting(TestReceiver.Received::deliveryId)
                    .containsOnly(deliveryId);
            assertThat(WebhookFixture.delivery(api, deliveryId).get("attempts"))
                    .extracting(attempt -> attempt.get("statusCode").asInt())
                    .containsExactly(500, 500, 500, 200);
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void connectionFailuresAreRetriedLikeHttpFailures() {
        TestReceiver closed = TestReceiver.answering(200);
        String url = closed.url("/gone");
        closed.close();
        try (WebhookWorker worker = worker(Map.of())) {
            String deliveryId = WebhookFixture.sendTest(
                    api, WebhookFixture.createEndpoint(api, url).id());

            await("the failed attempt", WAIT, () -> attemptCount(deliveryId) == 1);

            JsonNode delivery = WebhookFixture.delivery(api, deliveryId);
            assertThat(delivery.get("status").asText()).isEqualTo("pending");
            assertThat(delivery.get("lastError").asText()).startsWith("connection_failed");
            assertThat(delivery.at("/attempts/0/statusCode").isNull()).isTrue();
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void redirectsAreNotFollowed() {
        try (TestReceiver target = TestReceiver.answering(200);
                TestReceiver redirecting = TestReceiver.start(
                        request -> TestReceiver.Reply.status(307).withHeader("Location", target.url("/elsewhere")));
                WebhookWorker worker = worker(Map.of())) {
            String deliveryId = WebhookFixture.sendTest(
                    api,
                    WebhookFixture.createEndpoint(api, redirecting.url("/moved"))
                            .id());

            await("the failed attempt", WAIT, () -> attemptCount(deliveryId) == 1);

            assertThat(WebhookFixture.delivery(api, deliveryId)
                            .get("lastStatusCode")
                            .asInt())
                    .isEqualTo(307);
            assertThat(target.received()).isEmpty();
        }
    }
}
