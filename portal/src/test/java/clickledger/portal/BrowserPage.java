package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.portal.web.DimensionTable;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Chromium page driven as a person would: fields found by their label, buttons by their text.
 * It collects what a person would not see but must not happen (console errors, which is where a
 * CSP violation shows, and failed requests), and {@link #shoot} saves a screenshot of the page at
 * desktop width and at 375 px after checking what holds on every page: each form control has a
 * label, and nothing is wider than a phone's screen.
 */
final class BrowserPage {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final int DESKTOP_WIDTH = 1280;
    static final int PHONE_WIDTH = 375;

    final Page page;
    final List<String> problems = new CopyOnWriteArrayList<>();

    BrowserPage(Page page) {
        this.page = page;
        page.onConsoleMessage(message -> {
            // Chromium logs every error status as "Failed to load resource"; those are judged
            // below, by what was loaded.
            if (message.type().equals("error") && !message.text().startsWith("Failed to load resource")) {
                problems.add(page.url() + ": " + message.text());
            }
        });
        page.onResponse(response -> {
            // A form sent back with its errors answers 400 for the page itself: that is the portal
            // speaking HTTP. An image, a script or an htmx request that fails is a broken page.
            if (response.status() >= 400 && !response.request().isNavigationRequest()) {
                problems.add(response.url() + " answered " + response.status());
            }
        });
        page.onPageError(error -> problems.add(page.url() + ": " + error));
        page.onRequestFailed(request -> {
            // An event stream ends when the page navigates away; that is not a failure.
            if (!request.url().endsWith("/live")) {
                problems.add(request.url() + " " + request.failure());
            }
        });
    }

    void fill(String label, String value) {
        page.getByLabel(label, new Page.GetByLabelOptions().setExact(true)).fill(value);
    }

    /** A field of a group ({@code <fieldset>} with {@code <legend>}), when the label repeats across groups. */
    void fillIn(String group, String label, String value) {
        page.getByRole(
                        AriaRole.GROUP,
                        new Page.GetByRoleOptions().setName(group).setExact(true))
                .getByLabel(label, new com.microsoft.playwright.Locator.GetByLabelOptions().setExact(true))
                .fill(value);
    }

    void select(String label, String optionLabel) {
        page.getByLabel(label, new Page.GetByLabelOptions().setExact(true))
                .selectOption(new com.microsoft.playwright.options.SelectOption().setLabel(optionLabel));
    }

    void click(String buttonText) {
        page.getByRole(
                        AriaRole.BUTTON,
                        new Page.GetByRoleOptions().setName(buttonText).setExact(true))
                .click();
    }

    void follow(String linkText) {
        page.getByRole(
                        AriaRole.LINK,
                        new Page.GetByRoleOptions().setName(linkText).setExact(true))
                .first()
                .click();
    }

    String heading() {
        return page.locator("h1").first().textContent().strip();
    }

    /** The page's notice after a redirect ("Partner Ada created."). */
    String notice() {
        return page.locator(".notice").textContent().strip();
    }

    String valueOf(String label) {
        return page.getByLabel(label, new Page.GetByLabelOptions().setExact(true))
                .inputValue();
    }

    /**
     * The dashboard's tables of clicks by country, device, browser, OS, referrer and utm source and
     * campaign, each found by its heading (the section it names): after one click, each has one
     * line (its value, or the unknown line when the click had none) with that click, 100 % of them.
     */
    void assertOneClickInEveryDimensionTable() {
        for (DimensionTable.Dimension dimension : DimensionTable.DASHBOARD) {
            Locator section = page.getByRole(
                    AriaRole.REGION,
                    new Page.GetByRoleOptions().setName(dimension.title()).setExact(true));
            PlaywrightAssertions.assertThat(section).hasCount(1);
            Locator table = section.getByRole(AriaRole.TABLE);
            PlaywrightAssertions.assertThat(table.getByRole(
                            AriaRole.COLUMNHEADER,
                            new Locator.GetByRoleOptions()
                                    .setName(dimension.column())
                                    .setExact(true)))
                    .hasCount(1);
            Locator lines = table.locator("tbody tr");
            PlaywrightAssertions.assertThat(lines).hasCount(1);
            PlaywrightAssertions.assertThat(lines.locator("td").first()).hasText("1");
            PlaywrightAssertions.assertThat(lines).containsText("100%");
        }
    }

    /** Saves {@code name}-desktop.png and {@code name}-375.png under target/screenshots. */
    void shoot(String name) {
        assertEveryControlHasALabel(name);
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(SCREENSHOTS.resolve(name + "-desktop.png"))
                .setFullPage(true));
        page.setViewportSize(PHONE_WIDTH, 800);
        try {
            page.screenshot(new Page.ScreenshotOptions()
                    .setPath(SCREENSHOTS.resolve(name + "-375.png"))
                    .setFullPage(true));
            Object width = page.evaluate("document.documentElement.scrollWidth");
            assertThat(((Number) width).intValue())
                    .as("%s is no wider than a %d px screen", name, PHONE_WIDTH)
                    .isLessThanOrEqualTo(PHONE_WIDTH);
        } finally {
            page.setViewportSize(DESKTOP_WIDTH, 800);
        }
    }

    private void assertEveryControlHasALabel(String name) {
        Object unlabelled = page.evaluate(
                """
                () => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
                  .filter(el => !el.hidden && el.getAttribute('aria-hidden') !== 'true')
                  .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label'))
                  .map(el => el.name || el.id)
                """);
        assertThat((List<?>) unlabelled)
                .as("form controls without a label on %s", name)
                .isEmpty();
    }
}
