package clickledger.testkit;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright, for the browser tests of every module. Playwright must
 * not fetch a browser build of its own (this machine kind cannot run it, and CI installs Debian's
 * {@code chromium}). {@code CHROMIUM_EXECUTABLE} points elsewhere (another distribution's path, or
 * a missing one to see a test refuse to skip under {@code CI=true}). Playwright is a {@code provided} dependency here: the modules with browser
 * tests bring it in test scope, and {@code devdb.jar} stays without it.
 */
public final class SystemChromium {
    public static final Path EXECUTABLE =
            Path.of(System.getenv().getOrDefault("CHROMIUM_EXECUTABLE", "/usr/bin/chromium"));

    private SystemChromium() {}

    /** Whether the browser tests can run here. */
    public static boolean available() {
        return Files.isExecutable(EXECUTABLE);
    }

    /** From {@code @BeforeEach}: without Chromium the test skips with the reason, or fails under CI=true. */
    public static void require() {
        Prerequisites.require(
                available(),
                EXECUTABLE + " is absent; install Debian's chromium (apt-get install -y chromium, as .ci/run does)"
                        + " to run the browser tests");
    }

    public static Playwright playwright() {
        return Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    }

    /**
     * One Playwright and its Chromium for a test class: {@link #open()} from {@code @BeforeAll},
     * {@link #close()} from {@code @AfterAll}.
     */
    public static final class Shared implements AutoCloseable {
        private Playwright playwright;
        private Browser browser;

        /** Starts Chromium, or returns null without it (the tests' {@link #require()} then skips or fails). */
        public Browser open() {
            if (available() && browser == null) {
                playwright = playwright();
                browser = launch(playwright);
            }
            return browser;
        }

        @Override
        public void close() {
            if (browser != null) {
                browser.close();
                browser = null;
            }
            if (playwright != null) {
                playwright.close();
                playwright = null;
            }
        }
    }

    /** Headless, without a sandbox (tests run as root in CI), and without background traffic. */
    public static Browser launch(Playwright playwright) {
        return playwright
                .chromium()
                .launch(new BrowserType.LaunchOptions()
                        .setExecutablePath(EXECUTABLE)
                        .setHeadless(true)
                        .setArgs(List.of(
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--no-first-run")));
    }
}
