package clickledger.router.click;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
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
 * <p>Verdicts are cached per agent: traffic repeats a few thousand agents (browser builds, phone
 * models, in-app browsers and the usual bots) with a long tail, so nearly every redirect is a hit,
 * which costs a cached hash, up to four array reads and int comparisons and one string comparison,
 * and allocates nothing. A parse
 * is expensive (milliseconds of CPU, decision 0022), so the router's instance ({@link #standard})
 * never parses on a request thread: a miss gets {@link QuickParser}'s token rules (microseconds)
 * and the bot rules, and the agent is queued for a parsing thread of its own, which takes at most
 * {@link #PARSES_PER_SECOND} agents a second and puts the parsed verdict in the cache; until then
 * the quick verdict is cached in its place. The bot rules apply either way. {@code make bench}'s
 * capture scenario measured why: parsing on the request threads, 200 new agents a second cost the
 * redirect three quarters of its throughput (decision 0022, "Measured on the redirect").
 *
 * <p>The inline form (the constructors; tests and {@code bench agents}) parses on the calling
 * thread within the same budget, and past it answers with the quick rules, uncached.
 */
public final class UserAgents implements AutoCloseable {
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

    // 32,768 slots in sets of four (four-way set associative): an agent may sit in any slot of the
    // set its hash picks, so popular agents that share a set do not evict each other on every
    // request, as they did in the direct-mapped 4,096 slots before (the capture scenario's 3,000
    // agents re-parsed hundreds a second there) and still did, a hundred a second, in pairs. A full
    // set loses one of its four at random. With 16,384 slots the scenario's 2,988 agents left 5
    // sets with a fifth (25 agents, 0.66 % of requests) re-parsed ~9 times a second for good, a
    // third of what capture still cost a redirect (decision 0022); with 8,192 sets none (about 0.3
    // expected for 3,000 agents, 3 for 6,000). An entry holds an agent of at most 512 chars
    // (Latin-1 in a String, with its verdicts ~0.7 KB), so the cache stays under 23 MB whatever
    // arrives; typical agents (150-250 chars) make it 10-14 MB when full.
    private static final int CACHE_SLOTS = 1 << 15;
    private static final int WAYS = 4;
    private static final int SET_MASK = CACHE_SLOTS - WAYS;
    // Agents waiting for the parsing thread; past this, a miss's quick verdict is not cached and
    // the agent is offered again at its next miss.
    private static final int PENDING_MAX = 1_024;
    // Longer agents are checked every time (parsing at most PARSED_MAX of them), so hostile
    // multi-KB headers cannot pin memory here.
    private static final int CACHED_AGENT_MAX = 512;
    private static final int PARSED_MAX = 1_024;
    private static final int SHARED_VERDICTS_MAX = 4_096;

    /** @param parsed false for the quick rules' verdict, kept only while its agent waits for a parse */
    private record Cached(String userAgent, Verdict get, Verdict head, boolean parsed) {
        // String caches its hash, so a slot holding another agent is passed over without comparing text.
        boolean holds(String agent) {
            return userAgent.hashCode() == agent.hashCode() && userAgent.equals(agent);
        }
    }

    // New agents parsed per second, with a second's worth as a burst. A Yauaa parse costs 1-3 ms of
    // CPU (decision 0022), so 200 a second bounds a flood of made-up agents at a fraction of a core,
    // on the parsing thread; real traffic brings far fewer new agents than that once the cache holds
    // its popular ones.
    public static final int PARSES_PER_SECOND = 200;
    private static final QuickParser QUICK = new QuickParser();

    private final Supplier<Parser> parser;
    private final CrawlerList crawlers;
    private final AtomicReferenceArray<Cached> recent = new AtomicReferenceArray<>(CACHE_SLOTS);
    private final ConcurrentHashMap<Verdict, Verdict> verdicts = new ConcurrentHashMap<>();
    private final long nanosPerParse;
    private final long burstNanos;
    // The time up to which the parse budget is spent; budget accrues while it lags the clock.
    private final AtomicLong budgetSpentUntil;
    // Cache misses by who answered them (counted on the miss path only; a hit counts nothing).
    private final LongAdder parsedMisses = new LongAdder();
    private final LongAdder quickMisses = new LongAdder();
    // The router's form: agents waiting for the parsing thread, and the thread; null when inline.
    private final ArrayBlockingQueue<String> pending;
    private final Thread parsing;
    private volatile boolean closed;

    /**
     * @param parser the parser, or null while it is still loading (then the quick token rules
     *     answer, uncached)
     * @param parsesPerSecond how many new agents the parser may take per second
     */
    public UserAgents(Supplier<Parser> parser, CrawlerList crawlers, int parsesPerSecond) {
        this(parser, crawlers, parsesPerSecond, false);
    }

    private UserAgents(Supplier<Parser> parser, CrawlerList crawlers, int parsesPerSecond, boolean background) {
        this.parser = requireNonNull(parser, "parser is null");
        this.crawlers = requireNonNull(crawlers, "crawlers is null");
        this.nanosPerParse = 1_000_000_000L / parsesPerSecond;
        this.burstNanos = 1_000_000_000L;
        this.budgetSpentUntil = new AtomicLong(System.nanoTime() - burstNanos);
        this.pending = background ? new ArrayBlockingQueue<>(PENDING_MAX) : null;
        this.parsing = background
                ? Thread.ofPlatform().name("user-agent-parse").daemon().start(this::parseLoop)
                : null;
    }

    /**
     * Parses on a thread of its own, never on the caller's: a miss answers with the quick rules at
     * once (see the class comment). Close it to stop the thread.
     *
     * @param parser the parser, or null while it is still loading
     */
    public static UserAgents parsingInBackground(Supplier<Parser> parser, CrawlerList crawlers, int parsesPerSecond) {
        return new UserAgents(parser, crawlers, parsesPerSecond, true);
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
        return parsingInBackground(() -> Pinned.PARSER.getNow(null), Pinned.CRAWLERS, PARSES_PER_SECOND);
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
            Cached verdict = pending != null ? quick(userAgent) : evaluateInline(userAgent);
            return head ? verdict.head() : verdict.get();
        }
        // The first slot of the agent's set; the agent sits in one of the WAYS slots from there.
        int set = userAgent.hashCode() & SET_MASK;
        for (int way = 0; way < WAYS; way++) {
            Cached known = recent.get(set + way);
            if (known != null && known.holds(userAgent)) {
                return head ? known.head() : known.get();
            }
        }
        Cached verdict = miss(userAgent, set);
        return head ? verdict.head() : verdict.get();
    }

    private Cached miss(String userAgent, int set) {
        if (pending == null) {
            Cached verdict = evaluateInline(userAgent);
            if (verdict.parsed()) {
                store(set, verdict);
            }
            return verdict;
        }
        Cached verdict = quick(userAgent);
        // Kept until the parsing thread replaces it, so the agent's next requests are hits; an
        // agent the full queue turned away is offered again at its next miss.
        if (pending.offer(userAgent)) {
            store(set, verdict);
        }
        return verdict;
    }

    private Cached quick(String userAgent) {
        quickMisses.increment();
        return evaluate(userAgent, QUICK, false);
    }

    private Cached evaluateInline(String userAgent) {
        Parser full = parser.get();
        boolean quick = full == null || !takeParse();
        (quick ? quickMisses : parsedMisses).increment();
        return evaluate(userAgent, quick ? QUICK : full, !quick);
    }

    // In the agent's own slot of the set (its quick verdict), else an empty one, else one at random.
    private void store(int set, Cached verdict) {
        int empty = -1;
        for (int way = 0; way < WAYS; way++) {
            Cached known = recent.get(set + way);
            if (known != null && known.holds(verdict.userAgent())) {
                recent.set(set + way, verdict);
                return;
            }
            if (known == null && empty < 0) {
                empty = set + way;
            }
        }
        recent.set(empty >= 0 ? empty : set + ThreadLocalRandom.current().nextInt(WAYS), verdict);
    }

    private void parseLoop() {
        while (!closed) {
            try {
                String userAgent = pending.take();
                Parser full = parser.get();
                while (full == null) {
                    // Yauaa is still loading: the agents wait, their quick verdicts cached meanwhile.
                    Thread.sleep(100);
                    full = parser.get();
                }
                awaitParse();
                Cached verdict = evaluate(userAgent, full, true);
                parsedMisses.increment();
                store(userAgent.hashCode() & SET_MASK, verdict);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The parser failed to load: the agents keep their quick verdicts. Never spin.
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    // The parsing thread's budget: waits until the next parse is allowed, then takes it.
    private void awaitParse() throws InterruptedException {
        long now = System.nanoTime();
        long next = Math.max(budgetSpentUntil.get(), now - burstNanos) + nanosPerParse;
        budgetSpentUntil.set(next);
        if (next - now > 0) {
            Thread.sleep(Duration.ofNanos(next - now));
        }
    }

    @Override
    public void close() {
        closed = true;
        if (parsing != null) {
            parsing.interrupt();
        }
    }

    private Cached evaluate(String userAgent, Parser chosen, boolean full) {
        String text = userAgent.length() > PARSED_MAX ? userAgent.substring(0, PARSED_MAX) : userAgent;
        Parser.Parsed parsed;
        try {
            parsed = chosen.parse(text);
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
        Verdict get = shared(
                reason == null
                        ? new Verdict(null, parsed.device() == null ? "other" : parsed.device(), browser, os)
                        : new Verdict(reason, "bot", browser, os));
        // A HEAD request fetches no page, so no person is behind it, whatever its agent.
        Verdict head = shared(new Verdict("head_request", "bot", browser, os));
        return new Cached(userAgent, get, head, full);
    }

    // One object per distinct verdict (a few hundred combinations of device, browser and OS cover
    // thousands of agents): each cached agent points at a verdict, and strings, that every click
    // reads and so stay in the CPU caches, where a copy per agent was one more object to miss on
    // each redirect and again in the writer's COPY (decision 0022). Past the bound (agents made up
    // to vary their families) a verdict is simply not shared.
    private Verdict shared(Verdict verdict) {
        Verdict known = verdicts.get(verdict);
        if (known != null) {
            return known;
        }
        if (verdicts.size() >= SHARED_VERDICTS_MAX) {
            return verdict;
        }
        Verdict raced = verdicts.putIfAbsent(verdict, verdict);
        return raced != null ? raced : verdict;
    }

    /**
     * Agents not found in the cache so far, by who answered: {@code parsed}, the parser (its
     * verdict cached; on the parsing thread in the router's form), or else the quick token rules on
     * the request thread (every miss in the router's form; inline, the parse budget was spent or
     * the parser still loading). For clickledger_user_agent_cache_misses_total.
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
