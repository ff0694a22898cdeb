package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import io.javalin.Javalin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The portal's defences over real HTTP against the real api: no page without a session, a session
 * that cannot be replayed after sign-out, CSRF tokens on every POST, the cookie's flags, the CSP on
 * every page, no open redirect after sign-in, and the api's sign-in limit shown as a page.
 */
class PortalSecurityTest {
    static final String EMAIL = InstalledStack.EMAIL;
    static final String PASSWORD = InstalledStack.PASSWORD;
    static final String CSP =
            "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    /** Every admin page a person can open; each must refuse a visitor without a session. */
    static final List<String> PAGES = List.of(
            "/",
            "/programs",
            "/programs/new",
            "/partners",
            "/partners/new",
            "/partners/invite",
            "/applications",
            "/links",
            "/links/new",
            "/commissions",
            "/webhooks",
            "/webhooks/new",
            "/mail",
            "/api-keys",
            "/audit",
            "/admins",
            "/account");

    private static PortalStack stack;
    private static String programId;

    @BeforeAll
    static void start() throws Exception {
        stack = InstalledStack.get();
        programId = InstalledStack.programId();
    }

    @Test
    void everyPageRedirectsToSignInWithoutASession() throws Exception {
        for (String path : PAGES) {
            HttpResponse<String> response = HttpBrowser.get(stack.portalUrl(), path, Map.of());
            assertThat(response.statusCode()).as(path).isEqualTo(303);
            assertThat(response.headers().firstValue("Location"))
                    .as(path)
                    .hasValueSatisfying(location -> assertThat(location).startsWith("/sign-in"));
            // Nothing of the page leaks into the redirect.
            assertThat(response.body()).as(path).doesNotContain("<");
        }
        assertThat(HttpBrowser.get(stack.portalUrl(), "/partners?q=ada", Map.of())
                        .headers()
                        .firstValue("Location"))
                .hasValue("/sign-in?next=%2Fpartners%3Fq%3Dada");
    }

    @Test
    void aSessionCookieTheApiDoesNotKnowIsNoSession() throws Exception {
        HttpResponse<String> response =
                HttpBrowser.get(stack.portalUrl(), "/partners", Map.of("cl_session", "ck_sess_" + "A".repeat(43)));
        assertThat(response.statusCode()).isEqualTo(303);
        assertThat(response.headers().firstValue("Location")).hasValue("/sign-in?next=%2Fpartners");
        // The dead cookie is deleted, so the browser stops sending it.
        assertThat(response.headers().allValues("Set-Cookie"))
                .anyMatch(cookie -> cookie.startsWith("cl_session=;") && cookie.contains("Max-Age=0"));
    }

