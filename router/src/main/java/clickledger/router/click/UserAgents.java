package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What a click's User-Agent says: whether software made it (and why), and the device class,
 * browser and OS families (docs/decisions/0022-click-intelligence.md). Bots still get their 302
 * and their click is stored with the reason; they never earn attribution.
 *
 * <p>A bot is, in this order: a HEAD request; no User-Agent; one of our own rules (link previewers,
 * which fetch a URL the moment it is pasted into a chat; uptime checkers; headless browsers); an
 * entry of the maintained {@link CrawlerList}; an agent that introduces itself as a crawler (a
 * {@code +http} contact address, {@code compatible; SomethingBot}); or an agent the parser classes
 * as a robot. There is no bare "bot" substring rule: it flagged phones like Cubot.
 *
 * <p>Verdicts are cached per agent: traffic repeats a few hundred agents (browser builds and the
 * usual bots), so nearly every redirect is a hit, which costs a hash, an array read and a string
 * comparison and allocates nothing. A miss parses, which is expensive (about half a millisecond of
 * CPU, decision 0022), so misses are bounded: at most {@link #PARSES_PER_SECOND} parses a second
 * (a second's worth as a burst); beyond that, and while Yauaa loads at start, {@link QuickParser}'s
 * token rules give the families and the verdict is not cached. The bot rules apply either way.
 */
public final class UserAgents {
    /**
     * @param botReason why the click is a bot's, or null for a person
     * @param device desktop, phone, tablet, bot or other
     * @param browser the browser family, {@code Other} when unknown
     * @param os the OS family, {@code Other} when unknown
     */
    public record Verdict(String botReason, String device, String browser, String os) {
        public Verdict {
            requireNonNull(device, "device is null");
            requireNonNull(browser, "browser is null");
            requireNonNull(os, "os is null");
        }

        public boolean bot() {
            return botReason != null;
        }
    }

    /** What the parser reads from an agent; {@link YauaaParser} is the one the router runs. */
    public interface Parser {
        /**
         * @param robot true when the parser itself classes the agent as software
         */
        record Parsed(String device, String browser, String os, boolean robot) {}

        Parsed parse(String userAgent);
    }

    public static final String OTHER = "Other";
    private static final Parser.Parsed UNPARSED = new Parser.Parsed("other", OTHER, OTHER, false);
    private static final Verdict NO_USER_AGENT = new Verdict("no_user_agent", "bot", OTHER, OTHER);
    private static final Verdict HEAD_WITHOUT_AGENT = new Verdict("head_request", "bot", OTHER, OTHER);

    // Our own rules, matched on the lower-cased agent before the maintained list, so the reasons
    // that matter most to a merchant (a chat's link preview is not a visitor) keep stable names.
    private static final String[][] OWN_RULES = {
        {"slackbot", "link_preview:slack"},
        {"slack-imgproxy", "link_preview:slack"},
        {"facebookexternalhit", "link_preview:facebook"},
        {"facebookcatalog", "link_preview:facebook"},
        {"linkedinbot", "link_preview:linkedin"},
        {"discordbot", "link_preview:discord"},
        {"whatsapp/", "link_preview:whatsapp"},
        {"telegrambot", "link_preview:telegram"},
        {"twitterbot", "link_preview:twitter"},
        {"skypeuripreview", "link_preview:skype"},
        {"pinterestbot", "link_preview:pinterest"},
        {"redditbot", "link_preview:reddit"},
        {"embedly", "link_preview:embedly"},
        {"iframely", "link_preview:iframely"},
        {"vkshare", "link_preview:vk"},
        {"bingpreview", "link_preview:bing"},
        {"google-pagerenderer", "link_preview:google"},
        {"cardyb", "link_preview:bluesky"},
        {"mastodon/", "link_preview:mastodon"},
        {"headlesschrome", "headless:chrome"},
        {"phantomjs", "headless:phantomjs"},
        {"puppeteer", "headless:puppeteer"},
        {"playwright", "headless:playwright"},
        {"selenium", "headless:selenium"},
        {"electron/", "headless:electron"},
        {"uptimerobot", "uptime:uptimerobot"},
        {"pingdom", "uptime:pingdom"},
        {"statuscake", "uptime:statuscake"},
        {"site24x7", "uptime:site24x7"},
        {"betteruptime", "uptime:betteruptime"},
        {"uptime-kuma", "uptime:uptime-kuma"},
        {"freshping", "uptime:freshping"},
        {"datadogsynthetics", "uptime:datadog"},
        {"newrelicpinger", "uptime:newrelic"},
        {"checkly", "uptime:checkly"},
        {"hetrixtools", "uptime:hetrixtools"},
        {"updown.io", "uptime:updown"},
        {"googlebot", "crawler:google"},
        {"bingbot", "crawler:bing"},
    };
    // Software that introduces itself the way crawlers do: a "+http" contact address, or a
    // "compatible;" comment naming a bot, crawler or spider. Browsers do neither; a phone model
    // ending in "bot" (Cubot) is neither.
    private static final Pattern SELF_DECLARED = Pattern.compile(
            "\\+https?://|compatible;[^;)]*(?:bot|crawler|spider)\\b|^[\\w.-]*(?:bot|crawler|spider)/\\d",
            Pattern.CASE_INSENSITIVE);
    // Java's own client says "Java/21.0.1" and nothing else.
    private static final Pattern JAVA_CLIENT = Pattern.compile("^Java/\\d");

    // 4,096 slots hold a busy hour's distinct agents; two agents in one slot just evict each other,
    // and a miss only costs the full check. An entry holds an agent of at most 512 chars (~1 KB),
    // so the cache stays under 5 MB whatever arrives.
    private static final int CACHE_SLOTS = 1 << 12;
    // Longer agents are checked every time (parsing at most PARSED_MAX of them), so hostile
    // multi-KB headers cannot pin memory here.
    private static final int CACHED_AGENT_MAX = 512;
    private static final int PARSED_MAX = 1_024;

    /** @param parsed false for the quick rules' verdict, which is not kept */
    private record Cached(String userAgent, Verdict get, Verdict head, boolean parsed) {}

    // New agents parsed per second on the request threads, with a second's worth as a burst. A
    // Yauaa parse costs ~0.3-0.7 ms of CPU (decision 0022), so 200 a second bounds a flood of
    // made-up agents at a fraction of a core; real traffic brings far fewer new agents than that.
    public static final int PARSES_PER_SECOND = 200;
    private static final QuickParser QUICK = new QuickParser();

    private final Supplier<Parser> parser;
    private final CrawlerList crawlers;
    private final AtomicReferenceArray<Cached> recent = new AtomicReferenceArray<>(CACHE_SLOTS);
    private final long nanosPerParse;
    private final long burstNanos;
    // The time up to which the parse budget is spent; budget accrues while it lags the clock.
    private final AtomicLong budgetSpentUntil;
    // Cache misses by who answered them (counted on the miss path only; a hit counts nothing).
    private final LongAdder parsedMisses = new LongAdder();
    private final LongAdder quickMisses = new LongAdder();

    /**
     * @param parser the parser, or null while it is still loading (then the quick token rules
     *     answer, uncached)
     * @param parsesPerSecond how many new agents the parser may take per second
     */
    public UserAgents(Supplier<Parser> parser, CrawlerList crawlers, int parsesPerSecond) {
        this.parser = requireNonNull(parser, "parser is null");
        this.crawlers = requireNonNull(crawlers, "crawlers is null");
        this.nanosPerParse = 1_000_000_000L / parsesPerSecond;
        this.burstNanos = 1_000_000_000L;
        this.budgetSpentUntil = new AtomicLong(System.nanoTime() - burstNanos);
    }

    public UserAgents(Parser parser, CrawlerList crawlers) {
        this(() -> parser, crawlers, PARSES_PER_SECOND);
    }

    // Yauaa is built once per JVM, on a thread of its own (it takes seconds, decision 0022, and
    // the router must not wait for it to serve), and shared: it is immutable once built. Each
    // UserAgents keeps a cache of its own.
    private static final class Pinned {
        static final CompletableFuture<Parser> PARSER = new CompletableFuture<>();
        static final CrawlerList CRAWLERS = CrawlerList.pinned();

        static {
            Thread.ofPlatform().name("user-agent-parser").daemon().start(() -> {
                try {
                    PARSER.complete(new YauaaParser());
                } catch (RuntimeException | Error e) {
                    PARSER.completeExceptionally(e);
                    throw e;
                }
            });
        }
    }

    /** The router's: Yauaa (loading in the background until it is ready) and the pinned crawler list. */
    public static UserAgents standard() {
        return new UserAgents(() -> Pinned.PARSER.getNow(null), Pinned.CRAWLERS, PARSES_PER_SECOND);
    }

    /** The router's, with no parse budget: for measuring a parse ({@code bench agents}). */
    public static UserAgents unbudgeted() {
        return new UserAgents(() -> Pinned.PARSER.getNow(null), Pinned.CRAWLERS, 1_000_000_000);
    }

    /** True once Yauaa is loaded (for /readyz); it loads on its own thread from the first {@link #standard}. */
    public static boolean parserReady() {
        return Pinned.PARSER.isDone() && !Pinned.PARSER.isCompletedExceptionally();
    }

    /** Waits until Yauaa is loaded; tests and the bench, which want its verdicts from the first click. */
    public static Parser sharedParser() {
        return Pinned.PARSER.join();
    }

    public Verdict classify(String method, String userAgent) {
        boolean head = "HEAD".equals(method);
        if (userAgent == null || userAgent.isBlank()) {
            return head ? HEAD_WITHOUT_AGENT : NO_USER_AGENT;
        }
        if (userAgent.length() > CACHED_AGENT_MAX) {
            Cached verdict = evaluate(userAgent);
            return head ? verdict.head() : verdict.get();
        }
        int slot = userAgent.hashCode() & (CACHE_SLOTS - 1);
        Cached known = recent.get(slot);
        if (known == null || !known.userAgent().equals(userAgent)) {
            known = evaluate(userAgent);
            if (known.parsed()) {
                recent.set(slot, known);
            }
        }
        return head ? known.head() : known.get();
    }

    private Cached evaluate(String userAgent) {
        String text = userAgent.length() > PARSED_MAX ? userAgent.substring(0, PARSED_MAX) : userAgent;
        Parser full = parser.get();
        boolean quick = full == null || !takeParse();
        (quick ? quickMisses : parsedMisses).increment();
        Parser.Parsed parsed;
        try {
            parsed = quick ? QUICK.parse(text) : full.parse(text);
        } catch (RuntimeException e) {
            // A hostile agent must cost at most its verdict, never the redirect.
            parsed = UNPARSED;
        }
        String reason = ownRule(text);
        if (reason == null) {
            reason = crawlers.match(text);
        }
        if (reason == null && SELF_DECLARED.matcher(text).find()) {
            reason = "crawler:other";
        }
        if (reason == null && parsed.robot()) {
            reason = "crawler:other";
        }
        String browser = parsed.browser() == null ? OTHER : parsed.browser();
        String os = parsed.os() == null ? OTHER : parsed.os();
        Verdict get = reason == null
                ? new Verdict(null, parsed.device() == null ? "other" : parsed.device(), browser, os)
                : new Verdict(reason, "bot", browser, os);
        // A HEAD request fetches no page, so no person is behind it, whatever its agent.
        Verdict head = new Verdict("head_request", "bot", browser, os);
        return new Cached(userAgent, get, head, !quick);
    }

    /**
     * Verdicts not found in the cache so far: {@code parsed} ones came from the parser (and were
     * cached), the others from the quick token rules (parse budget spent, or the parser still
     * loading; not cached). For clickledger_user_agent_cache_misses_total.
     */
    public long misses(boolean parsed) {
        return (parsed ? parsedMisses : quickMisses).sum();
    }

    private boolean takeParse() {
        long now = System.nanoTime();
        while (true) {
            long spent = budgetSpentUntil.get();
            long next = Math.max(spent, now - burstNanos) + nanosPerParse;
            if (next - now > 0) {
                return false;
            }
            if (budgetSpentUntil.compareAndSet(spent, next)) {
                return true;
            }
        }
    }

    private static String ownRule(String userAgent) {
        String lower = userAgent.toLowerCase(Locale.ROOT);
        for (String[] rule : OWN_RULES) {
            if (lower.contains(rule[0])) {
                return rule[1];
            }
        }
        if (JAVA_CLIENT.matcher(userAgent).find()) {
            return "http_client:java";
        }
        return null;
    }
}
