package clickledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenApiTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("PUBLIC_API_URL", "https://api.example.test/"));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void documentIsOpenApi31AndNamesThePublicApiUrl() {
        TestApi.Response response = api.send("GET", "/openapi.json", null, null).expect(200);

        JsonNode document = response.json();
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(document.at("/servers/0/url").asText()).isEqualTo("https://api.example.test");
        assertThat(document.at("/components/securitySchemes/bearer/scheme").asText())
                .isEqualTo("bearer");
    }

    @Test
    void documentDescribesEveryRoute() {
        JsonNode paths = api.get("/openapi.json").expect(200).json().get("paths");

        Map<String, List<String>> expected = Map.ofEntries(
                Map.entry("/v1/programs", List.of("get", "post")),
                Map.entry("/v1/programs/{id}", List.of("get", "patch")),
                Map.entry("/v1/partners", List.of("get", "post")),
                Map.entry("/v1/partners/{id}", List.of("get", "patch")),
                Map.entry("/v1/partners/{id}/revoke", List.of("post")),
                Map.entry("/v1/links", List.of("get", "post")),
                Map.entry("/v1/links/{id}", List.of("get", "patch")),
                Map.entry("/v1/links/{id}/pause", List.of("post")),
                Map.entry("/v1/links/{id}/resume", List.of("post")),
                Map.entry("/v1/clicks/{cref}", List.of("get")),
                Map.entry("/v1/api-keys", List.of("get", "post")),
                Map.entry("/v1/api-keys/{id}", List.of("get", "delete")),
                Map.entry("/v1/api-keys/{id}/revoke", List.of("post")),
                Map.entry("/v1/me", List.of("get")),
                Map.entry("/v1/me/links", List.of("get", "post")),
                Map.entry("/v1/me/links/{id}", List.of("get")),
                Map.entry("/v1/me/clicks/{cref}", List.of("get")),
                Map.entry("/v1/identify", List.of("post")),
                Map.entry("/v1/events", List.of("post")),
                Map.entry("/v1/commissions", List.of("get")),
                Map.entry("/v1/commissions/{id}", List.of("get")),
                Map.entry("/v1/commissions/{id}/approve", List.of("post")),
                Map.entry("/v1/commissions/{id}/reject", List.of("post")),
                Map.entry("/v1/commissions/bulk", List.of("post")),
                Map.entry("/v1/attribution/rederive", List.of("post")),
                Map.entry("/v1/programs/{programId}/partners/{partnerId}", List.of("get", "patch")),
                Map.entry("/attribution/identify", List.of("post")),
                Map.entry("/attribution/events", List.of("post")),
                Map.entry("/v1/webhooks", List.of("get", "post")),
                Map.entry("/v1/webhooks/{id}", List.of("get", "patch", "delete")),
                Map.entry("/v1/webhooks/{id}/rotate-secret", List.of("post")),
                Map.entry("/v1/webhooks/{id}/test", List.of("post")),
                Map.entry("/v1/webhooks/{id}/deliveries", List.of("get")),
                Map.entry("/v1/webhooks/{id}/redeliver", List.of("post")),
                Map.entry("/v1/webhooks/deliveries/{deliveryId}", List.of("get")),
                Map.entry("/v1/webhooks/deliveries/{deliveryId}/redeliver", List.of("post")),
                Map.entry("/v1/install", List.of("get", "post")),
                Map.entry("/v1/sessions", List.of("post")),
                Map.entry("/v1/sessions/current", List.of("get", "delete")),
                Map.entry("/v1/account/password", List.of("post")),
                Map.entry("/v1/admins", List.of("get")),
                Map.entry("/v1/admins/{id}", List.of("delete")),
                Map.entry("/v1/admin-invitations", List.of("get", "post")),
                Map.entry("/v1/admin-invitations/{id}", List.of("get", "delete")),
                Map.entry("/v1/admin-invitations/accept", List.of("post")),
                Map.entry("/v1/audit-log", List.of("get")),
                Map.entry("/v1/links/{id}/qr", List.of("get")),
                Map.entry("/v1/stats/live", List.of("get")),
                Map.entry("/v1/commissions/{id}/detail", List.of("get")),
                Map.entry("/v1/partners/{id}/programs", List.of("get")));
        List<String> names = new ArrayList<>();
        paths.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsAll(expected.keySet());
        expected.forEach((path, methods) -> {
            for (String method : methods) {
                assertThat(paths.path(path).has(method)).as(method + " " + path).isTrue();
            }
        });
    }

    @Test
    void everyReferenceResolves() {
        JsonNode document = api.get("/openapi.json").expect(200).json();
        List<String> references = new ArrayList<>();
        collectReferences(document, references);

        assertThat(references).isNotEmpty();
        for (String reference : references) {
            assertThat(reference).startsWith("#/");
            assertThat(document.at(reference.substring(1)).isMissingNode())
                    .as(reference)
                    .isFalse();
        }
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        if (node.isObject() && node.has("$ref")) {
            references.add(node.get("$ref").asText());
        }
        node.forEach(child -> collectReferences(child, references));
    }
}
