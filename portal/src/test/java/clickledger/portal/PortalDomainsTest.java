package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.testkit.SystemChromium;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A program's custom domains in Debian's Chromium against the real api and portal (issue 19): an
 * IP address refused next to its field, a dedicated primary domain added, a link created on it
 * whose share URL is the bare short domain, a domain with links kept and an empty one removed.
 */
class PortalDomainsTest {
    /** Its own address for the api's sign-in limit, apart from the other classes'. */
    static final String ADDRESS = "203.0.113.21";

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
    void anAdminAddsADomainMakesALinkOnItAndRemovesAnEmptyOne() throws Exception {
        // Skips without Chromium, or fails under CI=true.
        SystemChromium.require();
        String partnerName = "Domain Partner";
        HttpResponse<String> partner =
                HttpBrowser.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/partners"))
                        .header("Authorization", "Bearer " + PortalStack.ADMIN_KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"email\":\"domains-partner@example.com\",\"name\":\"" + partnerName + "\"}")));
        assertThat(partner.statusCode()).as(partner.body()).isEqualTo(201);

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

        page.navigate(portal + "/programs/" + programId);
        browserPage.follow("Its custom domains");
        page.waitForURL(portal + "/programs/" + programId + "/domains");
        PlaywrightAssertions.assertThat(page.locator(".empty")).containsText("No custom domains yet");
        browserPage.shoot("domains-empty");

        // An address is not a domain: the api's verdict next to the field, what was typed kept.
        browserPage.fill("Domain name", "127.0.0.1");
        browserPage.click("Add domain");
        PlaywrightAssertions.assertThat(page.locator("#f-hostname-error")).containsText("IP address");
        assertThat(browserPage.valueOf("Domain name")).isEqualTo("127.0.0.1");
        browserPage.shoot("domains-error");

        browserPage.fill("Domain name", "Go.Portal-Shop.example");
        page.getByLabel("Dedicated: the bare go.yourshop.com/ada redirects too").check();
        page.getByLabel("Primary: new links of this program use this domain").check();
        browserPage.fill("Cookie domain", "portal-shop.example");
        browserPage.click("Add domain");
        page.waitForURL(portal + "/programs/" + programId + "/domains");
        assertThat(browserPage.notice()).isEqualTo("Domain go.portal-shop.example added.");
        PlaywrightAssertions.assertThat(page.locator("table")).containsText("go.portal-shop.example");
        PlaywrightAssertions.assertThat(page.locator("table")).containsText("primary");
        PlaywrightAssertions.assertThat(page.locator("table")).containsText("/r/slug and /slug");
        browserPage.shoot("domains");

        // A link on it: its share URL is the bare address on the short domain.
        page.navigate(portal + "/links/new");
        browserPage.select("Program", "Shop");
        browserPage.select("Partner", partnerName + " (domains-partner@example.com)");
        browserPage.select("Domain", "go.portal-shop.example (Shop)");
        browserPage.fill("Slug", "ada-domain");
        browserPage.shoot("link-new-with-domain");
        browserPage.click("Create link");
        page.waitForURL(url -> url.startsWith(portal + "/links/") && !url.endsWith("/new"));
        assertThat(browserPage.valueOf("Share URL")).isEqualTo("https://go.portal-shop.example/ada-domain");
        browserPage.shoot("link-on-domain");

        // The domain has a link now, so it stays; an empty one goes.
        page.navigate(portal + "/programs/" + programId + "/domains");
        browserPage.click("Remove go.portal-shop.example");
        PlaywrightAssertions.assertThat(page.locator(".alert")).containsText("has links");
        browserPage.fill("Domain name", "spare.portal-shop.example");
        browserPage.click("Add domain");
        page.waitForURL(portal + "/programs/" + programId + "/domains");
        browserPage.click("Remove spare.portal-shop.example");
        page.waitForURL(portal + "/programs/" + programId + "/domains");
        assertThat(browserPage.notice()).isEqualTo("Domain removed.");
        PlaywrightAssertions.assertThat(page.locator("table")).not().containsText("spare.portal-shop.example");
        PlaywrightAssertions.assertThat(page.locator("table")).containsText("go.portal-shop.example");
        context.close();
    }
}
