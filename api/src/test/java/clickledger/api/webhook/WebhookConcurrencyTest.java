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

    private static Map<String, String> withPool(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("DB_POOL_SIZE", "10");
        return all;
    }
}
