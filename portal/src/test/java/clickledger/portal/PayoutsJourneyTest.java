package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.testkit.SystemChromium;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's admin Payouts page in Debian's Chromium against the real api and portal: the preview
 * of a batch (who is paid, who is carried forward below the minimum or with a negative net), the
 * batch created, its payouts exported in each format as downloads, marked paid in bulk with a
 * reference, and a second batch's payout cancelled from its own page. Screenshots of each page at
 * desktop width and 375 px go to target/screenshots/.
 */
class PayoutsJourneyTest {
    static final String EMAIL = "payer@example.com";
    static final String PASSWORD = "payouts are a careful business 9";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PortalStack stack;
    private static final SystemChromium.Shared chromium = new SystemChromium.Shared();
    private static Browser browser;
    private static String programId;

    @BeforeAll
    static void start() throws Exception {
        if (!SystemChromium.available()) {
            return;
        }
        stack = PortalStack.start(false, Map.of(), Map.of());
        HttpResponse<String> installed = HttpBrowser.send(HttpRequest.newBuilder(
                        URI.create(stack.apiUrl() + "/v1/install"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"admin\":{\"name\":\"Payer\",\"email\":\"" + EMAIL
                        + "\",\"password\":\"" + PASSWORD + "\"},\"program\":{\"slug\":\"store\",\"name\":\"Store\","
                        + "\"currency\":\"USD\",\"destinationUrl\":\"https://store.example.com/\"}}")));
        assertThat(installed.statusCode()).as(installed.body()).isEqualTo(201);
        programId = JSON.readTree(installed.body()).at("/program/id").asText();
        browser = chromium.open();
    }

    @AfterAll
    static void stop() {
        chromium.close();
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void anAdminPreviewsCreatesExportsPaysAndCancelsPayouts() throws Exception {
        SystemChromium.require();
        String ada = partner("Ada Payee", "ada.payee@example.com");
        String bob = partner("Bob Refunded", "bob.refunded@example.com");
        String cy = partner("Cy Small", "cy.small@example.com");
        approved(ada, 3000);
        approved(ada, 2050);
        // +30.00 and -40.00 (a refund of a commission paid earlier): nets negative, carried forward.
        approved(bob, 3000);
        approved(bob, -4000);
        approved(cy, 500);

        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                .setViewportSize(BrowserPage.DESKTOP_WIDTH, 800)
                .setLocale("en-US")
                .setAcceptDownloads(true));
        BrowserPage browserPage = new BrowserPage(context.newPage());
        Page page = browserPage.page;
        String portal = stack.portalUrl();
        page.navigate(portal + "/sign-in");
        browserPage.fill("Email", EMAIL);
        browserPage.fill("Password", PASSWORD);
        browserPage.click("Sign in");
        page.waitForURL(portal + "/");

        browserPage.follow("Payouts");
        assertThat(browserPage.heading()).isEqualTo("Payouts");
        PlaywrightAssertions.assertThat(page.locator(".empty")).containsText("No payouts");
        browserPage.shoot("payouts-empty");

        // The preview: a minimum the api refuses is named next to its field.
        browserPage.follow("New batch");
        browserPage.select("Program", "Store");
        browserPage.fill("Minimum amount", "10.001");
        browserPage.click("Preview");
        PlaywrightAssertions.assertThat(page.locator("#f-minimumAmount-error")).isVisible();
        browserPage.shoot("payouts-preview-error");
        browserPage.fill("Minimum amount", "10.00");
        browserPage.click("Preview");
        PlaywrightAssertions.assertThat(page.locator("#preview")).isVisible();
        assertThat(rowText(page, "Ada Payee")).contains("$50.50").endsWith("Paid");
        assertThat(rowText(page, "Bob Refunded")).contains("-$10.00").contains("Carried: Nets to zero or less");
        assertThat(rowText(page, "Cy Small")).contains("$5.00").contains("Carried: Below the minimum");
        browserPage.shoot("payouts-preview");

        browserPage.click("Create payouts");
        page.waitForURL(url -> url.startsWith(portal + "/payouts?batchId="));
        assertThat(browserPage.notice()).startsWith("Created 1 payout.");
        assertThat(rowText(page, "Ada Payee")).contains("$50.50").contains("pending");
        browserPage.shoot("payouts-batch");

        // Each format, of the selected payout, downloads as a file.
        page.getByLabel("Select the payout of Ada Payee in USD").check();
        String csv = download(browserPage, () -> browserPage.click("Export selected as CSV"));
        assertThat(csv).startsWith("\"payoutId\",").contains("\"Ada Payee\"").contains(",50.50,");
        page.getByLabel("Select the payout of Ada Payee in USD").check();
        String payPal = download(browserPage, () -> browserPage.click("Export selected for PayPal"));
        // Ada has given no payout details: the row is there, with its error, never dropped.
        assertThat(payPal).contains("50.50").contains("\"USD\"").contains("no payout details");
        String wise = download(browserPage, () -> browserPage.follow("Wise file"));
        assertThat(wise).startsWith("\"name\",").contains("\"Ada Payee\"").contains("50.50");

        // Paid in bulk with the payment's reference.
        page.getByLabel("Select the payout of Ada Payee in USD").check();
        browserPage.fill("Payment reference", "PAYPAL-BATCH-7");
        browserPage.select("Paid with", "PayPal");
        browserPage.click("Mark selected paid");
        PlaywrightAssertions.assertThat(page.locator(".notice")).hasText("Marked 1 payout paid.");
        assertThat(rowText(page, "Ada Payee")).contains("paid").contains("PAYPAL-BATCH-7");
        browserPage.shoot("payouts-paid");

        // Its page shows the payment; a paid payout offers neither paying nor cancelling again.
        page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("$50.50"))
                .click();
        assertThat(browserPage.heading()).isEqualTo("Payout to Ada Payee: $50.50");
        PlaywrightAssertions.assertThat(page.locator("dl.facts")).containsText("PAYPAL-BATCH-7");
        assertThat(page.getByRole(
                                com.microsoft.playwright.options.AriaRole.BUTTON,
                                new Page.GetByRoleOptions().setName("Cancel payout"))
                        .count())
                .isZero();
        browserPage.shoot("payout-paid");

