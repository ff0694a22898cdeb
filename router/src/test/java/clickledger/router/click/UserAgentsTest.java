package clickledger.router.click;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UserAgentsTest {
    // Waits for Yauaa (it loads on a thread of its own), so every verdict here is a parsed one.
    private final UserAgents agents = new UserAgents(UserAgents.sharedParser(), CrawlerList.pinned());

    /** The lines of a corpus file under test resources, comments and blank lines left out. */
    static List<String> corpus(String name) throws IOException {
        try (InputStream in = UserAgentsTest.class.getResourceAsStream("/user-agents/" + name)) {
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line.strip());
                }
            }
            return lines;
        }
    }

    /** Each browser of the corpus that the classifier calls a bot, with its reason. */
    private static List<String> browsersCalledBots(UserAgents classifier) throws IOException {
        List<String> wrong = new ArrayList<>();
        for (String line : corpus("browsers.txt")) {
            String agent = line.substring(0, line.lastIndexOf(" | "));
            UserAgents.Verdict verdict = classifier.classify("GET", agent);
            if (verdict.bot()) {
                wrong.add(verdict.botReason() + " <- " + agent);
            }
        }
        return wrong;
    }

    @Test
    void noRealBrowserIsABotPhonesNamedCubotIncluded() throws IOException {
        assertThat(corpus("browsers.txt")).hasSizeGreaterThanOrEqualTo(50);
        assertThat(browsersCalledBots(agents)).isEmpty();
    }

    @Test
    void everyBrowserGetsItsDeviceClass() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (String line : corpus("browsers.txt")) {
            int bar = line.lastIndexOf(" | ");
            String agent = line.substring(0, bar);
            String expected = line.substring(bar + 3);
            String device = agents.classify("GET", agent).device();
            if (!device.equals(expected)) {
                wrong.add(device + " instead of " + expected + " <- " + agent);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyCrawlerPreviewerAndToolIsABot() throws IOException {
        List<String> bots = corpus("bots.txt");
        assertThat(bots).hasSizeGreaterThanOrEqualTo(50);
        List<String> missed = new ArrayList<>();
        for (String agent : bots) {
            UserAgents.Verdict verdict = agents.classify("GET", agent);
            if (!verdict.bot() || !verdict.device().equals("bot")) {
                missed.add(agent);
            }
        }
        assertThat(missed).isEmpty();
    }

    /**
     * The corpus check can fail: the old list's bare "bot" substring rule, put back as a list
     * entry, turns it red on the Cubot phones.
     */
    @Test
    void aBareBotRuleWouldFlagPhonesAndTheCorpusCatchesIt() throws Exception {
        JsonNode list = new ObjectMapper().readTree("[{\"pattern\": \"(?i)bot\", \"tags\": []}]");
        UserAgents careless = new UserAgents(UserAgents.sharedParser(), CrawlerList.parse(list));
        assertThat(browsersCalledBots(careless))
                .anySatisfy(line -> assertThat(line).contains("CUBOT P40"))
                .anySatisfy(line -> assertThat(line).contains("CUBOT_X30"));
    }

    @Test
    void everyInstanceOfThePinnedListMatchesIt() throws IOException {
        CrawlerList crawlers = CrawlerList.pinned();
        assertThat(crawlers.size()).isGreaterThan(1_000);
        JsonNode list;
        try (InputStream in = CrawlerList.class.getResourceAsStream(CrawlerList.RESOURCE)) {
            list = new ObjectMapper().readTree(in);
        }
        List<String> missed = new ArrayList<>();
        int instances = 0;
        for (JsonNode entry : list) {
            for (JsonNode instance : entry.path("instances")) {
                instances++;
                if (crawlers.match(instance.asText()) == null) {
                    missed.add(entry.path("pattern").asText() + " <- " + instance.asText());
                }
            }
        }
        assertThat(instances).isGreaterThan(1_000);
        assertThat(missed).isEmpty();
    }

    @ParameterizedTest(name = "{1} -> {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            textBlock =
                    """
            HEAD | Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36                       | head_request
            HEAD | NULL                                                                                       | head_request
            GET  | NULL                                                                                       | no_user_agent
            GET  | Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)                                 | link_preview:slack
            GET  | facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)                  | link_preview:facebook
            GET  | Twitterbot/1.0                                                                             | link_preview:twitter
            GET  | LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)      | link_preview:linkedin
            GET  | Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)                          | link_preview:discord
            GET  | WhatsApp/2.23.20.0 A                                                                       | link_preview:whatsapp
            GET  | TelegramBot (like TwitterBot)                                                              | link_preview:telegram
            GET  | Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36  | headless:chrome
            GET  | Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)                     | uptime:uptimerobot
            GET  | Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)                                      | uptime:pingdom
            GET  | Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)                   | crawler:google
            GET  | Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)                    | crawler:bing
            GET  | Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)                         | crawler:ahrefsbot
            GET  | curl/8.5.0                                                                                 | http_client:curl
            GET  | python-requests/2.31.0                                                                     | http_client:python-requests
            GET  | Java/21.0.5                                                                                | http_client:java
            GET  | Mozilla/5.0 (compatible; SomeNewBot/1.0)                                                   | crawler:other
            """)
    void namesWhySoftwareIsSoftware(String method, String userAgent, String reason) {
        assertThat(agents.classify(method, userAgent).botReason()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "{0} -> {1} {2} {3}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36                                           | desktop | Chrome           | Windows
            Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15                                      | desktop | Safari           | macOS
            Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0                       | desktop | Edge             | macOS
            Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0                                                                             | desktop | Firefox          | Linux
            Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36                                             | desktop | Chrome           | ChromeOS
            Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1.1 Mobile/15E148 Safari/604.1                | phone   | Safari           | iOS
            Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1                             | tablet  | Safari           | iOS
            Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36                 | phone   | Samsung Internet | Android
            Mozilla/5.0 (Linux; Android 10; CUBOT P40) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36                               | phone   | Chrome           | Android
            Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0                              | desktop | Opera            | Windows
            """)
    void readsDeviceBrowserAndOs(String userAgent, String device, String browser, String os) {
        UserAgents.Verdict verdict = agents.classify("GET", userAgent);
        assertThat(verdict.botReason()).isNull();
        assertThat(verdict.device()).isEqualTo(device);
        assertThat(verdict.browser()).isEqualTo(browser);
        assertThat(verdict.os()).isEqualTo(os);
    }

    @Test
    void unknownSoftwareIsOtherNotNull() {
        UserAgents.Verdict verdict = agents.classify("GET", "x");
        assertThat(verdict.device()).isNotNull();
        assertThat(verdict.browser()).isNotNull();
        assertThat(verdict.os()).isNotNull();
    }

    @Test
    void aRepeatedAgentGetsTheSameVerdictAsTheFirstTime() {
        String person = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
        String bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        UserAgents.Verdict first = agents.classify("GET", person);
        for (int i = 0; i < 3; i++) {
            assertThat(agents.classify("GET", person)).isSameAs(first);
            assertThat(agents.classify("GET", bot).botReason()).isEqualTo("crawler:google");
            assertThat(agents.classify("HEAD", person).botReason()).isEqualTo("head_request");
            assertThat(agents.classify("HEAD", person).browser()).isEqualTo("Firefox");
        }
        String longBot = "curl/8.0 " + "x".repeat(600);
        assertThat(agents.classify("GET", longBot).bot()).isTrue();
        assertThat(agents.classify("GET", longBot).bot()).isTrue();
    }

    /**
     * Agents with the same families share one verdict object (and its strings), so the cache's
     * thousands of entries point at a few hot objects (decision 0022); the text of each stays its own.
     */
    @Test
    void agentsWithTheSameFamiliesShareOneVerdict() {
        String one = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/131.0.0.0 Safari/537.36";
        String other = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/130.0.0.0 Safari/537.36";
        assertThat(agents.classify("GET", other)).isSameAs(agents.classify("GET", one));
        assertThat(agents.classify("HEAD", other)).isSameAs(agents.classify("HEAD", one));
        assertThat(agents.classify("GET", one).browser()).isEqualTo("Chrome");
        String firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
        assertThat(agents.classify("GET", firefox)).isNotSameAs(agents.classify("GET", one));
    }

    /**
     * Misses are bounded: past the parse budget the quick token rules answer (bots still caught by
     * the list, phones still phones), nothing is cached, and the parser is not called.
     */
    @Test
    void pastTheParseBudgetTheQuickRulesAnswerUncached() throws IOException {
        java.util.concurrent.atomic.AtomicInteger parses = new java.util.concurrent.atomic.AtomicInteger();
        UserAgents.Parser real = UserAgents.sharedParser();
        UserAgents.Parser counting = agent -> {
            parses.incrementAndGet();
            return real.parse(agent);
        };
        UserAgents budgeted = new UserAgents(() -> counting, CrawlerList.pinned(), 10);
        List<String> browsers = corpus("browsers.txt");
        for (String line : browsers) {
            String agent = line.substring(0, line.lastIndexOf(" | "));
            UserAgents.Verdict verdict = budgeted.classify("GET", agent);
            assertThat(verdict.bot()).as(agent).isFalse();
            assertThat(verdict.device()).as(agent).isIn("desktop", "phone", "tablet");
        }
        assertThat(parses.get())
                .as("a second's burst of 10, and at most a few more as time passes")
                .isBetween(10, 30);
        assertThat(budgeted.misses(true)).as("misses the parser answered").isEqualTo(parses.get());
        assertThat(budgeted.misses(false))
                .as("misses the quick rules answered")
                .isEqualTo(browsers.size() - parses.get());
        for (String line : browsers.subList(0, 5)) {
            budgeted.classify("GET", line.substring(0, line.lastIndexOf(" | ")));
        }
        assertThat(budgeted.misses(true) + budgeted.misses(false))
                .as("the first agents were parsed, so cached: a repeat is no miss")
                .isEqualTo(browsers.size());
        UserAgents.Verdict quick = budgeted.classify(
                "GET",
                "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36");
        assertThat(quick.device()).isEqualTo("phone");
        assertThat(quick.os()).isEqualTo("Android");
        assertThat(budgeted.classify("GET", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")
                        .botReason())
                .isEqualTo("crawler:ahrefsbot");
        UserAgents loading = new UserAgents(() -> null, CrawlerList.pinned(), 10);
        assertThat(loading.classify("GET", "curl/8.5.0").botReason())
                .as("while Yauaa loads")
                .isEqualTo("http_client:curl");
        assertThat(loading.classify(
                                "GET",
                                "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1")
                        .device())
                .isEqualTo("tablet");
    }

    /**
     * The router's form never parses on a request thread (make bench's capture scenario: parsing
     * there cost the redirect three quarters of its throughput): a miss answers at once with the
     * quick rules, even while the parser is stuck, and the parsed verdict replaces it once the
     * parsing thread has it.
     */
    @Test
    void theRoutersFormParsesOffTheRequestThreadAndCachesTheResult() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.Set<String> parsingThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        UserAgents.Parser slow = agent -> {
            parsingThreads.add(Thread.currentThread().getName());
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new UserAgents.Parser.Parsed("tablet", "Parsed Browser", "Parsed OS", false);
        };
        String agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
                + " Version/17.5 Mobile/15E148 Safari/604.1";
        try (UserAgents background = UserAgents.parsingInBackground(() -> slow, CrawlerList.pinned(), 100)) {
            long start = System.nanoTime();
            UserAgents.Verdict first = background.classify("GET", agent);
            UserAgents.Verdict again = background.classify("GET", agent);
            assertThat(System.nanoTime() - start)
                    .as("answered while the parser is stuck")
                    .isLessThan(java.time.Duration.ofSeconds(2).toNanos());
            assertThat(first.device()).as("the quick rules").isEqualTo("phone");
            assertThat(first.browser()).isEqualTo("Safari");
            assertThat(again)
                    .as("the quick verdict is kept while the agent waits")
                    .isSameAs(first);
            assertThat(background.misses(false)).isEqualTo(1);
            assertThat(background
                            .classify("GET", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")
                            .botReason())
                    .as("the bot rules apply to a quick verdict")
                    .isEqualTo("crawler:ahrefsbot");

            release.countDown();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (!"Parsed Browser".equals(background.classify("GET", agent).browser())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(background.classify("GET", agent).browser()).isEqualTo("Parsed Browser");
            assertThat(background.classify("GET", agent).device()).isEqualTo("tablet");
            assertThat(parsingThreads).containsOnly("user-agent-parse");
            assertThat(background.misses(false))
                    .as("the parsed verdict is a hit")
                    .isEqualTo(2);
        }
    }

    /** A flood of new agents costs the request threads the quick rules only, and the parser its budget. */
    @Test
    void theParsingThreadKeepsToItsBudget() throws Exception {
        java.util.concurrent.atomic.AtomicInteger parses = new java.util.concurrent.atomic.AtomicInteger();
        UserAgents.Parser counting = agent -> {
            parses.incrementAndGet();
            return new UserAgents.Parser.Parsed("desktop", "Chrome", "Windows", false);
        };
        try (UserAgents background = UserAgents.parsingInBackground(() -> counting, CrawlerList.pinned(), 10)) {
            for (int i = 0; i < 500; i++) {
                background.classify(
                        "GET", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0." + i + " Safari/537.36");
            }
            assertThat(background.misses(false)).isEqualTo(500);
            Thread.sleep(1_500);
            assertThat(parses.get())
                    .as("a second's burst of 10 and 10 a second after it")
                    .isBetween(10, 30);
        }
    }

    /** While the parser loads, agents wait with their quick verdicts and are parsed once it is there. */
    @Test
    void agentsSeenWhileTheParserLoadsAreParsedOnceItIsThere() throws Exception {
        java.util.concurrent.atomic.AtomicReference<UserAgents.Parser> loaded =
                new java.util.concurrent.atomic.AtomicReference<>();
        String agent = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        try (UserAgents background = UserAgents.parsingInBackground(loaded::get, CrawlerList.pinned(), 100)) {
            assertThat(background.classify("GET", agent).browser()).isEqualTo("Firefox");
            loaded.set(agentText -> new UserAgents.Parser.Parsed("desktop", "Firefox (parsed)", "Linux", false));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
            while (!"Firefox (parsed)".equals(background.classify("GET", agent).browser())
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(background.classify("GET", agent).browser()).isEqualTo("Firefox (parsed)");
        }
    }

    /**
     * Four agents whose hashes pick the same cache set all stay cached (the cache is four-way set
     * associative): a direct-mapped cache re-parsed them on every alternation.
     */
    @Test
    void fourAgentsOfTheSameSlotAllStayCached() {
        java.util.Map<Integer, List<String>> bySlot = new java.util.HashMap<>();
        List<String> same = null;
        for (int i = 0; same == null; i++) {
            String agent = "Mozilla/5.0 (Linux; Android 14; Pixel " + i + ") Chrome/131.0.0.0 Mobile Safari/537.36";
            List<String> slot = bySlot.computeIfAbsent(agent.hashCode() & 16383, key -> new ArrayList<>());
            slot.add(agent);
            if (slot.size() == 4) {
                same = slot;
            }
        }
        java.util.concurrent.atomic.AtomicInteger parses = new java.util.concurrent.atomic.AtomicInteger();
        UserAgents counted = new UserAgents(
                () -> agent -> {
                    parses.incrementAndGet();
                    return new UserAgents.Parser.Parsed("phone", "Chrome", "Android", false);
                },
                CrawlerList.pinned(),
                1_000);
        for (int i = 0; i < 10; i++) {
            for (String agent : same) {
                counted.classify("GET", agent);
            }
        }
        assertThat(parses.get()).isEqualTo(4);
    }

    /** The redirect's common case: a cache hit allocates nothing (a per-call allocation would be >= 1.6 MB here). */
    @Test
    void aCacheHitAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String person =
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        agents.classify("GET", person);
        long id = Thread.currentThread().threadId();
        int bots = 0;
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            if (agents.classify(i % 2 == 0 ? "GET" : "HEAD", person).bot()) {
                bots++;
            }
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(bots).isEqualTo(50_000);
        assertThat(allocated).isLessThan(16 * 1024);
    }
}
