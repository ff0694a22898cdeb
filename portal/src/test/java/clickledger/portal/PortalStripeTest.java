package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.stripe.StripeSignature;
import clickledger.testkit.SystemChromium;
import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A program's Stripe section in Debian's Chromium against the real api and portal: the webhook
 * URL to paste into Stripe, a secret that is not Stripe's refused next to its field, connecting,
 * "send test" (the api signs a sample with the stored secret and posts it to its own webhook),
 * a Stripe delivery in a currency that is not the program's shown as a failed event and as the
 * integration's last error, and disconnecting, after which Stripe's deliveries are refused.
 */
class PortalStripeTest {
    static final String SECRET = "whsec_portalTest9Xq2Yz8wT1uV3rS6pN9mK4jH7";
    /** Its own address for the api's sign-in limit, apart from HttpBrowser's 198.51.100.x. */
    static final String ADDRESS = "203.0.113.20";

    private static PortalStack stack;
    private static String programId;
    private static final SystemChromium.Shared chromium = new SystemChromium.Shared();
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        if (!SystemChromium.available()) {
            return;
        }
        stack = InstalledStack.get();
        programId = InstalledStack.programId();
        browser = chromium.open();
    }

    @AfterAll
    static void stop() {
        // The stack is InstalledStack's, shared with other classes and stopped when the JVM ends.
        chromium.close();
    }

    @Test
    void anAdminConnectsStripeSendsATestSeesTheOutcomesAndDisconnects() throws Exception {
        // Skips without Chromium, or fails under CI=true.
        SystemChromium.require();
        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                .setViewportSize(BrowserPage.DESKTOP_WIDTH, 800)
                .setLocale("en-US")
                .setExtraHTTPHeaders(Map.of("X-Forwarded-For", ADDRESS)));
        BrowserPage browserPage = new BrowserPage(context.newPage());
        Page page = browserPage.page;
        String portal = stack.portalUrl();
        page.navigate(portal + "/sign-in");
        browserPage.fill("Email", InstalledStack.EMAIL);
        browserPage.fill("Password", InstalledStack.PASSWORD);
        browserPage.click("Sign in");
        page.waitForURL(portal + "/");

        // Not connected yet: the URL to paste into Stripe is there already (Stripe shows the
        // signing secret only once the endpoint exists), and Stripe's deliveries are refused.
        page.navigate(portal + "/programs/" + programId);
        Locator section = page.locator("#stripe");
        Locator state = section.locator(".heading-row .status");
        PlaywrightAssertions.assertThat(state).hasText("disconnected");
        String webhookUrl = browserPage.valueOf("Webhook URL");
        assertThat(webhookUrl).isEqualTo(stack.apiUrl() + "/v1/programs/" + programId + "/integrations/stripe/webhook");
        PlaywrightAssertions.assertThat(section).containsText("No Stripe events received yet.");
        PlaywrightAssertions.assertThat(button(page, "Send Stripe test event")).hasCount(0);
        PlaywrightAssertions.assertThat(button(page, "Disconnect Stripe")).hasCount(0);
        assertThat(deliver(webhookUrl, dollarInvoice("evt_portal_early")).statusCode())
                .isEqualTo(404);

        // A secret that is not Stripe's: the api's verdict next to the field.
        browserPage.fill("Stripe signing secret", "sk_live_not_a_signing_secret");
        browserPage.click("Connect Stripe");
        PlaywrightAssertions.assertThat(page.locator("#f-webhookSecret-error")).containsText("whsec_");
        PlaywrightAssertions.assertThat(state).hasText("disconnected");
        browserPage.shoot("program-stripe-errors");

        browserPage.fill("Stripe signing secret", SECRET);
        browserPage.click("Connect Stripe");
        PlaywrightAssertions.assertThat(page.locator(".notice")).hasText("Stripe connected.");
        PlaywrightAssertions.assertThat(state).hasText("connected");
        // Shown masked, never whole: not on the page, not in the field it was typed into.
        PlaywrightAssertions.assertThat(section).containsText("whsec_…" + SECRET.substring(SECRET.length() - 4));
        assertThat(page.content()).doesNotContain(SECRET);
        assertThat(browserPage.valueOf("Stripe signing secret")).isEmpty();
        assertThat(browserPage.valueOf("Stripe event type")).isEqualTo("purchase");

        // "Send test": the api signs a sample with the stored secret and posts it to its own webhook.
        browserPage.click("Send Stripe test event");
        PlaywrightAssertions.assertThat(page.locator(".notice")).containsText("the webhook answered HTTP 200, test.");
        Locator rows = page.locator("#stripe-events tbody tr");
        PlaywrightAssertions.assertThat(rows).hasCount(1);
        PlaywrightAssertions.assertThat(rows.first()).containsText("clickledger.test");
        PlaywrightAssertions.assertThat(rows.first().locator(".status")).hasText("test");
        PlaywrightAssertions.assertThat(rows.first()).containsText("verified");

        // Stripe delivers an invoice in dollars to this euro program: stored, refused, and shown
        // as a failed event and as the integration's last error (never dropped silently).
        HttpResponse<String> delivered = deliver(webhookUrl, dollarInvoice("evt_portal_dollars"));
        assertThat(delivered.statusCode()).as(delivered.body()).isEqualTo(200);
        assertThat(delivered.body()).contains("\"outcome\":\"failed\"");
        page.reload();
        PlaywrightAssertions.assertThat(rows).hasCount(2);
        PlaywrightAssertions.assertThat(rows.first()).containsText("invoice.paid");
        PlaywrightAssertions.assertThat(rows.first()).containsText("evt_portal_dollars");
        PlaywrightAssertions.assertThat(rows.first().locator(".status")).hasText("failed");
        PlaywrightAssertions.assertThat(rows.first()).containsText("currency USD is not the program's currency EUR");
        PlaywrightAssertions.assertThat(page.locator("#stripe-last-error")).containsText("evt_portal_dollars");
        PlaywrightAssertions.assertThat(page.locator("#stripe-last-error")).containsText("USD");
        browserPage.shoot("program-stripe");

        // Disconnecting: Stripe's deliveries are refused again; what was received stays listed.
        browserPage.click("Disconnect Stripe");
        PlaywrightAssertions.assertThat(page.locator(".notice")).hasText("Stripe disconnected.");
        PlaywrightAssertions.assertThat(state).hasText("disconnected");
        PlaywrightAssertions.assertThat(rows).hasCount(2);
        PlaywrightAssertions.assertThat(button(page, "Send Stripe test event")).hasCount(0);
        PlaywrightAssertions.assertThat(button(page, "Connect Stripe")).hasCount(1);
        assertThat(deliver(webhookUrl, dollarInvoice("evt_portal_late")).statusCode())
                .isEqualTo(404);
        // The form sent again (a second tab, a double click): a notice, not an error page.
        String csrf = page.locator("input[name=_csrf]").first().inputValue();
        APIResponse again = context.request()
                .post(
                        portal + "/programs/" + programId + "/stripe/disconnect",
                        RequestOptions.create()
                                .setForm(FormData.create().set("_csrf", csrf))
                                .setMaxRedirects(0));
        assertThat(again.status()).as(again.text()).isEqualTo(303);
        page.navigate(portal + "/programs/" + programId);
        PlaywrightAssertions.assertThat(page.locator(".notice")).hasText("Stripe is not connected.");

        assertThat(browserPage.problems)
                .as("console errors and failed requests")
                .isEmpty();
        context.close();
    }

    private static Locator button(Page page, String name) {
        return page.getByRole(
                AriaRole.BUTTON, new Page.GetByRoleOptions().setName(name).setExact(true));
    }

    /** An {@code invoice.paid} as Stripe sends it, in US dollars. */
    private static String dollarInvoice(String eventId) {
        long now = Instant.now().getEpochSecond();
        return """
                {"id":"%s","object":"event","type":"invoice.paid","created":%d,"livemode":false,
                 "data":{"object":{"id":"in_%s","object":"invoice","customer":"cus_portal","amount_paid":4900,
                 "currency":"usd","billing_reason":"manual","status":"paid"}}}"""
                .formatted(eventId, now, eventId);
    }

    /** Posts {@code payload} to {@code url} as Stripe would, signed with {@link #SECRET} now. */
    private static HttpResponse<String> deliver(String url, String payload) throws Exception {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return HttpBrowser.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header(
                        "Stripe-Signature",
                        StripeSignature.header(SECRET, Instant.now().getEpochSecond(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }
}