        // Cy earns more and reaches the minimum; that payout is cancelled from its page.
        approved(cy, 2000);
        page.navigate(portal + "/payouts/new?programId=" + programId + "&minimumAmount=10.00");
        assertThat(rowText(page, "Cy Small")).contains("$25.00").endsWith("Paid");
        browserPage.click("Create payouts");
        page.waitForURL(url -> url.startsWith(portal + "/payouts?batchId="));
        page.getByRole(com.microsoft.playwright.options.AriaRole.LINK, new Page.GetByRoleOptions().setName("$25.00"))
                .click();
        browserPage.shoot("payout-pending");
        browserPage.fill("Payment reference", " ");
        browserPage.click("Mark paid");
        PlaywrightAssertions.assertThat(page.locator("#f-reference-error")).isVisible();
        browserPage.click("Cancel payout");
        PlaywrightAssertions.assertThat(page.locator(".notice")).containsText("Payout cancelled");
        PlaywrightAssertions.assertThat(page.locator(".heading-row .status")).hasText("cancelled");

        // Cancelled, Cy's commissions are owed again and show in the next preview.
        page.navigate(portal + "/payouts/new?programId=" + programId + "&minimumAmount=10.00");
        assertThat(rowText(page, "Cy Small")).contains("$25.00").endsWith("Paid");
        assertThat(browserPage.problems).isEmpty();
        context.close();
    }

    private static String rowText(Page page, String partnerName) {
        return page.locator("tr", new Page.LocatorOptions().setHasText(partnerName))
                .first()
                .innerText()
                .replaceAll("\\s+", " ")
                .strip();
    }

    private static String download(BrowserPage browserPage, Runnable action) throws Exception {
        Download download = browserPage.page.waitForDownload(action);
        assertThat(download.failure()).isNull();
        assertThat(download.suggestedFilename()).endsWith(".csv");
        // A form's navigation that turns into a download ends, as a navigation, in ERR_ABORTED:
        // the file arrived (above), so that is not a failed request.
        browserPage.problems.removeIf(problem -> problem.endsWith("/payouts/bulk net::ERR_ABORTED"));
        return Files.readString(download.path(), StandardCharsets.UTF_8);
    }

    private static String partner(String name, String email) throws Exception {
        HttpResponse<String> created = HttpBrowser.send(HttpRequest.newBuilder(
                        URI.create(stack.apiUrl() + "/v1/partners"))
                .header("Authorization", "Bearer " + PortalStack.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"email\":\"" + email + "\"}")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode partner = JSON.readTree(created.body());
        return partner.get("id").asText();
    }

    /**
     * An approved commission of {@code amountMinor} cents, written as the attribution engine and
     * review leave one (the api's own tests earn them through clicks and events; here only the
     * payout pages are under test).
     */
    private static void approved(String partnerId, long amountMinor) {
        UUID partner = clickledger.common.id.Ulid.parse(partnerId).orElseThrow();
        UUID program = clickledger.common.id.Ulid.parse(programId).orElseThrow();
        stack.api
                .database()
                .dsl()
                .execute(
                        """
                        with event as (
                            insert into event (id, program_id, user_id, type, value_minor, currency, ts, created_at)
                            values (gen_random_uuid(), {0}, 'buyer-' || gen_random_uuid(), 'purchase', 10000, 'USD',
                                    now() - interval '1 day', now() - interval '1 day')
                            returning id
                        )
                        insert into commission (id, event_id, partner_id, program_id, amount_minor, currency, status,
                                                hold_until, kind, created_at, updated_at)
                        select gen_random_uuid(), id, {1}, {0}, {2}, 'USD', 'approved', now() - interval '1 day',
                               {3}, now() - interval '1 day', now() - interval '1 day'
                          from event""",
                        program, partner, amountMinor, amountMinor < 0 ? "adjustment" : "commission");
    }
}
