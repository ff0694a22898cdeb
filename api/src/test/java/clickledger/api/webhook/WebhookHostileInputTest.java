package clickledger.api.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whatever a client sends to /v1/webhooks, the answer is a 4xx naming the problem, never a 500. */
class WebhookHostileInputTest {
    private static final String URL = "http://127.0.0.1:9/hooks";
    private static TestApi api;
    private static String endpointId;

    @BeforeAll
    static void start() {
        api = TestApi.start(WebhookFixture.NO_WORKER);
        endpointId = WebhookFixture.createEndpoint(api, URL).id();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static void assertBadRequestNaming(TestApi.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.errorFields()).as(response.body()).containsExactly(field);
    }

    @Test
    void badUrlsAre400NamingUrl() {
        for (String url : new String[] {
            "",
            "javascript:alert(1)",
            "ftp://files.example.com/hook",
            "/relative/hook",
            "//example.com/no-scheme",
            "example.com/hook",
            "https://",
            "http:opaque",
            "https://exa mple.com/",
            "https://user:password@example.com/hook",
            "https://example.com/hook#fragment",
            "https://example.com/\\u0000",
            "https://example.com/\\u202ehook",
            "https://example.com/" + "a".repeat(2048)
        }) {
            assertBadRequestNaming(api.post("/v1/webhooks", "{\"url\":\"" + url + "\"}"), "url");
        }
        assertBadRequestNaming(api.post("/v1/webhooks", "{}"), "url");
        assertBadRequestNaming(api.post("/v1/webhooks", "{\"url\":42}"), "url");
        assertBadRequestNaming(api.post("/v1/webhooks", "{\"url\":[\"" + URL + "\"]}"), "url");
        assertBadRequestNaming(api.patch("/v1/webhooks/" + endpointId, "{\"url\":\"gopher://x\"}"), "url");
    }

    @Test
    void unknownOrMalformedEventTypesAre400() {
        TestApi.Response unknown = api.post(
                "/v1/webhooks",
                "{\"url\":\"%s\",\"eventTypes\":[\"partner.created\",\"partner.deleted\"]}".formatted(URL));

        assertBadRequestNaming(unknown, "eventTypes");
        assertThat(unknown.json().get("detail").asText())
                .contains("partner.deleted")
                .contains("link.created");
        assertBadRequestNaming(
                api.post("/v1/webhooks", "{\"url\":\"%s\",\"eventTypes\":[\"webhook.test\"]}".formatted(URL)),
                "eventTypes");
        assertBadRequestNaming(
                api.post("/v1/webhooks", "{\"url\":\"%s\",\"eventTypes\":\"partner.created\"}".formatted(URL)),
                "eventTypes");
        assertBadRequestNaming(
                api.post("/v1/webhooks", "{\"url\":\"%s\",\"eventTypes\":[null]}".formatted(URL)), "eventTypes");
        assertThat(api.post("/v1/webhooks", "{\"url\":\"%s\",\"eventTypes\":[1]}".formatted(URL))
                        .status())
                .isEqualTo(400);
        assertBadRequestNaming(api.patch("/v1/webhooks/" + endpointId, "{\"eventTypes\":[\"link.*\"]}"), "eventTypes");
    }

    @Test
    void hugeOrControlCharacterDescriptionsAre400() {
        assertBadRequestNaming(
                api.post("/v1/webhooks", "{\"url\":\"%s\",\"description\":\"%s\"}".formatted(URL, "d".repeat(10_000))),
                "description");
        assertBadRequestNaming(
                api.post("/v1/webhooks", "{\"url\":\"%s\",\"description\":\"a\\u0007b\"}".formatted(URL)),
                "description");
        assertBadRequestNaming(
                api.patch("/v1/webhooks/" + endpointId, "{\"description\":\"%s\"}".formatted("d".repeat(501))),
                "description");
    }

