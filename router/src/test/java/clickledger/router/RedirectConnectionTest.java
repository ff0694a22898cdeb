package clickledger.router;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router's own HTTP/1.1 for plain redirect requests (decision 0037), on raw sockets: what it
 * answers itself, byte for byte as a client reads it, and what it hands to Jetty, mid-connection
 * included, without losing a byte.
 */
class RedirectConnectionTest {
    private static final Pattern CREF = Pattern.compile("cref=([0-9A-Z]{26})");
    private static RouterHarness router;

    @BeforeAll
    static void start() throws Exception {
        router = new RouterHarness(Map.of("CLICK_VELOCITY_LIMIT", "1000000"), java.time.Clock.systemUTC());
        router.seed("own", "https://acme.example/landing?src=aff", null);
        router.awaitCached("own");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
    }

    record Answer(String statusLine, Map<String, List<String>> headers, String body) {
        int status() {
            return Integer.parseInt(statusLine.substring(9, 12));
        }

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }

        String cref() {
            Matcher matcher = CREF.matcher(header("Location"));
            assertThat(matcher.find()).as("a cref in " + header("Location")).isTrue();
            return matcher.group(1);
        }
    }

    private static final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Client() throws IOException {
            socket = new Socket("127.0.0.1", router.app.port());
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Answer read(boolean head) throws IOException {
            String statusLine = line();
            assertThat(statusLine).startsWith("HTTP/1.1 ");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.computeIfAbsent(line.substring(0, colon).toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.get("content-length").getFirst());
            String body = head ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new Answer(statusLine, headers, body);
        }

        Answer read() throws IOException {
            return read(false);
        }

        /** True when the server closed the connection (end of stream) after its answers. */
        boolean closedByServer() throws IOException {
            return in.read() == -1;
        }

        private String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b == -1) {
                    throw new IOException("closed mid-answer after " + line);
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            assertThat(text).endsWith("\r");
            return text.substring(0, text.length() - 1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String get(String target, String... headerLines) {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    private static double handedToJetty() {
        return router.registry
                .get("clickledger_http_handed_to_jetty_total")
                .counter()
                .count();
    }

    private static double counted(String meter) {
        return router.registry.get(meter).counter().count();
    }

    private static long batches() {
        return router.registry.get("clickledger_click_batch_size").summary().count();
    }

    private static long stored(String cref) {
        return router.dsl().fetchCount(CLICK, CLICK.ID.eq(Ulid.parse(cref).orElseThrow()));
    }

    @Test
    void aPlainRedirectIsAnsweredByTheRoutersOwnHttpWithEveryHeaderAndItsClickStored() throws Exception {
        double before = handedToJetty();
        double selectorBatchesBefore = counted("clickledger_click_selector_batches_total");
        long batchesBefore = batches();
        try (Client client = new Client()) {
            client.send(get(
                    "/r/own?utm_source=news",
                    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36",
                    "Referer: https://news.example/post",
                    "X-Request-Id: own-http-1"));
            Answer answer = client.read();
            assertThat(answer.status()).isEqualTo(302);
            assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 302 Found");
            assertThat(answer.header("Location"))
                    .startsWith("https://acme.example/landing?src=aff")
                    .contains("utm_source=news");
            String cref = answer.cref();
            assertThat(answer.header("Set-Cookie"))
                    .isEqualTo("_cref=" + cref + "; Max-Age=" + 30 * 86_400 + "; Path=/; SameSite=Lax");
            assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
            assertThat(answer.header("X-Request-Id")).isEqualTo("own-http-1");
            assertThat(answer.header("Date")).endsWith(" GMT");
            assertThat(answer.header("Content-Length")).isEqualTo("0");
            assertThat(answer.header("Connection")).isNull();
            assertThat(stored(cref)).isEqualTo(1);
            var click = router.dsl()
                    .select(CLICK.REFERRER_DOMAIN, CLICK.UTM_SOURCE, CLICK.BROWSER)
                    .from(CLICK)
                    .where(CLICK.ID.eq(Ulid.parse(cref).orElseThrow()))
                    .fetchOne();
            assertThat(click.value1()).isEqualTo("news.example");
            assertThat(click.value2()).isEqualTo("news");
            assertThat(click.value3()).isEqualTo("Chrome");
        }
        assertThat(handedToJetty()).as("answered without Jetty's HTTP layer").isEqualTo(before);
        // Committed by the selector thread that read the request (decision 0038), not a writer.
        double selectorBatches = counted("clickledger_click_selector_batches_total") - selectorBatchesBefore;
        assertThat(selectorBatches).isEqualTo(1);
        assertThat(batches() - batchesBefore).isEqualTo(1);
    }

    @Test
    void keptAliveAndPipelinedRequestsAreAnsweredInOrderEachWithItsOwnClick() throws Exception {
        try (Client client = new Client()) {
            List<String> crefs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                client.send(get("/r/own?n=" + i));
                Answer answer = client.read();
                assertThat(answer.header("Location")).contains("n=" + i);
                crefs.add(answer.cref());
            }
            // Three requests in one write, then one sent a byte at a time.
            client.send(get("/r/own?n=3") + get("/r/own?n=4") + get("/r/own?n=5"));
            for (int i = 3; i < 6; i++) {
                Answer answer = client.read();
                assertThat(answer.header("Location")).contains("n=" + i);
                crefs.add(answer.cref());
            }
            for (char c : get("/r/own?n=6").toCharArray()) {
                client.send(String.valueOf(c));
            }
            crefs.add(client.read().cref());
            assertThat(crefs).doesNotHaveDuplicates().hasSize(7);
            for (String cref : crefs) {
                assertThat(stored(cref)).as(cref).isEqualTo(1);
            }
        }
    }

    @Test
    void connectionCloseAndHttp10CloseAfterTheAnswerAndHttp10KeepAliveStaysOpen() throws Exception {
        try (Client client = new Client()) {
            client.send(get("/r/own", "Connection: close"));
            Answer answer = client.read();
            assertThat(answer.status()).isEqualTo(302);
            assertThat(answer.header("Connection")).isEqualTo("close");
            assertThat(client.closedByServer()).isTrue();
        }
        try (Client client = new Client()) {
            client.send("GET /r/own HTTP/1.0\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(302);
            assertThat(client.closedByServer()).isTrue();
        }
        try (Client client = new Client()) {
            client.send("GET /r/own HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Answer first = client.read();
            assertThat(first.header("Connection")).isEqualTo("keep-alive");
            client.send("GET /r/own HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(client.read().cref()).isNotEqualTo(first.cref());
        }
    }

    @Test
    void headAndNotFoundAnswersCarryTheirLengthsAndNoBodyForHead() throws Exception {
        try (Client client = new Client()) {
            client.send("HEAD /r/own HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Answer head = client.read(true);
            assertThat(head.status()).isEqualTo(302);
            assertThat(stored(head.cref())).isEqualTo(1);
            client.send("HEAD /r/nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n");
            Answer missing = client.read(true);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(Integer.parseInt(missing.header("Content-Length"))).isPositive();
            // Had the 404 page's body been sent after the HEAD, this answer would not parse.
            client.send(get("/r/nothing-here"));
            Answer page = client.read();
            assertThat(page.status()).isEqualTo(404);
            assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(page.body()).contains("Link not found");
            assertThat(page.body().getBytes(StandardCharsets.UTF_8))
                    .hasSize(Integer.parseInt(page.header("Content-Length")));
            client.send("GET /r/own HTTP/1.1\r\nHost: other.example\r\n\r\n");
            assertThat(client.read().status()).as("unknown host").isEqualTo(404);
        }
    }

    @Test
    void whatIsNotPlainGoesToJettyMidConnectionWithNothingLost() throws Exception {
        Map<String, String> notPlain = new LinkedHashMap<>();
        notPlain.put("an encoded slug", get("/r/%6Fwn"));
        notPlain.put("a non-ASCII user agent", get("/r/own", "User-Agent: caf\u00e9"));
        notPlain.put("a dot segment", get("/r/../r/own"));
        notPlain.put("a 9 KB head", get("/r/own", "X-Big: " + "b".repeat(9_000)));
        notPlain.put("a Connection option", get("/r/own", "Connection: keep-alive, TE"));
        for (var entry : notPlain.entrySet()) {
            double before = handedToJetty();
            try (Client client = new Client()) {
                // A plain request first, then the other and a plain one behind it in one write.
                client.send(get("/r/own"));
                assertThat(client.read().status()).isEqualTo(302);
                client.send(entry.getValue() + get("/healthz"));
                Answer answer = client.read();
                assertThat(answer.status()).as(entry.getKey()).isEqualTo(302);
                assertThat(stored(answer.cref())).as(entry.getKey()).isEqualTo(1);
                Answer health = client.read();
                assertThat(health.status())
                        .as(entry.getKey() + ", then /healthz")
                        .isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"ok\"");
                client.send(get("/r/own"));
                assertThat(client.read().status())
                        .as("Jetty keeps the connection")
                        .isEqualTo(302);
            }
            assertThat(handedToJetty()).as(entry.getKey()).isEqualTo(before + 1);
        }
    }

    @Test
    void hostileHeadsGetJettysAnswers() throws Exception {
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("two Host lines", "GET /r/own HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n");
        hostile.put("a folded header", get("/r/own", "X-A: one", " two"));
        hostile.put("no Host", "GET /r/own HTTP/1.1\r\n\r\n");
        hostile.put("a bare LF in a header", "GET /r/own HTTP/1.1\r\nHost: localhost\r\nX-A: a\nb\r\n\r\n");
        hostile.put("a stray CR before the blank line", "GET /r/own HTTP/1.1\r\nHost: localhost\r\n\rX-A: 1\r\n\r\n");
        hostile.put("a malformed length", "GET /r/own HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n");
        for (var entry : hostile.entrySet()) {
            try (Client client = new Client()) {
                client.send(entry.getValue());
                assertThat(client.read().status()).as(entry.getKey()).isEqualTo(400);
            }
        }
    }
}
