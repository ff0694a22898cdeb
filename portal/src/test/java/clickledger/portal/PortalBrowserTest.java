package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.metrics.Metrics;
import clickledger.testkit.SystemChromium;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.javalin.Javalin;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The portal in a real headless Chromium: what a person sees, with the CSP actually enforced. */
class PortalBrowserTest {

    private static Playwright playwright;
    private static Browser browser;
    private static FakeApi api;
    private static Javalin portal;

    private Page page;
    private final List<String> problems = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startBrowserAndPortal() {
        // Without Chromium every test skips, or fails under CI=true, in @BeforeEach, so each one
        // reports why: a machine with only a JDK still passes `make test`.
        if (!SystemChromium.available()) {
            return;
        }
        playwright = SystemChromium.playwright();
        browser = SystemChromium.launch(playwright);
        api = FakeApi.answering(200, Duration.ZERO);
        portal = PortalApp.create(
                        PortalConfig.fromEnv(Map.of("PUBLIC_API_URL", api.url().toString())),
                        Metrics.newRegistry("portal"),
                        HttpClient.newHttpClient())
                .start("127.0.0.1", 0);
    }

    @AfterAll
    static void stopAll() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (portal != null) {
            portal.stop();
        }
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void openPage() {
        SystemChromium.require();
        page = browser.newPage();
        // CSP violations and failed asset loads show up here, not as exceptions.
        page.onConsoleMessage(message -> {
            if (message.type().equals("error")) {
                problems.add(message.text());
            }
        });
        page.onRequestFailed(request -> problems.add(request.url() + " " + request.failure()));
        page.navigate(portalUrl() + "/");
    }

    @AfterEach
    void closePage() {
        if (page != null) {
            page.close();
        }
    }

    @Test
    void homePageRendersWithItsLocalStylesheet() {
        assertThat(page.title()).isEqualTo("clickledger");
        assertThat(page.locator("h1").textContent()).isEqualTo("clickledger");
        assertThat(page.locator(".note").textContent()).contains("arrives with the portal issue");
        // max-width comes only from portal.css: proves the stylesheet loaded under default-src 'self'.
        Object maxWidth = page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth");
        assertThat(maxWidth).isNotEqualTo("none");
        assertThat(problems).isEmpty();
    }

    @Test
    void portalHealthLinkNavigatesToTheHealthAnswer() {
        page.locator("#portal-health").click();
        page.waitForURL(portalUrl() + "/healthz");
        assertThat(page.locator("body").textContent())
                .contains("\"status\":\"ok\"")
                .contains("\"service\":\"portal\"");
    }

    @Test
    void apiHealthLinkNavigatesToTheApisHealthAnswer() {
        page.locator("#api-health").click();
        page.waitForURL(api.url() + "/healthz");
        assertThat(page.locator("body").textContent()).contains("\"service\":\"api\"");
    }

    private static String portalUrl() {
        return "http://127.0.0.1:" + portal.port();
    }
}
