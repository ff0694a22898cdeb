package clickledger.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.ApiConfig;
import clickledger.api.TestApi;
import clickledger.common.config.ConfigException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Browsers on CORS_ALLOWED_ORIGINS pages may call the api; others get no CORS grant. */
class CorsTest {
    private static final String SHOP = "https://shop.example.com";
    private static final String LOCAL = "http://localhost:3000";
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("CORS_ALLOWED_ORIGINS", " https://Shop.example.com:443/ , " + LOCAL));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static TestApi.Response send(String method, String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url(path)))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return api.send(request.build());
    }

    private static TestApi.Response preflight(String path, String origin) {
        return send(
                "OPTIONS",
                path,
                Map.of(
                        "Origin", origin,
                        "Access-Control-Request-Method", "POST",
                        "Access-Control-Request-Headers", "content-type"));
    }

    @Test
    void allowedOriginIsEchoedExactlyAndWithoutCredentials() {
        TestApi.Response response =
                send("GET", "/healthz", Map.of("Origin", SHOP)).expect(200);

        assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo(SHOP);
        assertThat(response.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(response.header("Access-Control-Expose-Headers")).contains("X-Request-Id");
        assertThat(response.header("Vary")).contains("Origin");
    }

    @Test
    void disallowedOriginGetsNoGrantButTheSameAnswer() {
        TestApi.Response response = send("GET", "/healthz", Map.of("Origin", "https://evil.example"))
                .expect(200);

        assertThat(response.header("Access-Control-Allow-Origin")).isNull();
        assertThat(response.header("Vary")).contains("Origin");
    }

    @Test
    void preflightFromAnAllowedOriginIsAnsweredWithMethodsAndHeaders() {
        TestApi.Response response = preflight("/attribution/identify", LOCAL);

        assertThat(response.status()).isEqualTo(204);
        assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo(LOCAL);
        assertThat(response.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(response.header("Access-Control-Allow-Headers"))
                .contains("Content-Type")
                .contains("Authorization")
                .contains("Idempotency-Key");
        assertThat(response.header("Access-Control-Max-Age")).isEqualTo("600");
        assertThat(response.header("Vary")).contains("Origin");
        assertThat(response.header("X-Request-Id")).isNotBlank();
    }

    @Test
    void preflightToAKeyedRouteNeedsNoKey() {
        assertThat(preflight("/v1/events", SHOP).status()).isEqualTo(204);
    }

    @Test
    void preflightFromAnotherOriginIsRefused() {
        TestApi.Response response = preflight("/attribution/identify", "https://evil.example");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.header("Access-Control-Allow-Origin")).isNull();
        assertThat(response.header("Access-Control-Allow-Methods")).isNull();
        assertThat(response.json().get("code").asText()).isEqualTo("origin_not_allowed");
    }

    @Test
    void originsAreNormalisedAsBrowsersSendThem() {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", "postgres://u:p@db:5432/clickledger");
        env.put("ADMIN_API_KEY", TestApi.ADMIN_KEY);
        env.put("SECRETS_ENCRYPTION_KEY", TestApi.SECRETS_KEY);
        env.put("CORS_ALLOWED_ORIGINS", "HTTPS://Shop.Example.com:443, http://[::1]:8080/,http://a.example:80");

        assertThat(ApiConfig.fromEnv(env).corsAllowedOrigins())
                .containsExactly("https://shop.example.com", "http://[::1]:8080", "http://a.example");
    }

    @Test
    void wildcardsPathsAndOtherSchemesAreReportedTogether() {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", "postgres://u:p@db:5432/clickledger");
        env.put("ADMIN_API_KEY", TestApi.ADMIN_KEY);
        env.put("SECRETS_ENCRYPTION_KEY", TestApi.SECRETS_KEY);
        env.put("CORS_ALLOWED_ORIGINS", "*,https://shop.example.com/app,ftp://files.example");
        env.put("IDENTIFY_ALLOW_ANONYMOUS", "sometimes");

        assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .hasSize(4)
                        .anySatisfy(problem -> assertThat(problem).contains("\"*\""))
                        .anySatisfy(problem -> assertThat(problem).contains("/app"))
                        .anySatisfy(problem -> assertThat(problem).contains("ftp://"))
                        .anySatisfy(problem -> assertThat(problem).contains("IDENTIFY_ALLOW_ANONYMOUS")));
    }
}