    @Test
    void theLiveCounterStreamWithoutASessionIsRefused() throws Exception {
        HttpResponse<String> response = HttpBrowser.send(
                HttpRequest.newBuilder(URI.create(stack.portalUrl() + "/programs/" + programId + "/live"))
                        .header("Accept", "text/event-stream")
                        .GET());
        // 401, not a redirect: EventSource stops reconnecting on it.
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void aPostWithoutASessionChangesNothing() throws Exception {
        HttpBrowser visitor = new HttpBrowser(stack.portalUrl());
        String token = visitor.csrfTokenOf("/sign-in");
        HttpResponse<String> response =
                visitor.post("/partners", Map.of("_csrf", token, "name", "Mallory", "email", "mallory@example.com"));
        assertThat(response.statusCode()).isEqualTo(303);
        assertThat(response.headers().firstValue("Location")).hasValue("/sign-in");
        assertThat(partnersNamed("Mallory")).isZero();
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteLax() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        HttpResponse<String> signedIn = admin.signIn(EMAIL, PASSWORD, "/");
        String cookie = signedIn.headers().allValues("Set-Cookie").stream()
                .filter(value -> value.startsWith("cl_session="))
                .findFirst()
                .orElseThrow();
        assertThat(cookie)
                .matches("cl_session=ck_sess_[A-Za-z0-9_-]{43}; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Lax");
        // Over plain http there is no Secure flag (the browser would drop the cookie); see the https test.
        assertThat(cookie).doesNotContain("Secure").doesNotContain("Domain");
        assertThat(admin.get("/partners").statusCode()).isEqualTo(200);
    }

    @Test
    void behindHttpsTheCookiesAreSecureWithTheHostPrefix() throws Exception {
        int port = PortalStack.freePort();
        Javalin https = PortalApp.create(
                        PortalConfig.fromEnv(Map.of(
                                "PORTAL_URL", "https://portal.example.test",
                                "API_URL", stack.apiUrl(),
                                "PORTAL_PORT", Integer.toString(port))),
                        Metrics.newRegistry("portal"),
                        HttpClient.newHttpClient())
                .start("127.0.0.1", port);
        try {
            HttpBrowser admin = new HttpBrowser("http://127.0.0.1:" + port);
            HttpResponse<String> page = admin.get("/sign-in");
            assertThat(page.headers().allValues("Set-Cookie"))
                    .anyMatch(cookie -> cookie.matches(
                            "__Host-cl_presession=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Secure"));
            HttpResponse<String> signedIn = admin.signIn(EMAIL, PASSWORD, "/");
            assertThat(signedIn.headers().allValues("Set-Cookie"))
                    .anyMatch(
                            cookie -> cookie.matches(
                                    "__Host-cl_session=ck_sess_[A-Za-z0-9_-]{43}; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Lax; Secure"));
            assertThat(admin.get("/partners").statusCode()).isEqualTo(200);
        } finally {
            https.stop();
        }
    }

    @Test
    void everyPostNeedsTheCsrfTokenOfItsOwnSession() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        admin.signIn(EMAIL, PASSWORD, "/");
        HttpBrowser other = new HttpBrowser(stack.portalUrl());
        other.signIn(EMAIL, PASSWORD, "/");
        String token = admin.csrfTokenOf("/partners/new");
        String otherToken = other.csrfTokenOf("/partners/new");
        assertThat(otherToken).isNotEqualTo(token);

        Map<String, String> form = Map.of("name", "Eve", "email", "eve@example.com");
        assertThat(admin.post("/partners", form).statusCode()).as("no token").isEqualTo(403);
        assertThat(admin.post("/partners", with(form, "_csrf", "not-the-token")).statusCode())
                .as("a made-up token")
                .isEqualTo(403);
        assertThat(admin.post("/partners", with(form, "_csrf", otherToken)).statusCode())
                .as("another session's token")
                .isEqualTo(403);
        assertThat(admin.post("/partners", with(form, "_csrf", token), Map.of("Origin", "https://evil.example"))
                        .statusCode())
                .as("the right token from another site")
                .isEqualTo(403);
        HttpResponse<String> refused = admin.post("/partners", form);
        assertThat(refused.body()).contains("This form has expired");
        assertThat(partnersNamed("Eve")).isZero();

        HttpResponse<String> created = admin.post("/partners", with(form, "_csrf", token));
        assertThat(created.statusCode()).isEqualTo(303);
        assertThat(created.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).startsWith("/partners/"));
        assertThat(partnersNamed("Eve")).isEqualTo(1);

