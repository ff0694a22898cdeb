package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PortalAppTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    /** Shared by the tests that do not care about the api: starting and stopping Jetty costs a second each. */
    private static Javalin sharedPortal;

    private Javalin portal;
    private Javalin ownPortal;
    private FakeApi api;

    @BeforeAll
    static void startSharedPortal() throws IOException {
        sharedPortal = startPortal(Map.of("PUBLIC_API_URL", "https://api.example.com", "API_URL", closedPortUrl()));
    }

    @AfterAll
    static void stopSharedPortal() {
        sharedPortal.stop();
    }

    @BeforeEach
    void useSharedPortal() {
        portal = sharedPortal;
    }

    @AfterEach
    void stopOwnPortalAndApi() {
        if (ownPortal != null) {
            ownPortal.stop();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void pagesRedirectToSignInWithSecurityHeaders() throws Exception {
        HttpResponse<String> response = get("/");
        assertThat(response.statusCode()).isEqualTo(303);
        assertThat(response.headers().firstValue("Location")).hasValue("/sign-in");
        assertThat(response.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).startsWith("default-src 'self'"));
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("same-origin");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void stylesheetIsServedByThePortal() throws Exception {
        HttpResponse<String> response = get("/assets/portal.css");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type.replace(" ", "")).isEqualTo("text/css;charset=utf-8"));
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.body()).contains("main {");
    }

    @Test
    void healthzIsAliveWithoutTheApi() throws Exception {
        HttpResponse<String> response = get("/healthz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"ok\"").contains("\"service\":\"portal\"");
    }

    @Test
    void notReadyWhileTheApiIsUnreachable() throws Exception {
        HttpResponse<String> response = get("/readyz");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("not ready");
    }

    @Test
    void readyWhenTheApiHealthAnswers200() throws Exception {
        api = FakeApi.answering(200, Duration.ZERO);
        startWithApiAt(api.url().toString());
        HttpResponse<String> response = get("/readyz");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"ready\"");
    }

    @Test
    void notReadyWhenTheApiHealthFails() throws Exception {
        api = FakeApi.answering(503, Duration.ZERO);
        startWithApiAt(api.url().toString());
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
    }

    @Test
    void notReadyWithinASecondWhenTheApiStalls() throws Exception {
        api = FakeApi.answering(200, Duration.ofSeconds(5));
        startWithApiAt(api.url().toString());
        long started = System.nanoTime();
        HttpResponse<String> response = get("/readyz");
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(took).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        get("/healthz");
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body())
                .contains("# TYPE jvm_memory_used_bytes gauge")
                .contains("http_server_requests_seconds_count{")
                .contains("service=\"portal\"");
    }

    @Test
    void unknownPathIsProblemJson() throws Exception {
        HttpResponse<String> response = get("/no-such-page");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void unknownPathIsAPageForABrowser() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portal.port() + "/no-such-page"))
                .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(response.body()).contains("<h1>Not found</h1>").contains("There is no page at /no-such-page.");
    }

    /** A portal of this test's own, whose api is at {@code apiUrl}. */
    private void startWithApiAt(String apiUrl) {
        ownPortal = startPortal(Map.of("PUBLIC_API_URL", apiUrl));
        portal = ownPortal;
    }

    private static Javalin startPortal(Map<String, String> env) {
        return PortalApp.create(
                        PortalConfig.fromEnv(env),
                        Metrics.newRegistry("portal"),
                        HttpClient.newBuilder()
                                .connectTimeout(ApiHealth.TIMEOUT)
                                .build())
                .start("127.0.0.1", 0);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + portal.port() + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A loopback port that was free a moment ago: connecting to it is refused. */
    static String closedPortUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }
}
