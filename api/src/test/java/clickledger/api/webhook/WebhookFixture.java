package clickledger.api.webhook;

import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;

import clickledger.api.TestApi;
import clickledger.api.outbox.RetrySchedule;
import clickledger.api.secret.SecretBox;
import clickledger.common.config.EnvReader;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/** Shared steps of the webhook tests. */
final class WebhookFixture {
    /** An api whose own worker delivers to local receivers and polls often. */
    static final Map<String, String> LOCAL_DELIVERY =
            Map.of("WEBHOOK_ALLOW_PRIVATE", "true", "WEBHOOK_POLL_INTERVAL_MS", "20");

    /** An api that only serves the routes: the test drives its own workers. */
    static final Map<String, String> NO_WORKER =
            Map.of("WEBHOOK_ALLOW_PRIVATE", "true", "WEBHOOK_WORKER_ENABLED", "false");

    private WebhookFixture() {}

    record Endpoint(String id, String secret) {}

    static Endpoint createEndpoint(TestApi api, String url) {
        return createEndpoint(api, url, null);
    }

    /** @param eventTypes a JSON array, or null for every type */
    static Endpoint createEndpoint(TestApi api, String url, String eventTypes) {
        String body = eventTypes == null
                ? "{\"url\":\"%s\"}".formatted(url)
                : "{\"url\":\"%s\",\"eventTypes\":%s}".formatted(url, eventTypes);
        JsonNode created = api.post("/v1/webhooks", body).expect(201).json();
        return new Endpoint(created.get("id").asText(), created.get("secret").asText());
    }

    /** Queues a webhook.test delivery and returns its id. */
    static String sendTest(TestApi api, String endpointId) {
        return api.post("/v1/webhooks/" + endpointId + "/test", null)
                .expect(202)
                .json()
                .get("id")
                .asText();
    }

    static JsonNode delivery(TestApi api, String deliveryId) {
        return api.get("/v1/webhooks/deliveries/" + deliveryId).expect(200).json();
    }

    static String status(TestApi api, String deliveryId) {
        return delivery(api, deliveryId).get("status").asText();
    }

    static int pendingCount(TestApi api) {
        return api.dsl().fetchCount(WEBHOOK_DELIVERY, WEBHOOK_DELIVERY.STATUS.eq("pending"));
    }

    /** The settings of a test's own worker: local receivers allowed, fast polling, plus the overrides. */
    static WebhookConfig config(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(LOCAL_DELIVERY);
        env.putAll(overrides);
        EnvReader reader = new EnvReader(env, WebhookConfig.SETTINGS);
        WebhookConfig config = WebhookConfig.fromEnv(reader);
        reader.finish();
        return config;
    }

    static SecretBox secrets() {
        return SecretBox.fromBase64(TestApi.SECRETS_KEY).orElseThrow();
    }

    /**
     * A worker of the test's own on the api's database.
     *
     * @param jitter 1.0 makes every wait its ceiling, so the schedule is exact
     */
    static WebhookWorker worker(TestApi api, Clock clock, Map<String, String> overrides, DoubleSupplier jitter) {
        WebhookConfig config = config(overrides);
        return new WebhookWorker(
                api.dsl(),
                clock,
                config,
                secrets(),
                DestinationGuard.system(config.allowPrivate()),
                new RetrySchedule(config.retryBase(), config.retryCap(), config.maxAttempts(), jitter),
                (trx, endpointId, url, reason) -> {},
                new SimpleMeterRegistry());
    }

    static List<String> v1Signatures(String header) {
        return java.util.Arrays.stream(header.split(","))
                .filter(part -> part.startsWith("v1="))
                .map(part -> part.substring(3))
                .toList();
    }
}
