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
