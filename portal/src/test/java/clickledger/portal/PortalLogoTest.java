package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.testkit.SystemChromium;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.FilePayload;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A program's logo uploaded in Chromium on the program page: a file that is not an image is
 * refused next to the field, a PNG is stored (by the real api), shown on the page and in the top
 * bar under the portal's strict CSP, and served from the portal's own origin to someone with no
 * session, with its exact type and nosniff; then removed.
 */
class PortalLogoTest {
    private static final SystemChromium.Shared chromium = new SystemChromium.Shared();
    private static Browser browser;

    @BeforeAll
    static void start() {
        if (!SystemChromium.available()) {
            return;
        }
        browser = chromium.open();
    }

    @AfterAll
    static void stop() {
        chromium.close();
    }

    static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(new Color(0xe0, 0x4a, 0x1f));
        graphics.fillRoundRect(0, 0, width, height, 24, 24);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void anAdminUploadsAProgramLogoThatEveryPageShowsFromThePortal() throws Exception {
        SystemChromium.require();
        PortalStack stack = InstalledStack.get();
        String programId = InstalledStack.programId();
        String portal = stack.portalUrl();
        BrowserContext context = browser.newContext(new Browser.NewContextOptions()
                .setViewportSize(BrowserPage.DESKTOP_WIDTH, 800)
                .setLocale("en-US"));
        BrowserPage browserPage = new BrowserPage(context.newPage());
        var page = browserPage.page;

        page.navigate(portal + "/sign-in");
        browserPage.fill("Email", InstalledStack.EMAIL);
        browserPage.fill("Password", InstalledStack.PASSWORD);
        browserPage.click("Sign in");
        page.waitForURL(portal + "/");

        page.navigate(portal + "/programs/" + programId);
        PlaywrightAssertions.assertThat(page.getByText("No logo yet.")).isVisible();
        Locator file =
                page.getByLabel("Logo file", new com.microsoft.playwright.Page.GetByLabelOptions().setExact(true));

        // An SVG is a document that can carry scripts: refused, next to the field.
        file.setInputFiles(new FilePayload(
                "logo.svg",
                "image/svg+xml",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                        .getBytes(StandardCharsets.UTF_8)));
        browserPage.click("Upload logo");
        PlaywrightAssertions.assertThat(page.locator("#f-logo-error")).containsText("SVG");
        browserPage.shoot("program-logo-refused");

        page.navigate(portal + "/programs/" + programId);
        page.getByLabel("Logo file", new com.microsoft.playwright.Page.GetByLabelOptions().setExact(true))
                .setInputFiles(new FilePayload("logo.png", "image/png", png(1024, 256)));
        browserPage.click("Upload logo");
        // Redirected back to the program page with a notice (the URL is the same as before the post).
        PlaywrightAssertions.assertThat(page.locator(".notice")).containsText("saved");
        assertThat(page.url()).isEqualTo(portal + "/programs/" + programId);

        Locator preview = page.locator("img.logo-preview");
        PlaywrightAssertions.assertThat(preview).isVisible();
        String src = preview.getAttribute("src");
        assertThat(src).startsWith("/brand/programs/" + programId + "/logo?v=");
        // Loaded under the portal's CSP: the browser decoded it (512 wide: scaled by the api).
        page.waitForFunction("() => document.querySelector('img.logo-preview').naturalWidth > 0");
        assertThat(page.evaluate("document.querySelector('img.logo-preview').naturalWidth"))
                .isEqualTo(512);
        PlaywrightAssertions.assertThat(page.locator("header img.program-logo")).isVisible();
        browserPage.shoot("program-logo");
        assertThat(browserPage.problems).isEmpty();

        // From the portal's origin to anyone, without a session: a PNG, marked nosniff.
        HttpResponse<byte[]> served = HttpBrowser.HTTP.send(
                HttpRequest.newBuilder(URI.create(portal + src)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(served.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(ImageIO.read(new java.io.ByteArrayInputStream(served.body())).getWidth())
                .isEqualTo(512);

        browserPage.click("Remove logo");
        PlaywrightAssertions.assertThat(page.locator(".notice")).containsText("removed");
        PlaywrightAssertions.assertThat(page.getByText("No logo yet.")).isVisible();
        assertThat(HttpBrowser.HTTP
                        .send(
                                HttpRequest.newBuilder(URI.create(portal + src)).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode())
                .isEqualTo(404);
        context.close();
    }
}
