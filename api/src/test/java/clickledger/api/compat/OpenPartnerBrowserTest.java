package clickledger.api.compat;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.api.stripe.StripeFixtures;
import clickledger.testkit.SystemChromium;
import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.Cookie;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenPartner's browser client, loaded from the npm package into a merchant's page in headless
 * Chromium. The page is served from another origin than the api's, so the identify call crosses
 * origins exactly as on a real shop: a preflight, then the keyless POST.
 */
class OpenPartnerBrowserTest {
    private static final Instant NOW = TestApi.START;

    private static Path sdk;
    private static HttpServer shop;
    private static String shopOrigin;
    private static TestApi api;
    private static Seeds seeds;
    private static StripeFixtures stripe;
    private static String program;
    private static final SystemChromium.Shared chromium = new SystemChromium.Shared();
    private static Browser browser;

    private BrowserContext context;

    @BeforeAll
    static void start() throws IOException {
        // Without Chromium or the SDK, every test skips (fails under CI=true) in @BeforeEach, which says why.
        if (!SystemChromium.available() || OpenPartnerSdk.unavailable().isPresent()) {
            return;
        }
        sdk = OpenPartnerSdk.require();
        shop = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        shopOrigin = "http://127.0.0.1:" + shop.getAddress().getPort();
        api = TestApi.start(Map.of("CORS_ALLOWED_ORIGINS", shopOrigin, "IDENTIFY_ALLOW_ANONYMOUS", "true"));
        seeds = new Seeds(api);
        program = seeds.program(TestApi.unique("browser-"), "last_click");
        stripe = new StripeFixtures(api);
        stripe.connect(program);
        shop.createContext("/", OpenPartnerBrowserTest::serve);
        shop.start();
        browser = chromium.open();
    }

    @AfterAll
    static void stop() {
        chromium.close();
        if (shop != null) {
            shop.stop(0);
        }
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void newVisitor() {
        SystemChromium.require();
        OpenPartnerSdk.require();
        // A context per test: its own cookies and localStorage, like a new visitor.
        context = browser.newContext();
    }

    @AfterEach
    void closeVisitor() {
        if (context != null) {
            context.close();
        }
    }

    /** The merchant's page: the SDK's ES module from the installed package, initialised as its README says. */
    private static void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/sdk/browser.js")) {
                respond(exchange, "text/javascript", Files.readAllBytes(sdk.resolve("dist/browser.js")));
                return;
            }
            if (!path.equals("/landing")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String page =
                    """
                    <!doctype html>
                    <html><head><meta charset="utf-8"><title>shop</title><link rel="icon" href="data:,"></head>
                    <body><script type="module">
                    import { OpenPartner } from '/sdk/browser.js';
                    window.identifyErrors = [];
                    window.op = OpenPartner.init({
                      apiUrl: '%s',
                      onError: (err) => window.identifyErrors.push(String(err && err.message)),
                    });
                    window.ready = true;
                    </script></body></html>
                    """
                            .formatted(api.url(""));
            respond(exchange, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void respond(HttpExchange exchange, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private Page land(String url) {
        Page page = context.newPage();
        page.navigate(url);
        page.waitForFunction("window.ready === true");
        return page;
    }

    private static String click() {
        return seeds.click(program, seeds.partner(program), NOW.minus(Duration.ofDays(1)));
    }

    @Test
    void identifyAfterLandingWithCrefStitchesTheClick() {
        String cref = click();
        String user = TestApi.unique("shopper-");

        Page page = land(shopOrigin + "/landing?utm_source=partner&cref=" + cref);
        Object answer = page.evaluate("userId => window.op.identify(userId)", user);

        assertThat(page.evaluate("window.op.getCref()")).isEqualTo(cref);
        assertThat(answer)
                .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
                .containsEntry("ok", true)
                .containsEntry("firstStitch", true);
        assertThat(page.evaluate("window.identifyErrors.length")).isEqualTo(0);
        assertThat(seeds.identityExists(user, cref)).isTrue();
    }

    @Test
    void identifyOnALaterPageUsesTheRoutersCrefCookie() {
        String cref = click();
        String user = TestApi.unique("shopper-");
        // What the router's Set-Cookie leaves behind on the merchant's domain.
        context.addCookies(List.of(new Cookie("_cref", cref).setUrl(shopOrigin)));

        Page page = land(shopOrigin + "/landing");
        Object answer = page.evaluate("userId => window.op.identify(userId)", user);

        assertThat(answer)
                .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
                .containsEntry("ok", true);
        assertThat(seeds.identityExists(user, cref)).isTrue();
    }

    /**
     * The SDK's documented Stripe recipe: the merchant's server creates the Checkout Session with
     * {@code client_reference_id: op.getReferral()}; Stripe's checkout.session.completed then
     * carries that value back, and the payment is the partner's with no identify call at all.
     */
    @Test
    void getReferralAsClientReferenceIdAttributesTheStripePayment() {
        Ledger.Partner partner = seeds.partner(program);
        String cref = seeds.click(program, partner, NOW.minus(Duration.ofDays(1)));

        Page page = land(shopOrigin + "/landing?utm_source=partner&cref=" + cref);
        Object referral = page.evaluate("window.op.getReferral()");
        String session = StripeFixtures.event(
                "evt_browser_checkout",
                "checkout.session.completed",
                NOW.minus(Duration.ofHours(1)),
                StripeFixtures.checkoutSession("cs_browser", "payment", "cus_browser", (String) referral, 4900, "usd")
                        .put("payment_intent", "pi_browser"));
        stripe.deliver(program, session).expect(200);

        assertThat(referral).isEqualTo(cref);
        JsonNode commissions = api.get("/v1/commissions?programId=" + program + "&partnerId=" + partner.id())
                .expect(200)
                .json()
                .get("items");
        assertThat(commissions).singleElement().satisfies(commission -> {
            assertThat(commission.get("eventId").asText()).isEqualTo("pi_browser");
            assertThat(commission.get("amount").asText()).isEqualTo("4.90");
        });
    }

    @Test
    void aPageFromAnOriginNotAllowedCannotIdentify() {
        String cref = click();
        String user = TestApi.unique("shopper-");
        // Same server, other origin: localhost is not 127.0.0.1 to a browser.
        String foreign = shopOrigin.replace("127.0.0.1", "localhost");

        Page page = land(foreign + "/landing?cref=" + cref);
        Object answer = page.evaluate("userId => window.op.identify(userId)", user);

        assertThat(answer).isNull();
        assertThat(page.evaluate("window.identifyErrors.length")).isEqualTo(1);
        assertThat(seeds.identityExists(user, cref)).isFalse();
    }
}
