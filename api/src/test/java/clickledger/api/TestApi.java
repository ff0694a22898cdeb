package clickledger.api;

import clickledger.db.DatabaseConfig;
import clickledger.testkit.PostgresFixture;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;

/**
 * The real api on a free port over a fresh PostgreSQL database, built by the same
 * {@link ApiApp#create} as production, plus an HTTP client that speaks to it.
 */
public final class TestApi implements AutoCloseable {
    public static final String ADMIN_KEY = "test-admin-key-0123456789abcdef";
    /** SECRETS_ENCRYPTION_KEY of every test api: base64 of 32 fixed bytes, so sealed secrets outlive a restart. */
    public static final String SECRETS_KEY = "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=";

    public static final String ROUTER_URL = "https://go.example.test";
    public static final Instant START = Instant.parse("2030-01-15T10:00:00Z");
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    private final ApiApp app;
    private final TestClock clock;
    private final HttpClient client;
    private final String baseUrl;
    private final Map<String, String> environment;

    private TestApi(ApiApp app, TestClock clock, Map<String, String> environment) {
        this.app = app;
        this.clock = clock;
        this.environment = Map.copyOf(environment);
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.baseUrl = "http://localhost:" + app.port();
    }

    public static TestApi start() {
        return start(Map.of());
    }

    /** @param extraEnvironment settings added to (or overriding) the test defaults */
    public static TestApi start(Map<String, String> extraEnvironment) {
        DatabaseConfig.Endpoint database = PostgresFixture.get().newDatabase();
        Map<String, String> env = new HashMap<>();
        env.putAll(PostgresFixture.databaseEnv(database));
        env.put("ADMIN_API_KEY", ADMIN_KEY);
        env.put("SECRETS_ENCRYPTION_KEY", SECRETS_KEY);
        env.put("API_PORT", "0");
        env.put("PUBLIC_ROUTER_URL", ROUTER_URL);
        env.put("DB_POOL_SIZE", "4");
        // Without SMTP_URL mail goes to files: keep them in the build's output, one folder per api.
        env.put("MAIL_DIR", "target/test-mail/" + unique("api-"));
        env.putAll(extraEnvironment);
        TestClock clock = new TestClock(START);
        return new TestApi(ApiApp.create(ApiConfig.fromEnv(env), clock).start(), clock, env);
    }

    /**
     * Another api process on the same database and clock, as a second replica behind a load
     * balancer; close it before this one.
     *
     * @param extraEnvironment settings added to (or overriding) this api's
     */
    public TestApi replica(Map<String, String> extraEnvironment) {
        Map<String, String> env = new HashMap<>(environment);
        env.put("MAIL_DIR", "target/test-mail/" + unique("api-"));
        env.putAll(extraEnvironment);
        return new TestApi(ApiApp.create(ApiConfig.fromEnv(env), clock).start(), clock, env);
    }

    /** A string no other test in this JVM got, for slugs and emails that must not collide. */
    public static String unique(String prefix) {
        return prefix + UNIQUE.incrementAndGet();
    }

    public DSLContext dsl() {
        return app.database().dsl();
    }

    public TestClock clock() {
        return clock;
    }

    public ApiApp app() {
        return app;
    }

    /** The settings this api started with (DATABASE_URL among them, for a router on the same database). */
    public Map<String, String> environment() {
        return environment;
    }

    public Response get(String path) {
        return send("GET", path, null, ADMIN_KEY);
    }

    public Response post(String path, String json) {
        return send("POST", path, json, ADMIN_KEY);
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json, ADMIN_KEY);
    }

    /** @param key null to send no Authorization header */
    public Response send(String method, String path, String body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return send(request.build());
    }

    public Response send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String url(String path) {
        return baseUrl + path;
    }

    /** Creates a program and returns its id. */
    public String createProgram() {
        return post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"Program","destinationUrl":"https://shop.example.com/","currency":"USD"}"""
                                .formatted(unique("program-")))
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    /** Creates an active partner and returns its id. */
    public String createPartner() {
        return post(
                        "/v1/partners",
                        """
                        {"email":"%s@example.com","name":"Partner"}"""
                                .formatted(unique("partner")))
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    @Override
    public void close() {
        app.close();
    }

    public record Response(int status, Map<String, List<String>> headers, String body) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }

        /** Fails with the body in the message, which says far more than the status alone. */
        public Response expect(int expected) {
            if (status != expected) {
                throw new AssertionError("expected HTTP " + expected + " but got " + status + ": " + body);
            }
            return this;
        }

        /** The field names of a problem's errors, e.g. ["slug", "destinationUrl"]. */
        public List<String> errorFields() {
            JsonNode errors = json().path("errors");
            List<String> fields = new ArrayList<>();
            errors.forEach(error -> fields.add(error.path("field").asText()));
            return fields;
        }
    }
}
