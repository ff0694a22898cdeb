package clickledger.api.webhook;

import static clickledger.api.webhook.TestReceiver.await;
import static clickledger.db.jooq.Tables.WEBHOOK_ATTEMPT;
import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.testkit.PostgresFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Several workers on one queue, and workers that stop mid-delivery: nothing twice, nothing lost. */
class WebhookConcurrencyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static int delivered(TestApi api) {
        return api.dsl().fetchCount(WEBHOOK_DELIVERY, WEBHOOK_DELIVERY.STATUS.eq("delivered"));
    }

    /** Queues {@code events} partner.created events, one delivery per endpoint each, in one transaction. */
    private static void queue(TestApi api, int events) {
        List<WebhookEvent> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            batch.add(new WebhookEvent(WebhookEvents.PARTNER_CREATED, Map.of("n", i), "partner-" + i, i));
        }
        api.dsl().transaction(trx -> new WebhookOutbox(api.clock()).publish(trx.dsl(), batch));
    }

    private static String databaseUrl(TestApi api) {
        return PostgresFixture.postgresUrl(api.app().database().config().primary());
    }

    @Test
    void twoWorkersNeverDeliverTheSameDeliveryTwice() {
        Map<String, String> settings = Map.of("WEBHOOK_CONCURRENCY", "8", "WEBHOOK_ENDPOINT_CONCURRENCY", "4");
        try (TestApi api = TestApi.start(withPool(WebhookFixture.NO_WORKER));
                TestReceiver receiver = TestReceiver.answering(200)) {
            for (int i = 0; i < 4; i++) {
                WebhookFixture.createEndpoint(api, receiver.url("/endpoint-" + i));
            }
            queue(api, 150);
            try (WebhookWorker first = WebhookFixture.worker(api, api.clock(), settings, () -> 1.0);
                    WebhookWorker second = WebhookFixture.worker(api, api.clock(), settings, () -> 1.0)) {
                first.start();
                second.start();

                await("600 deliveries", WAIT, () -> delivered(api) == 600);
            }

            List<String> ids = receiver.received().stream()
                    .map(TestReceiver.Received::deliveryId)
                    .toList();
            assertThat(ids).hasSize(600);
            assertThat(Set.copyOf(ids)).hasSize(600);
            assertThat(api.dsl().fetchCount(WEBHOOK_ATTEMPT)).isEqualTo(600);
            assertThat(receiver.maxInFlight()).isLessThanOrEqualTo(16);
        }
    }

    @Test
    void twoApiProcessesOnOneDatabaseShareTheQueue() {
        try (TestReceiver receiver = TestReceiver.answering(200);
                TestApi first = TestApi.start(withPool(WebhookFixture.LOCAL_DELIVERY))) {
            Map<String, String> sameDatabase = new HashMap<>(withPool(WebhookFixture.LOCAL_DELIVERY));
            sameDatabase.put("DATABASE_URL", databaseUrl(first));
            try (TestApi second = TestApi.start(sameDatabase)) {
                WebhookFixture.createEndpoint(first, receiver.url("/a"));
                WebhookFixture.createEndpoint(second, receiver.url("/b"));

                queue(first, 200);

                await("400 deliveries", WAIT, () -> delivered(first) == 400);
            }
            Map<String, Long> perId = receiver.received().stream()
                    .collect(Collectors.groupingBy(TestReceiver.Received::deliveryId, Collectors.counting()));
            assertThat(perId).hasSize(400);
            assertThat(perId.values()).containsOnly(1L);
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void deliveryLeasedByAWorkerThatDiedGoesOutWhenTheLeaseEnds() throws InterruptedException {
        try (TestApi api = TestApi.start(WebhookFixture.NO_WORKER);
                TestReceiver receiver = TestReceiver.answering(200)) {
            String deliveryId = WebhookFixture.sendTest(
                    api, WebhookFixture.createEndpoint(api, receiver.url("/x")).id());
            // A worker that claimed the delivery and died before sending it.
            assertThat(new DeliveryRepository(api.dsl()).claim(8, 2, api.clock().instant(), Duration.ofSeconds(50)))
                    .hasSize(1);

            try (WebhookWorker worker =
                    WebhookFixture.worker(api, api.clock(), Map.of(), () -> 1.0).start()) {
                Thread.sleep(300);
                assertThat(receiver.received()).isEmpty();
                assertThat(WebhookFixture.status(api, deliveryId)).isEqualTo("pending");

                api.clock().advance(Duration.ofSeconds(51));

                await("the delivery after the lease", WAIT, () -> "delivered"
                        .equals(WebhookFixture.status(api, deliveryId)));
            }
            assertThat(receiver.received()).hasSize(1);
            assertThat(WebhookFixture.delivery(api, deliveryId).get("attempts")).hasSize(1);
        }
    }

    @Test
    void apiStoppedMidDeliveryLosesNothing() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        try (TestReceiver receiver = TestReceiver.start(request -> {
            if (request.index() == 0) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return TestReceiver.Reply.status(200);
        })) {
            TestApi first = TestApi.start(WebhookFixture.LOCAL_DELIVERY);
            String url = databaseUrl(first);
            String deliveryId;
            try {
                deliveryId = WebhookFixture.sendTest(
                        first,
                        WebhookFixture.createEndpoint(first, receiver.url("/slow"))
                                .id());
                await(
                        "the first attempt to be in flight",
                        WAIT,
                        () -> receiver.received().size() == 1);
            } finally {
                first.close();
            }

            Map<String, String> restarted = new HashMap<>(WebhookFixture.LOCAL_DELIVERY);
            restarted.put("DATABASE_URL", url);
            try (TestApi second = TestApi.start(restarted)) {
                Thread.sleep(300);
                assertThat(WebhookFixture.status(second, deliveryId)).isEqualTo("pending");
                second.clock().advance(Duration.ofMinutes(2));

                await("the delivery after the restart", WAIT, () -> "delivered"
                        .equals(WebhookFixture.status(second, deliveryId)));

                assertThat(receiver.received())
                        .extracting(TestReceiver.Received::deliveryId)
                        .containsExactly(deliveryId, deliveryId);
                assertThat(WebhookFixture.delivery(second, deliveryId).get("attempts"))
                        .extracting(attempt -> attempt.get("statusCode").asInt())
                        .containsExactly(200);
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the worker delivers while the block runs; closing it is the point
    void defaultLimitsSendManyAtOnceButAtMostEightToOneEndpoint() {
        int endpoints = 10;
        try (TestApi api = TestApi.start(withPool(WebhookFixture.NO_WORKER));
                TestReceiver receiver = TestReceiver.start(
                        request -> TestReceiver.Reply.status(204).after(Duration.ofMillis(100)))) {
            for (int i = 0; i < endpoints; i++) {
                WebhookFixture.createEndpoint(api, receiver.url("/endpoint-" + i));
            }
            queue(api, 40);
            // No concurrency settings: the defaults (64 in flight, 8 per endpoint).
            try (WebhookWorker worker =
                    WebhookFixture.worker(api, api.clock(), Map.of(), () -> 1.0).start()) {
                await("400 deliveries", WAIT, () -> delivered(api) == 400);
            }

            assertThat(receiver.received()).hasSize(400);
            assertThat(receiver.maxInFlight()).isGreaterThan(8).isLessThanOrEqualTo(64);
            int mostToOne = 0;
            for (int i = 0; i < endpoints; i++) {
                int toThis = receiver.maxInFlight("/endpoint-" + i);
                assertThat(toThis).as("requests open at once to endpoint %d", i).isLessThanOrEqualTo(8);
                mostToOne = Math.max(mostToOne, toThis);
            }
            assertThat(mostToOne).isGreaterThan(2);
        }
    }

    @Test
    void failedAttemptsWriteTheirOutcomesOnceAndOnAtMostTwoConnections() {
        // Every request in flight fails at once, and the breaker stays shut: without the bound, 32
        // outcome transactions would ask the pool (10) for a connection together.
        Map<String, String> settings = Map.of(
                "WEBHOOK_CONCURRENCY", "32",
                "WEBHOOK_ENDPOINT_CONCURRENCY", "32",
                "WEBHOOK_BREAKER_THRESHOLD", "10000");
        try (TestApi api = TestApi.start(withPool(WebhookFixture.NO_WORKER));
                TestReceiver receiver = TestReceiver.answering(500)) {
            WebhookFixture.createEndpoint(api, receiver.url("/failing"));
            queue(api, 200);
            int mostAtOnce;
            try (WebhookWorker worker =
                    WebhookFixture.worker(api, api.clock(), settings, () -> 1.0).start()) {
                await(
                        "200 failed attempts written",
                        WAIT,
                        () -> api.dsl()
                                        .fetchCount(
                                                WEBHOOK_DELIVERY,
                                                WEBHOOK_DELIVERY
                                                        .ATTEMPTS
                                                        .eq(1)
                                                        .and(WEBHOOK_DELIVERY.LEASE_TOKEN.isNull()))
                                == 200);
                mostAtOnce = worker.mostFailureWritesAtOnce();
            }

            assertThat(mostAtOnce).isBetween(1, WebhookWorker.FAILURE_WRITERS);
            assertThat(receiver.received()).hasSize(200);
            assertThat(api.dsl().fetchCount(WEBHOOK_ATTEMPT)).isEqualTo(200);
            assertThat(api.dsl()
                            .fetchCount(
                                    WEBHOOK_DELIVERY,
                                    WEBHOOK_DELIVERY
                                            .STATUS
                                            .eq("pending")
                                            .and(WEBHOOK_DELIVERY.LAST_STATUS_CODE.eq(500))
                                            .and(WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT.gt(WebhookRepository.utc(
                                                    api.clock().instant())))))
                    .isEqualTo(200);
        }
    }

    private static Map<String, String> withPool(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("DB_POOL_SIZE", "10");
        return all;
    }
}