        // htmx sends it as a header instead of a field.
        HttpResponse<String> viaHeader = admin.post(
                "/partners", Map.of("name", "Eve Two", "email", "eve2@example.com"), Map.of("X-CSRF-Token", token));
        assertThat(viaHeader.statusCode()).isEqualTo(303);
    }

    /**
     * A session cookie one letter's case away from a valid one, on the connection that just
     * carried the valid one: Jetty's header cache (case-insensitive by default) handed the portal
     * the cached valid cookie instead, so the copy was signed in as its owner (decision 0035).
     */
    @Test
    void aSessionCookieDifferingOnlyInCaseIsNoSessionEvenOnTheConnectionThatCarriedIt() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        admin.signIn(EMAIL, PASSWORD, "/");
        String session = admin.cookies.get("cl_session");
        int letter = session.length() - 1;
        while (!Character.isLetter(session.charAt(letter))) {
            letter--;
        }
        char c = session.charAt(letter);
        String flipped = session.substring(0, letter)
                + (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c))
                + session.substring(letter + 1);

        URI portal = URI.create(stack.portalUrl());
        try (Socket socket = new Socket(portal.getHost(), portal.getPort())) {
            socket.setSoTimeout(30_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            assertThat(statusOf(socket, in, session)).isEqualTo(200);
            assertThat(statusOf(socket, in, flipped)).isEqualTo(303);
            assertThat(statusOf(socket, in, session)).isEqualTo(200);
        }
    }

    /** GET /partners with the session cookie on the open connection; the answer's status. */
    private static int statusOf(Socket socket, BufferedReader in, String session) throws IOException {
        socket.getOutputStream()
                .write(("GET /partners HTTP/1.1\r\nHost: localhost\r\nCookie: cl_session=" + session + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        int status = Integer.parseInt(in.readLine().split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).strip());
            } else if (line.regionMatches(true, 0, "Transfer-Encoding:", 0, 18)) {
                chunked = line.toLowerCase(Locale.ROOT).contains("chunked");
            }
        }
        if (chunked) {
            for (int size = Integer.parseInt(in.readLine().strip(), 16);
                    size > 0;
                    size = Integer.parseInt(in.readLine().strip(), 16)) {
                assertThat(in.skip(size)).isEqualTo(size);
                in.readLine();
            }
            in.readLine();
        } else {
            assertThat(length)
                    .as("a length or chunks keep the connection usable")
                    .isNotNegative();
            assertThat(in.skip(length)).isEqualTo(length);
        }
        return status;
    }

    @Test
    void aSignedOutSessionCookieCannotBeReplayed() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        admin.signIn(EMAIL, PASSWORD, "/");
        String session = admin.cookies.get("cl_session");
        assertThat(admin.get("/").statusCode()).isEqualTo(200);
        String token = admin.csrfTokenOf("/");

        HttpResponse<String> signedOut = admin.post("/sign-out", Map.of("_csrf", token));
        assertThat(signedOut.statusCode()).isEqualTo(303);
        assertThat(signedOut.headers().firstValue("Location")).hasValue("/sign-in");

        // The stolen or kept copy of the cookie is worth nothing now, at the portal and at the api.
        HttpResponse<String> replayed = HttpBrowser.get(stack.portalUrl(), "/partners", Map.of("cl_session", session));
        assertThat(replayed.statusCode()).isEqualTo(303);
        assertThat(replayed.headers().firstValue("Location")).hasValue("/sign-in?next=%2Fpartners");
        HttpResponse<String> atTheApi =
                HttpBrowser.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/sessions/current"))
                        .header("Authorization", "Bearer " + session)
                        .GET());
        assertThat(atTheApi.statusCode()).isEqualTo(401);
    }

    @Test
    void everyPageCarriesTheStrictContentSecurityPolicy() throws Exception {
        HttpBrowser admin = new HttpBrowser(stack.portalUrl());
        admin.signIn(EMAIL, PASSWORD, "/");
        List<String> paths = new ArrayList<>(PAGES);
        paths.addAll(
                List.of("/programs/" + programId, "/sign-in", "/install", "/assets/portal.css", "/assets/htmx.min.js"));
        for (String path : paths) {
            HttpResponse<String> response = admin.get(path);
            assertThat(response.statusCode()).as(path).isIn(200, 303);
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .as(path)
                    .hasValue(CSP);
            assertThat(response.headers().firstValue("X-Frame-Options"))
                    .as(path)
                    .hasValue("DENY");
            assertThat(response.headers().firstValue("X-Content-Type-Options"))
                    .as(path)
                    .hasValue("nosniff");
            if (response.statusCode() == 200 && !path.startsWith("/assets/")) {
                assertThat(response.headers().firstValue("Cache-Control"))
                        .as(path)
                        .hasValue("no-store");
                // Nothing inline for the CSP to block: every script and style comes from /assets/.
                assertThat(response.body()).as(path).doesNotContain("<style").doesNotContain(" style=");
                assertThat(Pattern.compile("<script(?![^>]*\\ssrc=\"/assets/)")
                                .matcher(response.body())
                                .find())
                        .as("%s has an inline or foreign script", path)
                        .isFalse();
            }
        }
    }

    @Test
    void signInNeverSendsAnyoneOffSite() throws Exception {
        for (String next :
                List.of("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)")) {
            HttpResponse<String> response = new HttpBrowser(stack.portalUrl()).signIn(EMAIL, PASSWORD, next);
            assertThat(response.statusCode()).as(next).isEqualTo(303);
            assertThat(response.headers().firstValue("Location")).as(next).hasValue("/");
        }
        assertThat(new HttpBrowser(stack.portalUrl())
                        .signIn(EMAIL, PASSWORD, "/partners?q=ada")
                        .headers()
                        .firstValue("Location"))
                .hasValue("/partners?q=ada");
    }

    /**
     * The api limits sign-ins per address (5 a minute in this stack). Each {@link HttpBrowser} here
     * comes from an address of its own, which the portal passes on in X-Forwarded-For, so one
     * guesser is stopped without locking out everybody else behind the same portal.
     */
    @Test
    void tooManySignInAttemptsGetAPageThatSaysSo() throws Exception {
        HttpResponse<String> last = null;
        HttpBrowser guesser = new HttpBrowser(stack.portalUrl());
        for (int attempt = 0; attempt < 8; attempt++) {
            String token = guesser.csrfTokenOf("/sign-in");
            last = guesser.post(
                    "/sign-in",
                    Map.of("_csrf", token, "email", "nobody@example.com", "password", "guess number " + attempt));
            if (last.statusCode() == 429) {
                break;
            }
            assertThat(last.statusCode()).isEqualTo(400);
            assertThat(last.body()).contains("email or password is wrong");
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.body()).contains("too many sign-in attempts");
        // Someone else, from another address, still signs in.
        assertThat(new HttpBrowser(stack.portalUrl())
                        .signIn(EMAIL, PASSWORD, "/")
                        .statusCode())
                .isEqualTo(303);
    }

    /**
     * Behind a proxy that appends the address it saw as an X-Forwarded-For line of its own, a
     * guesser who writes a new address in the first line of each attempt is still one address:
     * the portal passes every line on, so the api's limit counts the proxy's line, not the forged
     * one (it used to pass only the first line, and each attempt looked like a new person).
     */
    @Test
    void aForgedFirstForwardedForLineDoesNotEscapeTheSignInLimit() throws Exception {
        String seenByTheProxy = "203.0.113.77";
        HttpResponse<String> last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            // A new browser each time: a new address in the first line (what the client wrote).
            HttpBrowser guesser = new HttpBrowser(stack.portalUrl());
            String token = guesser.csrfTokenOf("/sign-in");
            last = guesser.post(
                    "/sign-in",
                    Map.of("_csrf", token, "email", "nobody@example.com", "password", "forged " + attempt),
                    Map.of("X-Forwarded-For", seenByTheProxy));
            if (last.statusCode() == 429) {
                break;
            }
            assertThat(last.statusCode()).as(last.body()).isEqualTo(400);
        }
        assertThat(last.statusCode()).isEqualTo(429);
    }

    private static long partnersNamed(String name) throws Exception {
        HttpResponse<String> response =
                HttpBrowser.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/partners?limit=200"))
                        .header("Authorization", "Bearer " + PortalStack.ADMIN_KEY)
                        .GET());
        return Pattern.compile("\"name\":\"" + Pattern.quote(name) + "\"")
                .matcher(response.body())
                .results()
                .count();
    }

    private static Map<String, String> with(Map<String, String> form, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(form);
        copy.put(name, value);
        return copy;
    }
}
