package clickledger.api.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import clickledger.api.TestApi;
import clickledger.testkit.SystemChromium;
import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /docs: Swagger UI over /openapi.json, every file from the api itself, under a strict CSP. */
class ApiDocsTest {
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void pageAndEveryFileItNamesAreServedByTheApiUnderAStrictPolicy() {
        TestApi.Response page = api.send("GET", "/docs", null, null).expect(200);

        assertThat(page.header("Content-Type")).startsWith("text/html");
        String policy = page.header("Content-Security-Policy");
        assertThat(policy).contains("default-src 'none'", "script-src 'self';", "style-src 'self';");
        assertThat(policy).doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)");
        assertThat(page.body()).doesNotContain("http://", "https://", "//cdn");

        List<String> references = new ArrayList<>();
        Matcher matcher = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        while (matcher.find()) {
            references.add(matcher.group(1));
        }
        assertThat(references)
                .contains(
                        "/docs/swagger-ui-bundle.js", "/docs/initializer.js", "/docs/swagger-ui.css", "/openapi.json");
        for (String reference : references) {
            TestApi.Response file = api.send("GET", reference, null, null).expect(200);
            assertThat(file.body()).as(reference).isNotEmpty();
            if (reference.endsWith(".js")) {
                assertThat(file.header("Content-Type")).as(reference).startsWith("text/javascript");
            }
        }
        assertThat(api.send("GET", "/docs/initializer.js", null, null).body())
                .contains("url: \"/openapi.json\"", "validatorUrl: null");
    }

    @Test
    void unknownFileUnderDocsIs404() {
        api.send("GET", "/docs/swagger-ui.js.map", null, null).expect(404);
        api.send("GET", "/docs/..%2Fopenapi.json", null, null).expect(404);
    }

    @Test
    void browserRendersEveryOperationWithoutAPolicyViolationOrAForeignRequest() throws Exception {
        if (!SystemChromium.available()) {
            String reason = SystemChromium.EXECUTABLE + " is absent; install Debian's chromium (apt-get install -y"
                    + " chromium, as .ci/run does) to run it";
            if ("true".equals(System.getenv("CI"))) {
                fail("Swagger UI browser test cannot run under CI=true: " + reason);
            }
            assumeTrue(false, "Swagger UI browser test skipped: " + reason);
        }
        JsonNode document = api.get("/openapi.json").expect(200).json();
        // Swagger UI names each operation's block operations-<tag>-<operationId>, once per tag.
        Set<String> expected = new TreeSet<>();
        for (JsonNode path : document.get("paths")) {
            for (var method : path.properties()) {
                if (HTTP_METHODS.contains(method.getKey())) {
                    for (JsonNode tag : method.getValue().get("tags")) {
                        expected.add("operations-" + tag.asText() + "-"
                                + method.getValue().get("operationId").asText());
                    }
                }
            }
        }
        String origin = api.url("");
        List<String> problems = new CopyOnWriteArrayList<>();
        try (Playwright playwright = SystemChromium.playwright();
                Browser browser = SystemChromium.launch(playwright)) {
            Page page = browser.newPage();
            page.onConsoleMessage(message -> {
                if (message.type().equals("error")) {
                    problems.add("console: " + message.text());
                }
            });
            page.onPageError(error -> problems.add("page error: " + error));
            page.onRequest(request -> {
                if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) {
                    problems.add("foreign request: " + request.url());
                }
            });
            page.navigate(api.url("/docs"));
            page.locator(".opblock")
                    .first()
                    .waitFor(new com.microsoft.playwright.Locator.WaitForOptions()
                            .setState(WaitForSelectorState.VISIBLE)
                            .setTimeout(30_000));

            assertThat(page.locator(".opblock-summary-path", new Page.LocatorOptions().setHasText("/v1/events"))
                            .count())
                    .isPositive();
            assertThat(page.locator("button.authorize").count()).isEqualTo(1);
            Path screenshots = Path.of("target", "screenshots");
            Files.createDirectories(screenshots);
            page.screenshot(new Page.ScreenshotOptions()
                    .setPath(screenshots.resolve("api-docs.png"))
                    .setFullPage(false));

            // From 150 tags and operations on, Swagger UI (5.33+) renders only the blocks near the
            // viewport, so the page is scrolled to its end and every block seen on the way counted.
            Set<String> rendered = new TreeSet<>();
            double previous = -1;
            for (int step = 0; step < 2_000; step++) {
                @SuppressWarnings("unchecked")
                List<String> ids = (List<String>) page.evalOnSelectorAll(".opblock", "blocks => blocks.map(b => b.id)");
                rendered.addAll(ids);
                double position = ((Number) page.evaluate(
                                "() => { window.scrollBy(0, window.innerHeight / 2);" + " return window.scrollY; }"))
                        .doubleValue();
                page.waitForTimeout(50);
                if (position == previous) {
                    break;
                }
                previous = position;
            }
            assertThat(rendered).as("operations rendered").containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(problems).isEmpty();
    }
}
