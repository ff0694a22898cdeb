package clickledger.api.webhook;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;
import static clickledger.db.jooq.Tables.WEBHOOK_ENDPOINT;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin routes of /v1/webhooks, with no worker running so the log holds still. */
class WebhookRoutesTest {
    private static final String URL = "http://127.0.0.1:9/hooks";
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(WebhookFixture.NO_WORKER);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void createAnswersWithTheSecretOnceAndNeverAgain() {
        TestApi.Response response = api.post(
                "/v1/webhooks",
                "{\"url\":\"%s\",\"eventTypes\":[\"partner.created\",\"link.created\",\"partner.created\"],"
                                .formatted(URL)
                        + "\"description\":\"  CRM sync  \"}");

        JsonNode created = response.expect(201).json();
        String id = created.get("id").asText();
        assertThat(response.header("Location")).isEqualTo("/v1/webhooks/" + id);
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(created.get("secret").asText()).startsWith("whsec_").hasSize(6 + 43);
        assertThat(created.get("url").asText()).isEqualTo(URL);
        assertThat(created.get("eventTypes"))
                .extracting(JsonNode::asText)
                .containsExactly("partner.created", "link.created");
        assertThat(created.get("description").asText()).isEqualTo("CRM sync");
        assertThat(created.get("enabled").asBoolean()).isTrue();
        JsonNode fetched = api.get("/v1/webhooks/" + id).expect(200).json();
        assertThat(fetched.has("secret")).isFalse();
        assertThat(fetched.get("url").asText()).isEqualTo(URL);
        assertThat(api.get("/v1/webhooks").expect(200).body())
                .doesNotContain(created.get("secret").asText());
        assertThat(api.get("/v1/webhooks").expect(200).json().get("items"))
                .allSatisfy(item -> assertThat(item.has("secret")).isFalse());
    }

    @Test
    void secretIsStoredEncryptedAndOpensOnlyForItsEndpoint() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        UUID id = Ulid.parse(endpoint.id()).orElseThrow();

