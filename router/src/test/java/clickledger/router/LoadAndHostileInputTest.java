package clickledger.router;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.testkit.PostgresFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoadAndHostileInputTest {
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36";
    private static RouterHarness router;
    private static RouterHarness.Seeded seeded;

    @BeforeAll
    static void start() throws Exception {
        // A high velocity limit: this test sends thousands of clicks from one address on purpose.
        router = new RouterHarness(
                Map.of("CLICK_VELOCITY_LIMIT", "1000000", "DB_POOL_SIZE", "4"), java.time.Clock.systemUTC());
        seeded = router.seed("load", "https://acme.example/", null);
        router.awaitCached("load");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
    }

    @Test
    void twoThousandConcurrentRedirectsStoreTwoThousandDistinctClicksWithinThePool() throws Exception {
        int clicks = 2_000;
        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicInteger maxActive = new AtomicInteger();
        AtomicInteger maxTotal = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            var pool = router.database.pool().getHikariPoolMXBean();
            while (sampling.get()) {
                maxActive.accumulateAndGet(pool.getActiveConnections(), Math::max);
                maxTotal.accumulateAndGet(pool.getTotalConnections(), Math::max);
                Thread.onSpinWait();
            }
        });
        // Many clients at once, each its own connection: the router must not need a database
        // connection per client.
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            clients.add(HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());
        }
        List<CompletableFuture<HttpResponse<Void>>> responses = new ArrayList<>();
        for (int i = 0; i < clicks; i++) {
            HttpRequest request = HttpRequest.newBuilder(router.uri("/r/load?n=" + i))
                    .header("User-Agent", BROWSER)
                    .timeout(Duration.ofSeconds(60))
                    .build();
            responses.add(clients.get(i % clients.size()).sendAsync(request, HttpResponse.BodyHandlers.discarding()));
        }
        Set<UUID> crefs = new HashSet<>();
        for (CompletableFuture<HttpResponse<Void>> future : responses) {
            HttpResponse<Void> response = future.get();
            assertThat(response.statusCode()).isEqualTo(302);
            String location = response.headers().firstValue("Location").orElseThrow();
            crefs.add(Ulid.parse(location.substring(location.indexOf("cref=") + 5))
                    .orElseThrow());
        }
        sampling.set(false);
        sampler.join();

        assertThat(crefs).hasSize(clicks);
        // On a busy machine a batch may overrun CLICK_DB_BUDGET_MS and be answered from the spool,
        // as designed; it reaches PostgreSQL with the replay a moment later.
        DrillTest.await(() -> router.app.spool().records() == 0, Duration.ofSeconds(30));
        assertThat(router.dsl().fetchCount(CLICK, CLICK.LINK_ID.eq(seeded.linkId())))
                .isEqualTo(clicks);
        assertThat(router.dsl().fetchCount(CLICK, CLICK.ID.in(crefs)))
                .as("every cref handed out is stored")
                .isEqualTo(clicks);
        assertThat(maxTotal.get()).as("connections never exceed the pool").isLessThanOrEqualTo(4);
        assertThat(maxActive.get()).isLessThanOrEqualTo(4);
        if (!PostgresFixture.throughPgBouncer()) {
            // Through PgBouncer the server connections are PgBouncer's, bounded by its pool size.
            long serverConnections = router.dsl()
                    .fetchSingle("select count(*) from pg_stat_activity where application_name = 'clickledger-router'")
                    .get(0, Long.class);
            assertThat(serverConnections).isLessThanOrEqualTo(4);
        }
        String metrics = router.get("/metrics").body();
        assertThat(metrics)
                .contains("clickledger_click_batch_size_count")
                .contains("clickledger_click_commit_seconds")
                .contains("clickledger_click_queue_depth")
                .contains("hikaricp_connections_active");
    }

    @Test
    void hostileRequestsGet4xxNeverA500() throws Exception {
        Map<String, byte[]> requests = new java.util.LinkedHashMap<>();
        requests.put("4 KB slug", request("/r/" + "a".repeat(4_096)));
        requests.put("unicode slug", request("/r/%E2%98%83%F0%9F%98%80"));
        requests.put(
                "raw unicode slug",
                concat(
                        ascii("GET /r/"),
                        "☃😀".getBytes(StandardCharsets.UTF_8),
                        ascii(" HTTP/1.1\r\nHost: localhost\r\n\r\n")));
        requests.put("encoded traversal", request("/r/..%2f..%2fetc%2fpasswd"));
        requests.put("plain traversal", request("/r/../../etc/passwd"));
        requests.put("encoded NUL", request("/r/ada%00"));
        requests.put("invalid UTF-8 escape", request("/r/%FF%FE%FD"));
        requests.put(
                "invalid UTF-8 bytes",
                concat(
                        ascii("GET /r/"),
                        new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF},
                        ascii(" HTTP/1.1\r\nHost: localhost\r\n\r\n")));
        requests.put(
                "64 KB header",
                ascii("GET /r/load HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(65_536) + "\r\n\r\n"));
        requests.put("64 KB query", request("/r/load?q=" + "q".repeat(65_536)));
        requests.put(
                "POST to a link", ascii("POST /r/load HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"));
        requests.put("garbage request line", ascii("\u0001\u0002 nonsense\r\n\r\n"));
        for (var entry : requests.entrySet()) {
            int status = rawStatus(entry.getValue());
            assertThat(status).as(entry.getKey()).isBetween(400, 499);
        }
        assertThat(rawStatus(
                        ascii("GET /r/load HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(65_536) + "\r\n\r\n")))
                .isEqualTo(431);
        assertThat(rawStatus(ascii("GET /r/load HTTP/1.1\r\nHost: localhost\r\nCookie: " + "c".repeat(40_000)
                        + "\r\nX-Other: " + "o".repeat(16_000) + "\r\n\r\n")))
                .as("56 KB of headers, more than any browser sends, still gets its redirect and click")
                .isEqualTo(302);
        byte[] badHeader = concat(
                ascii("GET /r/load HTTP/1.1\r\nHost: localhost\r\nUser-Agent: "),
                new byte[] {(byte) 0xFF, (byte) 0xC3},
                ascii("\r\n\r\n"));
        assertThat(rawStatus(badHeader))
                .as("an undecodable user agent is stored, not refused")
                .isEqualTo(302);
        assertThat(router.get("/r/load", "User-Agent", BROWSER).statusCode())
                .as("still serving")
                .isEqualTo(302);
    }

    @Test
    void healthReadinessAndMetricsAnswer() throws Exception {
        assertThat(router.get("/healthz").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = router.get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("ready");
        HttpResponse<String> metrics = router.get("/metrics");
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(metrics.body()).contains("clickledger_redirects_total").contains("hikaricp_connections_max");
    }

    private static byte[] request(String target) {
        return ascii("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\nConnection: close\r\n\r\n");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int rawStatus(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", router.app.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading everything we send.
            }
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            String statusLine = new String(head, StandardCharsets.ISO_8859_1);
            if (!statusLine.startsWith("HTTP/1.1 ")) {
                throw new AssertionError("no HTTP answer: " + statusLine);
            }
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }
}
