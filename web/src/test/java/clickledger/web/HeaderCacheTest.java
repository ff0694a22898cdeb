package clickledger.web;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jetty keeps, per connection, a cache of whole header lines it has parsed (Authorization, Cookie,
 * User-Agent, Accept…) and by default looks them up ignoring case. A header whose value differed
 * from the previous request's only in the case of a letter was then handed to the application as
 * the previous request's value: an API key or session token one case flip away from a valid one,
 * sent on a connection that had carried the valid one, authenticated as it (found by
 * ApiKeyRoutesTest failing when a key ended in "A" and its altered copy in "a"). Behind a proxy
 * that pools connections, the earlier request need not even be the same client's. Every app built
 * here must see each request's headers exactly as they were sent.
 */
class HeaderCacheTest {
    private static Javalin app;

    @BeforeAll
    static void start() {
        app = WebApp.create("header-cache-test", Metrics.newRegistry("header-cache-test"), () -> true, 1024, routes -> {
                    routes.get(
                            "/echo",
                            ctx -> ctx.result(ctx.header("Authorization") + "\n" + ctx.header("Cookie") + "\n"
                                    + ctx.header("User-Agent")));
                })
                .start(0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    @Test
    void headersThatDifferOnlyInCaseFromThePreviousRequestOnTheConnectionArriveAsSent() throws IOException {
        String[] sent = {"Bearer ck_ak_AbCdEfGhIjKl_MnOpQrStUvWxYz0123456789AbCdEfA", "ck_session=TokenA", "Agent/A"};
        String[] flipped = {"Bearer ck_ak_AbCdEfGhIjKl_MnOpQrStUvWxYz0123456789AbCdEfa", "ck_session=Tokena", "Agent/a"
        };

        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = socket.getOutputStream();
            // Several rounds, because the cache is filled by one request and used by the next.
            for (int round = 0; round < 3; round++) {
                assertThat(echo(out, in, sent)).containsExactly(sent);
                assertThat(echo(out, in, flipped)).containsExactly(flipped);
            }
        }
    }

    private static List<String> echo(OutputStream out, BufferedReader in, String[] values) throws IOException {
        out.write(("GET /echo HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + values[0] + "\r\nCookie: " + values[1]
                        + "\r\nUser-Agent: " + values[2] + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String status = in.readLine();
        assertThat(status).startsWith("HTTP/1.1 200");
        int length = -1;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        assertThat(length).as("a Content-Length, so the connection stays open").isPositive();
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
            int n = in.read(body, read, length - read);
            if (n < 0) {
                throw new IOException("connection closed after " + read + " of " + length + " bytes");
            }
            read += n;
        }
        return new ArrayList<>(List.of(new String(body).split("\n")));
    }
}
