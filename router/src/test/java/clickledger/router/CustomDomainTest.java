package clickledger.router;

import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.SHORT_DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Custom short domains on a real router over a real PostgreSQL (issue 19, decision 0024): the
 * request's Host picks the domain, and with it the link, the cookie and whether a bare path
 * redirects. Requests go over a raw socket, since Java's HTTP client will not send a chosen Host.
 */
class CustomDomainTest {
    private static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    private static final String DEDICATED = "go.shop.example";
    private static final String SHARED = "links.other.example";
    private static RouterHarness router;
    private static UUID program;
    private static UUID partner;
    private static UUID defaultAda;
    private static UUID dedicatedAda;
    private static UUID sharedBob;
    private static UUID dedicatedId;
    private static UUID sharedId;

    @BeforeAll
    static void start() throws Exception {
        router = new RouterHarness(
                Map.of("COOKIE_DOMAIN", ".acme.example", "PUBLIC_ROUTER_URL", "https://r.acme.example"),
                Clock.systemUTC());
        program = router.newProgram("https://acme.example/");
        partner = router.newPartner();
        dedicatedId = newDomain(DEDICATED, true, null);
        sharedId = newDomain(SHARED, false, "other.example");
        defaultAda = router.newLink("ada", program, partner, "https://acme.example/default");
        dedicatedAda = linkOn(dedicatedId, "ada", "https://shop.example/dedicated");
        sharedBob = linkOn(sharedId, "bob", "https://other.example/shared");
        router.awaitCached("ada");
        await(
                () -> router.app
                                        .cache()
                                        .get(
                                                dedicatedId.getMostSignificantBits(),
                                                dedicatedId.getLeastSignificantBits(),
                                                "ada")
                                != null
                        && router.app
                                        .cache()
                                        .get(
                                                sharedId.getMostSignificantBits(),
                                                sharedId.getLeastSignificantBits(),
                                                "bob")
                                != null,
                "the domains' links reach the cache");
        await(() -> status(ask(SHARED)) == 200, "the domains reach the router");
    }

    @AfterAll
    static void stop() throws Exception {
        router.close();
    }

    private static UUID newDomain(String hostname, boolean dedicated, String cookieDomain) {
        UUID id = Ulid.newUuidV7(System.currentTimeMillis());
        router.dsl()
                .insertInto(SHORT_DOMAIN)
                .set(SHORT_DOMAIN.ID, id)
                .set(SHORT_DOMAIN.PROGRAM_ID, program)
                .set(SHORT_DOMAIN.HOSTNAME, hostname)
                .set(SHORT_DOMAIN.DEDICATED, dedicated)
                .set(SHORT_DOMAIN.COOKIE_DOMAIN, cookieDomain)
                .execute();
        return id;
    }

    private static UUID linkOn(UUID domain, String slug, String destination) {
        UUID id = router.newLink(slug + "-tmp-" + domain.getLeastSignificantBits(), program, partner, destination);
        router.dsl()
                .update(LINK)
                .set(LINK.DOMAIN_ID, domain)
                .set(LINK.SLUG, slug)
                .where(LINK.ID.eq(id))
                .execute();
        return id;
    }

    @Test
    void aCustomDomainServesItsOwnLinkForASlugTheDefaultHostAlsoHas() throws Exception {
        Reply onDomain = send("GET", "/r/ada", DEDICATED);
        Reply onDefault = send("GET", "/r/ada", "127.0.0.1:" + router.app.port());

        assertThat(onDomain.status).isEqualTo(302);
        assertThat(onDomain.header("Location")).startsWith("https://shop.example/dedicated?cref=");
        assertThat(clickLink(onDomain)).isEqualTo(dedicatedAda);
        assertThat(onDefault.status).isEqualTo(302);
        assertThat(onDefault.header("Location")).startsWith("https://acme.example/default?cref=");
        assertThat(clickLink(onDefault)).isEqualTo(defaultAda);
    }

    @Test
    void theDefaultHostsKeepTodaysBehaviour() throws Exception {
        for (String host :
                List.of("r.acme.example", "R.Acme.Example:443", "localhost:4701", "[::1]:4701", "10.1.2.3")) {
            Reply reply = send("GET", "/r/ada", host);
            assertThat(reply.status).as(host).isEqualTo(302);
            assertThat(reply.header("Location")).as(host).startsWith("https://acme.example/default?cref=");
        }
        // HTTP/1.0 without a Host header at all
        assertThat(status(raw("GET /r/ada HTTP/1.0\r\nUser-Agent: " + BROWSER + "\r\n\r\n")))
                .isEqualTo(302);
    }