        byte[] sealed = api.dsl()
                .select(WEBHOOK_ENDPOINT.SECRET_ENC)
                .from(WEBHOOK_ENDPOINT)
                .where(WEBHOOK_ENDPOINT.ID.eq(id))
                .fetchSingle(0, byte[].class);

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1))
                .doesNotContain(endpoint.secret().substring(6));
        String context = WebhookService.sealContext(new WebhookEndpointId(id));
        assertThat(WebhookFixture.secrets().open(sealed, context)).isEqualTo(endpoint.secret());
        WebhookEndpointId other = WebhookEndpointId.newId(Instant.now());
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> WebhookFixture.secrets().open(sealed, WebhookService.sealContext(other)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void patchChangesOnlyTheFieldsItNames() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL, "[\"link.created\"]");
        String path = "/v1/webhooks/" + endpoint.id();
        api.patch(path, "{\"description\":\"first\"}").expect(200);

        JsonNode patched = api.patch(path, "{\"url\":\"http://127.0.0.1:9/v2\",\"enabled\":false}")
                .expect(200)
                .json();
        JsonNode cleared = api.patch(path, "{\"eventTypes\":[],\"description\":null}")
                .expect(200)
                .json();

        assertThat(patched.get("url").asText()).isEqualTo("http://127.0.0.1:9/v2");
        assertThat(patched.get("enabled").asBoolean()).isFalse();
        assertThat(patched.get("description").asText()).isEqualTo("first");
        assertThat(patched.get("eventTypes")).extracting(JsonNode::asText).containsExactly("link.created");
        assertThat(cleared.get("eventTypes")).isEmpty();
        assertThat(cleared.get("description").isNull()).isTrue();
        assertThat(cleared.get("enabled").asBoolean()).isFalse();
        assertThat(api.get(path).expect(200).json()).isEqualTo(cleared);
    }

    @Test
    void rotateSecretShowsANewSecretOnceAndKeepsTheOldOneForTheOverlap() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        String path = "/v1/webhooks/" + endpoint.id() + "/rotate-secret";

        TestApi.Response defaultOverlap = api.post(path, null).expect(200);
        JsonNode noOverlap = api.post(path, "{\"overlapHours\":0}").expect(200).json();

        JsonNode rotated = defaultOverlap.json();
        assertThat(defaultOverlap.header("Cache-Control")).isEqualTo("no-store");
        assertThat(rotated.get("secret").asText()).startsWith("whsec_").isNotEqualTo(endpoint.secret());
        Instant expires = Instant.parse(rotated.get("previousSecretExpiresAt").asText());
        assertThat(Duration.between(Instant.parse(rotated.get("updatedAt").asText()), expires))
                .isEqualTo(Duration.ofHours(24));
        assertThat(noOverlap.get("secret").asText())
                .isNotEqualTo(rotated.get("secret").asText());
        assertThat(noOverlap.get("previousSecretExpiresAt").isNull()).isTrue();
        assertThat(api.get("/v1/webhooks/" + endpoint.id()).expect(200).json().has("secret"))
                .isFalse();
    }

    @Test
    void deleteHidesTheEndpointAndEndsItsPendingDeliveries() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        String deliveryId = WebhookFixture.sendTest(api, endpoint.id());

        api.send("DELETE", "/v1/webhooks/" + endpoint.id(), null, TestApi.ADMIN_KEY)
                .expect(204);

        assertThat(api.get("/v1/webhooks/" + endpoint.id()).status()).isEqualTo(404);
        assertThat(api.send("DELETE", "/v1/webhooks/" + endpoint.id(), null, TestApi.ADMIN_KEY)
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/v1/webhooks?limit=200").expect(200).json().get("items"))
                .noneSatisfy(item -> assertThat(item.get("id").asText()).isEqualTo(endpoint.id()));
        JsonNode delivery = WebhookFixture.delivery(api, deliveryId);
        assertThat(delivery.get("status").asText()).isEqualTo("dead");
        assertThat(delivery.get("lastError").asText()).isEqualTo("endpoint_deleted");
        assertThat(api.get("/v1/webhooks/" + endpoint.id() + "/deliveries")
                        .expect(200)
                        .json()
                        .get("items"))
                .hasSize(1);
        assertThat(api.post("/v1/webhooks/deliveries/" + deliveryId + "/redeliver", null)
                        .status())
                .isEqualTo(409);
    }

    @Test
    void testQueuesAWebhookTestDeliveryForThatEndpointOnly() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL, "[\"link.created\"]");

        TestApi.Response response =
                api.post("/v1/webhooks/" + endpoint.id() + "/test", null).expect(202);

        JsonNode delivery = response.json();
        assertThat(delivery.get("eventType").asText()).isEqualTo("webhook.test");
        assertThat(delivery.get("status").asText()).isEqualTo("pending");
        assertThat(delivery.get("endpointId").asText()).isEqualTo(endpoint.id());
        JsonNode detail = WebhookFixture.delivery(api, delivery.get("id").asText());
        assertThat(detail.at("/payload/id").asText())
                .isEqualTo(delivery.get("id").asText());
        assertThat(detail.at("/payload/type").asText()).isEqualTo("webhook.test");
        assertThat(detail.at("/payload/data/endpointId").asText()).isEqualTo(endpoint.id());
        assertThat(detail.get("attempts")).isEmpty();
    }

    @Test
    void testOfADisabledEndpointIs409() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        api.patch("/v1/webhooks/" + endpoint.id(), "{\"enabled\":false}").expect(200);

        TestApi.Response response = api.post("/v1/webhooks/" + endpoint.id() + "/test", null);

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("code").asText()).isEqualTo("endpoint_disabled");
    }

    @Test
    void deliveryLogFiltersByStatusTypeAndTimeAndPaginates() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        String base = "/v1/webhooks/" + endpoint.id() + "/deliveries";
        Instant start = api.clock().instant();
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tests.add(WebhookFixture.sendTest(api, endpoint.id()));
        }
        api.clock().advance(Duration.ofHours(1));
        Instant later = api.clock().instant();
        api.createPartner();
        UUID deadId = Ulid.parse(tests.getFirst()).orElseThrow();
        api.dsl()
                .update(WEBHOOK_DELIVERY)
                .set(WEBHOOK_DELIVERY.STATUS, "dead")
                .where(WEBHOOK_DELIVERY.ID.eq(deadId))
                .execute();

        JsonNode all = api.get(base).expect(200).json();
        JsonNode firstPage = api.get(base + "?limit=2").expect(200).json();
        JsonNode secondPage = api.get(
                        base + "?limit=2&cursor=" + firstPage.get("nextCursor").asText())
                .expect(200)
                .json();

        assertThat(all.get("items")).hasSize(4);
        assertThat(all.get("nextCursor").isNull()).isTrue();
        assertThat(all.get("items").get(0).get("eventType").asText()).isEqualTo("partner.created");
        List<String> paged = new ArrayList<>();
        firstPage.get("items").forEach(item -> paged.add(item.get("id").asText()));
        secondPage.get("items").forEach(item -> paged.add(item.get("id").asText()));
        List<String> listed = new ArrayList<>();
        all.get("items").forEach(item -> listed.add(item.get("id").asText()));
        assertThat(paged).containsExactlyElementsOf(listed);
        assertThat(api.get(base + "?status=dead").expect(200).json().get("items"))
                .extracting(item -> item.get("id").asText())
                .containsExactly(tests.getFirst());
        assertThat(api.get(base + "?eventType=webhook.test").expect(200).json().get("items"))
                .hasSize(3);
        assertThat(api.get(base + "?eventType=partner.created&status=pending")
                        .expect(200)
                        .json()
                        .get("items"))
                .hasSize(1);
        assertThat(api.get(base + "?from=" + later).expect(200).json().get("items"))
                .hasSize(1);
        assertThat(api.get(base + "?from=" + start + "&to=" + later)
                        .expect(200)
                        .json()
                        .get("items"))
                .hasSize(3);
    }

    @Test
    void redeliveringByHandRequeuesWithAFreshAllowanceAndIsAudited() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        String deliveryId = WebhookFixture.sendTest(api, endpoint.id());
        UUID id = Ulid.parse(deliveryId).orElseThrow();
        api.dsl()
                .update(WEBHOOK_DELIVERY)
                .set(WEBHOOK_DELIVERY.STATUS, "dead")
                .set(WEBHOOK_DELIVERY.ATTEMPTS, 20)
                .where(WEBHOOK_DELIVERY.ID.eq(id))
                .execute();

        JsonNode redelivered = api.post("/v1/webhooks/deliveries/" + deliveryId + "/redeliver", null)
                .expect(202)
                .json();

        assertThat(redelivered.get("id").asText()).isEqualTo(deliveryId);
        assertThat(redelivered.get("status").asText()).isEqualTo("pending");
        assertThat(redelivered.get("attemptCount").asInt()).isZero();
        assertThat(redelivered.get("nextAttemptAt").isNull()).isFalse();
        assertThat(api.dsl()
                        .fetchCount(
                                AUDIT_LOG,
                                AUDIT_LOG.ACTION.eq("webhook.redelivered").and(AUDIT_LOG.ENTITY_ID.eq(deliveryId))))
                .isEqualTo(1);
    }

    @Test
    void redeliveringARangeRequeuesOnlyItsDeadDeliveries() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        Instant from = api.clock().instant();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(WebhookFixture.sendTest(api, endpoint.id()));
            api.clock().advance(Duration.ofMinutes(10));
        }
        Instant to = Instant.parse(WebhookFixture.delivery(api, ids.get(2))
                        .get("createdAt")
                        .asText())
                .plusMillis(1);
        for (String deliveryId : List.of(ids.get(0), ids.get(2), ids.get(3))) {
            api.dsl()
                    .update(WEBHOOK_DELIVERY)
                    .set(WEBHOOK_DELIVERY.STATUS, "dead")
                    .where(WEBHOOK_DELIVERY.ID.eq(Ulid.parse(deliveryId).orElseThrow()))
                    .execute();
        }

        JsonNode answer = api.post(
                        "/v1/webhooks/" + endpoint.id() + "/redeliver",
                        "{\"from\":\"%s\",\"to\":\"%s\"}".formatted(from, to))
                .expect(202)
                .json();

        assertThat(answer.get("count").asInt()).isEqualTo(2);
        assertThat(WebhookFixture.status(api, ids.get(0))).isEqualTo("pending");
        assertThat(WebhookFixture.status(api, ids.get(1))).isEqualTo("pending");
        assertThat(WebhookFixture.status(api, ids.get(2))).isEqualTo("pending");
        assertThat(WebhookFixture.status(api, ids.get(3))).isEqualTo("dead");
    }

    @Test
    void everyChangeIsAudited() {
        WebhookFixture.Endpoint endpoint = WebhookFixture.createEndpoint(api, URL);
        api.patch("/v1/webhooks/" + endpoint.id(), "{\"description\":\"x\"}").expect(200);
        api.post("/v1/webhooks/" + endpoint.id() + "/rotate-secret", "{}").expect(200);
        api.send("DELETE", "/v1/webhooks/" + endpoint.id(), null, TestApi.ADMIN_KEY)
                .expect(204);

        List<String> actions = api.dsl()
                .select(AUDIT_LOG.ACTION)
                .from(AUDIT_LOG)
                .where(AUDIT_LOG.ENTITY.eq("webhook_endpoint").and(AUDIT_LOG.ENTITY_ID.eq(endpoint.id())))
                .orderBy(AUDIT_LOG.ID)
                .fetch(AUDIT_LOG.ACTION);
        String details = api.dsl()
                .select(AUDIT_LOG.DETAILS)
                .from(AUDIT_LOG)
                .where(AUDIT_LOG.ENTITY_ID.eq(endpoint.id()))
                .fetch(AUDIT_LOG.DETAILS)
                .toString();

        assertThat(actions)
                .containsExactly("webhook.created", "webhook.updated", "webhook.secret_rotated", "webhook.deleted");
        assertThat(details).doesNotContain(endpoint.secret()).doesNotContain("whsec_");
    }

    @Test
    void unknownEndpointsAndDeliveriesAre404() {
        String missing = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        assertThat(api.get("/v1/webhooks/" + missing).status()).isEqualTo(404);
        assertThat(api.patch("/v1/webhooks/" + missing, "{\"enabled\":true}").status())
                .isEqualTo(404);
        assertThat(api.post("/v1/webhooks/" + missing + "/rotate-secret", null).status())
                .isEqualTo(404);
        assertThat(api.post("/v1/webhooks/" + missing + "/test", null).status()).isEqualTo(404);
        assertThat(api.get("/v1/webhooks/" + missing + "/deliveries").status()).isEqualTo(404);
        assertThat(api.get("/v1/webhooks/deliveries/" + missing).status()).isEqualTo(404);
        assertThat(api.post("/v1/webhooks/deliveries/" + missing + "/redeliver", null)
                        .status())
                .isEqualTo(404);
        assertThat(api.post(
                                "/v1/webhooks/" + missing + "/redeliver",
                                "{\"from\":\"2030-01-01T00:00:00Z\",\"to\":\"2030-02-01T00:00:00Z\"}")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void webhookRoutesNeedTheAdminKey() {
        assertThat(api.send("GET", "/v1/webhooks", null, null).status()).isEqualTo(401);
        assertThat(api.send("POST", "/v1/webhooks", "{\"url\":\"" + URL + "\"}", "wrong-key")
                        .status())
                .isEqualTo(401);
    }
}