    @Test
    void unknownFieldsAre400NamingThem() {
        assertBadRequestNaming(
                api.post("/v1/webhooks", "{\"url\":\"%s\",\"secret\":\"whsec_mine\"}".formatted(URL)), "secret");
        assertBadRequestNaming(api.patch("/v1/webhooks/" + endpointId, "{\"secret\":\"whsec_mine\"}"), "secret");
        assertBadRequestNaming(api.patch("/v1/webhooks/" + endpointId, "{\"id\":\"x\"}"), "id");
        assertBadRequestNaming(
                api.post("/v1/webhooks/" + endpointId + "/rotate-secret", "{\"secret\":\"whsec_mine\"}"), "secret");
    }

    @Test
    void wrongTypesAre400NamingTheField() {
        assertBadRequestNaming(
                api.post("/v1/webhooks", "{\"url\":\"%s\",\"enabled\":\"yes\"}".formatted(URL)), "enabled");
        assertBadRequestNaming(api.patch("/v1/webhooks/" + endpointId, "{\"enabled\":null}"), "enabled");
        assertBadRequestNaming(api.patch("/v1/webhooks/" + endpointId, "{\"enabled\":1}"), "enabled");
        for (String body : new String[] {"", "null", "[]", "{", "\"x\""}) {
            assertBadRequestNaming(api.post("/v1/webhooks", body), "body");
        }
    }

    @Test
    void badOverlapHoursAre400() {
        String path = "/v1/webhooks/" + endpointId + "/rotate-secret";

        assertBadRequestNaming(api.post(path, "{\"overlapHours\":-1}"), "overlapHours");
        assertBadRequestNaming(api.post(path, "{\"overlapHours\":721}"), "overlapHours");
        assertBadRequestNaming(api.post(path, "{\"overlapHours\":\"24\"}"), "overlapHours");
        assertBadRequestNaming(api.post(path, "{\"overlapHours\":1.5}"), "overlapHours");
        assertBadRequestNaming(api.post(path, "{\"overlapHours\":99999999999}"), "overlapHours");
    }

    @Test
    void malformedIdsAre400NamingThem() {
        assertBadRequestNaming(api.get("/v1/webhooks/not-an-id"), "id");
        assertBadRequestNaming(api.get("/v1/webhooks/deliveries/not-an-id"), "deliveryId");
        assertBadRequestNaming(api.post("/v1/webhooks/deliveries/%27or%271/redeliver", null), "deliveryId");
        assertBadRequestNaming(api.post("/v1/webhooks/x/test", null), "id");
    }

    @Test
    void badDeliveryLogFiltersAre400() {
        String base = "/v1/webhooks/" + endpointId + "/deliveries";

        assertBadRequestNaming(api.get(base + "?status=lost"), "status");
        assertBadRequestNaming(api.get(base + "?eventType=partner.deleted"), "eventType");
        assertBadRequestNaming(api.get(base + "?from=yesterday"), "from");
        assertBadRequestNaming(api.get(base + "?to=1700000000"), "to");
        assertBadRequestNaming(api.get(base + "?from=2030-02-01T00:00:00Z&to=2030-01-01T00:00:00Z"), "to");
        assertBadRequestNaming(api.get(base + "?limit=0"), "limit");
        assertBadRequestNaming(api.get(base + "?cursor=nope"), "cursor");
    }

    @Test
    void badRedeliveryRangesAre400() {
        String path = "/v1/webhooks/" + endpointId + "/redeliver";

        assertBadRequestNaming(api.post(path, "{\"to\":\"2030-01-01T00:00:00Z\"}"), "from");
        assertBadRequestNaming(api.post(path, "{\"from\":\"2030-01-01T00:00:00Z\",\"to\":\"soon\"}"), "to");
        assertBadRequestNaming(
                api.post(path, "{\"from\":\"2030-02-01T00:00:00Z\",\"to\":\"2030-01-01T00:00:00Z\"}"), "to");
        assertBadRequestNaming(api.post(path, ""), "body");
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        String huge = "{\"url\":\"%s\",\"description\":\"%s\"}".formatted(URL, "x".repeat(2 * 1024 * 1024));

        assertThat(api.post("/v1/webhooks", huge).status()).isEqualTo(413);
    }
}
