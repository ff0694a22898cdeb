package clickledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whatever a client sends, the answer is a 4xx naming the problem, never a 500. */
class HostileInputTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String program(String slug, String destinationUrl) {
        return """
                {"slug":"%s","name":"P","destinationUrl":"%s","currency":"USD"}"""
                .formatted(slug, destinationUrl);
    }

    private static void assertBadRequestNaming(TestApi.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.errorFields()).as(response.body()).containsExactly(field);
    }

    @Test
    void malformedJsonIs400() {
        for (String body : new String[] {"{", "{\"slug\":}", "not json", "{\"slug\":\"a\"} trailing", "{'slug':'a'}"}) {
            assertBadRequestNaming(api.post("/v1/programs", body), "body");
        }
    }

    @Test
    void emptyNullAndNonObjectBodiesAre400() {
        for (String body : new String[] {"", "   ", "null", "[]", "\"program\"", "42"}) {
            assertBadRequestNaming(api.post("/v1/programs", body), "body");
        }
    }

    @Test
    void wrongTypesAre400NamingTheField() {
        assertBadRequestNaming(
                api.post(
                        "/v1/programs",
                        "{\"slug\":\"a\",\"name\":\"P\",\"destinationUrl\":\"https://p.example.com\",\"currency\":\"USD\","
                                + "\"lookbackDays\":\"sixty\"}"),
                "lookbackDays");
        assertBadRequestNaming(
                api.post(
                        "/v1/programs",
                        "{\"slug\":\"a\",\"name\":\"P\",\"destinationUrl\":\"https://p.example.com\",\"currency\":\"USD\","
                                + "\"lookbackDays\":1.5}"),
                "lookbackDays");
        assertBadRequestNaming(api.post("/v1/partners", "{\"email\":42,\"name\":\"A\"}"), "email");
        assertBadRequestNaming(api.post("/v1/partners", "{\"email\":\"a@example.com\",\"name\":{\"x\":1}}"), "name");
        assertBadRequestNaming(api.post("/v1/partners", "{\"email\":[\"a@example.com\"],\"name\":\"A\"}"), "email");
        assertBadRequestNaming(
                api.post(
                        "/v1/programs",
                        "{\"slug\":\"a\",\"name\":\"P\",\"destinationUrl\":\"https://p.example.com\",\"currency\":\"USD\","
                                + "\"cookieDays\":99999999999}"),
                "cookieDays");
    }

    @Test
    void unknownFieldIsNamedInTheError() {
        TestApi.Response response =
                api.post("/v1/partners", "{\"email\":\"a@example.com\",\"name\":\"A\",\"isAdmin\":true}");

        assertBadRequestNaming(response, "isAdmin");
        assertThat(response.json().get("detail").asText()).contains("isAdmin");
        assertBadRequestNaming(api.patch("/v1/programs/" + api.createProgram(), "{\"slug\":\"x\"}"), "slug");
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        String huge = "{\"email\":\"a@example.com\",\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";

        TestApi.Response response = api.post("/v1/partners", huge);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void tenKilobyteSlugIs400() {
        assertBadRequestNaming(api.post("/v1/programs", program("s".repeat(10_240), "https://p.example.com")), "slug");
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        assertBadRequestNaming(
                api.post(
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\"}"
                                .formatted(programId, partnerId, "s".repeat(10_240))),
                "slug");
    }

    @Test
    void unicodeAndPunctuationSlugsAre400() {
        for (String slug : new String[] {"café", "ａｂｃ", "a/b", "a b", "a.b", "%41", "😀", "a\\u0000b"}) {
            assertBadRequestNaming(api.post("/v1/programs", program(slug, "https://p.example.com")), "slug");
        }
    }

    @Test
    void nonHttpDestinationsAre400NamingDestinationUrl() {
        for (String destination : new String[] {
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://files.example.com/a",
            "/relative/path",
            "//example.com/no-scheme",
            "example.com",
            "https://",
            "http:opaque",
            "https://exa mple.com",
            "https://example.com/\\u0000",
            "https://example.com/\\u202eevil",
            "https://" + "a".repeat(2048) + ".com"
        }) {
            TestApi.Response response = api.post("/v1/programs", program(TestApi.unique("d-"), destination));

            assertBadRequestNaming(response, "destinationUrl");
        }
    }

    @Test
    void internationalPathsAreStoredPercentEncoded() {
        String slug = TestApi.unique("intl-");

        TestApi.Response response = api.post("/v1/programs", program(slug, "https://shop.example.com/café?q=ü"));

        assertThat(response.expect(201).json().get("destinationUrl").asText())
                .isEqualTo("https://shop.example.com/caf%C3%A9?q=%C3%BC");
    }

    @Test
    void deeplyNestedJsonIs400() {
        String nested =
                "{\"email\":\"a@example.com\",\"name\":\"A\",\"x\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";

        assertThat(api.post("/v1/partners", nested).status()).isEqualTo(400);
        String rules =
                "{\"slug\":\"%s\",\"name\":\"P\",\"destinationUrl\":\"https://p.example.com\",\"currency\":\"USD\","
                                .formatted(TestApi.unique("n-"))
                        + "\"commissionRules\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
        assertThat(api.post("/v1/programs", rules).status()).isEqualTo(400);
    }

    @Test
    void badPaginationParametersAre400() {
        assertBadRequestNaming(api.get("/v1/programs?limit=0"), "limit");
        assertBadRequestNaming(api.get("/v1/programs?limit=201"), "limit");
        assertBadRequestNaming(api.get("/v1/programs?limit=ten"), "limit");
        assertBadRequestNaming(api.get("/v1/programs?limit=99999999999999999999"), "limit");
        assertBadRequestNaming(api.get("/v1/partners?cursor=nope"), "cursor");
        assertThat(api.get("/v1/programs?limit=200").status()).isEqualTo(200);
    }

    @Test
    void controlCharactersInNamesAre400() {
        assertBadRequestNaming(
                api.post("/v1/partners", "{\"email\":\"a@example.com\",\"name\":\"A\\u0007B\"}"), "name");
    }

    @Test
    void unknownRouteIs404Problem() {
        TestApi.Response response = api.get("/v1/nothing-here");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    }
}