    @Test
    void anUnknownHostGets404ProblemJson() throws Exception {
        for (String path : List.of("/r/ada", "/ada", "/")) {
            Reply reply = send("GET", path, "evil.example");
            assertThat(reply.status).as(path).isEqualTo(404);
            assertThat(reply.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(reply.body).contains("\"status\":404").contains("Unknown host");
            assertThat(reply.header("Location")).isNull();
            assertThat(reply.header("Set-Cookie")).isNull();
        }
        // A link's slug on a domain is not reachable from another one.
        assertThat(send("GET", "/r/bob", DEDICATED).status).isEqualTo(404);
        assertThat(send("GET", "/r/bob", "127.0.0.1").status).isEqualTo(404);
    }

    @Test
    void aDedicatedDomainRedirectsTheBarePathOthersDoNot() throws Exception {
        Reply bare = send("GET", "/ada", DEDICATED);
        assertThat(bare.status).isEqualTo(302);
        assertThat(bare.header("Location")).startsWith("https://shop.example/dedicated?cref=");
        assertThat(clickLink(bare)).isEqualTo(dedicatedAda);

        assertThat(send("GET", "/bob", SHARED).status).isEqualTo(404);
        assertThat(send("GET", "/r/bob", SHARED).status).isEqualTo(302);
        assertThat(send("GET", "/ada", "127.0.0.1").status).isEqualTo(404);
        assertThat(send("HEAD", "/ada", DEDICATED).status).isEqualTo(302);
        assertThat(send("POST", "/ada", DEDICATED).status).isEqualTo(405);
        // The router's own paths stay its own on a dedicated domain.
        assertThat(send("GET", "/healthz", DEDICATED).status).isEqualTo(200);
        assertThat(send("GET", "/nope", DEDICATED).status).isEqualTo(404);
    }

    @Test
    void theHostIsMatchedWhateverItsCasePortOrTrailingDot() throws Exception {
        for (String host :
                List.of("GO.Shop.EXAMPLE", "go.shop.example:8080", "go.shop.example.", "Go.Shop.Example.:443")) {
            Reply reply = send("GET", "/r/ada", host);
            assertThat(reply.status).as(host).isEqualTo(302);
            assertThat(reply.header("Location")).as(host).startsWith("https://shop.example/dedicated?cref=");
        }
        assertThat(send("GET", "/r/ada", "go.shop.example.evil").status).isEqualTo(404);
        assertThat(send("GET", "/r/ada", "xgo.shop.example").status).isEqualTo(404);
    }

    @Test
    void theCookieIsSetForTheDomainTheVisitorIsOn() throws Exception {
        assertThat(send("GET", "/r/bob", SHARED).header("Set-Cookie"))
                .contains("; Path=/; SameSite=Lax")
                .endsWith("; Domain=other.example");
        assertThat(send("GET", "/r/ada", DEDICATED).header("Set-Cookie"))
                .as("host-only: COOKIE_DOMAIN would not cover go.shop.example, so a browser would drop it")
                .startsWith("_cref=")
                .doesNotContain("Domain=");
        assertThat(send("GET", "/r/ada", "r.acme.example").header("Set-Cookie")).endsWith("; Domain=.acme.example");
    }

    @Test
    void theAskEndpointAnswers200OnlyForKnownDomains() throws Exception {
        assertThat(status(ask(DEDICATED))).isEqualTo(200);
        assertThat(status(ask("GO.SHOP.EXAMPLE."))).isEqualTo(200);
        assertThat(status(ask("r.acme.example"))).as("the router's own name").isEqualTo(200);
        for (String unknown : List.of("evil.example", "shop.example", "127.0.0.1", "localhost", "", "a".repeat(5000))) {
            assertThat(status(ask(unknown))).as(unknown).isEqualTo(404);
        }
        assertThat(status(ask("%zz")))
                .as("malformed encoding: refused, never a 500")
                .isIn(400, 404);
        assertThat(status(raw("GET /internal/domains/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")))
                .isEqualTo(404);
    }

    @Test
    void aDomainAddedOrRemovedReachesTheRouterWithinASecond() throws Exception {
        String hostname = "new-" + Long.toHexString(System.nanoTime()) + ".shop.example";
        assertThat(status(ask(hostname))).isEqualTo(404);

        UUID id = newDomain(hostname, true, null);
        linkOn(id, "fresh", "https://shop.example/fresh");
        await(() -> send("GET", "/fresh", hostname).status == 302, "the new domain's link redirects");
        assertThat(status(ask(hostname))).isEqualTo(200);

        router.dsl()
                .update(SHORT_DOMAIN)
                .set(SHORT_DOMAIN.DEDICATED, false)
                .where(SHORT_DOMAIN.ID.eq(id))
                .execute();
        await(() -> send("GET", "/fresh", hostname).status == 404, "no longer dedicated: the bare path is a 404");
        assertThat(send("GET", "/r/fresh", hostname).status).isEqualTo(302);

        UUID empty = newDomain("empty-" + hostname, false, null);
        await(() -> status(ask("empty-" + hostname)) == 200, "the new domain is known");
        router.dsl().deleteFrom(SHORT_DOMAIN).where(SHORT_DOMAIN.ID.eq(empty)).execute();
        await(() -> status(ask("empty-" + hostname)) == 404, "the removed domain is forgotten");
    }

    private static UUID clickLink(Reply reply) {
        String location = reply.header("Location");
        UUID click =
                Ulid.parse(location.substring(location.indexOf("cref=") + 5)).orElseThrow();
        return router.dsl()
                .select(CLICK.LINK_ID)
                .from(CLICK)
                .where(CLICK.ID.eq(click))
                .fetchOne(CLICK.LINK_ID);
    }

    private static String ask(String domain) {
        return "GET /internal/domains/ask?domain=" + domain
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    }

    private static Reply send(String method, String path, String host) {
        return raw(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + BROWSER
                + "\r\nConnection: close\r\n\r\n");
    }

    private static int status(String request) {
        return raw(request).status;
    }

    private static int status(Reply reply) {
        return reply.status;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    record Reply(int status, List<String> headerLines, String body) {
        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : headerLines) {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
            return null;
        }
    }

    private static Reply raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", router.app.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            String text = bytes.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? text : text.substring(0, headEnd);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            List<String> headers = new ArrayList<>(List.of(lines).subList(1, lines.length));
            return new Reply(status, headers, headEnd < 0 ? "" : text.substring(headEnd + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
