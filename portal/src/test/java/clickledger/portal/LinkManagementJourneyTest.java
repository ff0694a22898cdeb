package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.testkit.SystemChromium;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's link management in Chromium, by labels and button texts: an admin creates a link
 * with tags and an expiry (a bad expired URL named next to its field first), finds it by tag,
 * edits its tags, archives it (gone from the list, back with "Archived: Shown"), deletes a link
 * nobody clicked, and is told why a clicked one cannot be deleted.
 */
class LinkManagementJourneyTest {
    private static final String EMAIL = "lin@example.com";
    private static final String PASSWORD = "a long enough admin password 19";
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
        HttpResponse<String> installed =
                HttpBrowser.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/v1/install"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"admin\":{\"name\":\"Lin\",\"email\":\"" + EMAIL
                                + "\",\"password\":\"" + PASSWORD
                                + "\"},\"program\":{\"slug\":\"tagshop\",\"name\":\"Tag Shop\","
                                + "\"currency\":\"USD\",\"destinationUrl\":\"https://tagshop.example.com/\"}}")));
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
    void anAdminTagsExpiresArchivesAndDeletesLinks() throws Exception {
        SystemChromium.require();
        String partnerId = api("POST", "/v1/partners", "{\"name\":\"Tia Tagger\",\"email\":\"tia@example.com\"}")
                .get("id")
                .asText();
        String clicked = api(
                        "POST",
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"clicked\"}"
                                .formatted(programId, partnerId))
                .get("id")
                .asText();
        click(clicked, partnerId);

        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                .setViewportSize(BrowserPage.DESKTOP_WIDTH, 800)
                .setLocale("en-US"));
        BrowserPage browserPage = new BrowserPage(context.newPage());
        Page page = browserPage.page;
        String portal = stack.portalUrl();
        page.navigate(portal + "/sign-in");
        browserPage.fill("Email", EMAIL);
        browserPage.fill("Password", PASSWORD);
        browserPage.click("Sign in");
        page.waitForURL(portal + "/");

        // Create, with a refused expired URL first: the error sits next to its field, the rest stays.
        page.navigate(portal + "/links/new");
        browserPage.select("Partner", "Tia Tagger (tia@example.com)");
        browserPage.fill("Slug", "summer-ada");
        browserPage.fill("Tags", "Summer Sale, newsletter");
        browserPage.fill("Expires at (UTC)", "2099-06-30T12:00");
        browserPage.fill("Expired URL", "javascript:alert(1)");
        browserPage.click("Create link");
        PlaywrightAssertions.assertThat(page.locator("#f-expiredUrl-error")).isVisible();
        assertThat(browserPage.valueOf("Tags")).isEqualTo("Summer Sale, newsletter");
        browserPage.shoot("link-new-errors");
        browserPage.fill("Expired URL", "https://tagshop.example.com/offer-ended");
        browserPage.click("Create link");
        page.waitForURL(url -> url.matches(".*/links/[0-9A-Z]{26}$"));
        assertThat(browserPage.notice()).contains("summer-ada");
        PlaywrightAssertions.assertThat(page.locator(".facts")).containsText("newsletter");
        PlaywrightAssertions.assertThat(page.locator(".facts")).containsText("summer sale");
        PlaywrightAssertions.assertThat(page.locator(".facts")).containsText("offer-ended");
        browserPage.shoot("link-show-tags");

        // Edit the tags on the link's page; a bad tag is named, a good one saved.
        browserPage.fill("Tags", "summer sale, a,,b, " + "x".repeat(41));
        browserPage.click("Save tags and expiry");
        PlaywrightAssertions.assertThat(page.locator("#f-tags-error")).isVisible();
        browserPage.fill("Tags", "summer sale, VIP");
        browserPage.click("Save tags and expiry");
        assertThat(browserPage.notice()).contains("saved");
        PlaywrightAssertions.assertThat(page.locator(".facts")).containsText("vip");

        // The list, filtered by tag.
        page.navigate(portal + "/links");
        browserPage.fill("Tag", "VIP");
        browserPage.click("Filter");
        page.waitForURL(url -> url.contains("tag=VIP"));
        PlaywrightAssertions.assertThat(page.locator("#links")).containsText("summer-ada");
        PlaywrightAssertions.assertThat(page.locator("#links")).not().containsText("/r/clicked");
        browserPage.shoot("links-by-tag");

        // Archive: gone from the list, back when archived links are shown.
        browserPage.click("Archive summer-ada");
        assertThat(browserPage.notice()).contains("archived");
        page.navigate(portal + "/links");
        PlaywrightAssertions.assertThat(page.locator("#links")).not().containsText("summer-ada");
        browserPage.select("Archived", "Shown");
        browserPage.click("Filter");
        page.waitForURL(url -> url.contains("archived=true"));
        PlaywrightAssertions.assertThat(page.locator("#links")).containsText("summer-ada");
        browserPage.shoot("links-archived-shown");

        // A clicked link is kept; the one nobody clicked goes.
        browserPage.click("Delete clicked");
        assertThat(browserPage.notice()).contains("cannot be deleted");
        page.navigate(portal + "/links?archived=true");
        browserPage.click("Delete summer-ada");
        assertThat(browserPage.notice()).isEqualTo("Link deleted.");
        PlaywrightAssertions.assertThat(page.locator("#links")).not().containsText("summer-ada");
        PlaywrightAssertions.assertThat(page.locator("#links")).containsText("clicked");
        assertThat(browserPage.problems).isEmpty();
        context.close();
    }

    private static JsonNode api(String method, String path, String body) throws Exception {
        HttpResponse<String> response = stack.callApi(method, path, PortalStack.ADMIN_KEY, body);
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    // A click as the router stores it: this stack runs no router.
    private static void click(String linkId, String partnerId) {
        UUID id = Ulid.newUuidV7(System.currentTimeMillis());
        stack.api
                .database()
                .dsl()
                .execute(
                        "insert into click (id, ts, link_id, program_id, partner_id) values ({0}, now(), {1}, {2}, {3})",
                        id,
                        Ulid.parse(linkId).orElseThrow(),
                        Ulid.parse(programId).orElseThrow(),
                        Ulid.parse(partnerId).orElseThrow());
    }
}
