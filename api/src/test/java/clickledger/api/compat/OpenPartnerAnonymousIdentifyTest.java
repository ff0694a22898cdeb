package clickledger.api.compat;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Identify without a key, as OpenPartner's browser client sends it: off by default, then origin-checked and rate-limited. */
class OpenPartnerAnonymousIdentifyTest {
    private static final Instant NOW = TestApi.START;
    private static final String SHOP = "https://shop.example.com";
    private static final int PER_MINUTE = 3;
    private static TestApi api;
    private static Seeds seeds;
    private static String program;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of(
                "IDENTIFY_ALLOW_ANONYMOUS",
                "true",
                "IDENTIFY_RATE_LIMIT_PER_MINUTE",
                Integer.toString(PER_MINUTE),
                "CORS_ALLOWED_ORIGINS",
                SHOP,
                // The tests' requests come from loopback, which stands in for a reverse proxy here.
                "TRUSTED_PROXIES",
                "127.0.0.1,::1"));
        seeds = new Seeds(api);
        program = seeds.program(TestApi.unique("anonymous-"), "last_click");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** An anonymous identify from the client named by X-Forwarded-For, so each test has its own bucket. */
    private static TestApi.Response identify(TestApi target, String body, String client, String origin) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url("/attribution/identify")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", client)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return target.send(request.build());
    }

    private static String freshClickBody() {
        String cref = seeds.click(program, seeds.partner(program), NOW.minus(Duration.ofDays(1)));
        return "{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(cref, TestApi.unique("user-"));
    }

    @Test
    void anonymousIdentifyIsRefusedByDefault() {
        try (TestApi closed = TestApi.start()) {
            TestApi.Response response =
                    closed.send("POST", "/attribution/identify", "{\"cref\":\"x\",\"userId\":\"u\"}", null);

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.json().get("error").asText()).isEqualTo("unauthorized");
            assertThat(response.json().get("detail").asText()).contains("IDENTIFY_ALLOW_ANONYMOUS");
        }
    }

    @Test
    void anonymousIdentifyStitchesWhenAllowed() {
        String body = freshClickBody();

        TestApi.Response response = identify(api, body, "203.0.113.10", SHOP);

        assertThat(response.status()).isEqualTo(201);
        assertThat(response.json().get("firstStitch").asBoolean()).isTrue();
        assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo(SHOP);
    }

    @Test
    void anonymousIdentifyFromAPageOutsideTheAllowedOriginsIsRefused() {
        TestApi.Response response = identify(api, freshClickBody(), "203.0.113.11", "https://evil.example");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("error").asText()).isEqualTo("origin_not_allowed");
        assertThat(response.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void aSentKeyMustBeValidEvenWhenAnonymousIsAllowed() {
        TestApi.Response response = api.send("POST", "/attribution/identify", freshClickBody(), "not-a-key");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().get("error").asText()).isEqualTo("unauthorized");
    }

    @Test
    void eventsNeverAcceptAnonymousCalls() {
        TestApi.Response response = api.send(
                "POST",
                "/attribution/events",
                "{\"programId\":\"%s\",\"userId\":\"u\",\"type\":\"signup\"}".formatted(program),
                null);

        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void eachClientAddressIsRateLimitedWithRetryAfter() {
        String client = "198.51.100.7";
        for (int i = 0; i < PER_MINUTE; i++) {
            // Unknown crefs cost a lookup too, so they count against the allowance like any call.
            assertThat(identify(api, "{\"cref\":\"01J0000000000000000000000A\",\"userId\":\"u\"}", client, null)
                            .status())
                    .isEqualTo(404);
        }

        TestApi.Response limited = identify(api, freshClickBody(), client, null);
        TestApi.Response neighbour = identify(api, freshClickBody(), "198.51.100.8", null);

        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().get("error").asText()).isEqualTo("rate_limited");
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
        assertThat(neighbour.status()).isEqualTo(201);

        api.clock().advance(Duration.ofMinutes(1));
        assertThat(identify(api, freshClickBody(), client, null).status()).isEqualTo(201);
    }

    @Test
    void forwardedForOnTwoHeaderLinesIsOneListReadFromTheRight() {
        String body = "{\"cref\":\"01J0000000000000000000000A\",\"userId\":\"u\"}";
        String proxyLine = "198.51.100.77";
        for (int i = 0; i < PER_MINUTE; i++) {
            // The client's own header line changes every time; the proxy's line, received last, does not.
            assertThat(identifyWithTwoLines("203.0.113." + (100 + i), proxyLine).status())
                    .isEqualTo(404);
        }
        assertThat(identifyWithTwoLines("203.0.113.200", proxyLine).status())
                .as("the same client by the proxy's line, so over its allowance")
                .isEqualTo(429);
        assertThat(identify(api, body, "203.0.113.200", null).status())
                .as("the client's own line never named the bucket")
                .isEqualTo(404);
    }

    private static TestApi.Response identifyWithTwoLines(String clientLine, String proxyLine) {
        return api.send(HttpRequest.newBuilder(URI.create(api.url("/attribution/identify")))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-For", clientLine)
                .header("X-Forwarded-For", proxyLine)
                .POST(HttpRequest.BodyPublishers.ofString("{\"cref\":\"01J0000000000000000000000A\",\"userId\":\"u\"}"))
                .build());
    }

    @Test
    void withoutTrustedProxiesForwardedForIsIgnored() {
        try (TestApi direct =
                TestApi.start(Map.of("IDENTIFY_ALLOW_ANONYMOUS", "true", "IDENTIFY_RATE_LIMIT_PER_MINUTE", "1"))) {
            String body = "{\"cref\":\"01J0000000000000000000000A\",\"userId\":\"u\"}";
            assertThat(identify(direct, body, "192.0.2.1", null).status()).isEqualTo(404);

            // Another forwarded address from the same socket is still the same client.
            assertThat(identify(direct, body, "192.0.2.2", null).status()).isEqualTo(429);
        }
    }
}
