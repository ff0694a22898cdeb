package clickledger.router;

import clickledger.common.config.ConfigException;
import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
import clickledger.common.net.Cidr;
import clickledger.db.ConnectionLimits;
import clickledger.db.DatabaseConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Every setting the router reads, from the environment once at start, each variable declared once below. */
public record RouterConfig(
        int port,
        DatabaseConfig database,
        List<Cidr> trustedProxies,
        Optional<String> cookieDomain,
        int velocityLimit,
        Duration velocityWindow,
        Duration linkReloadInterval,
        int writerThreads,
        int queueCapacity,
        int maxBatchSize,
        int timelineSample,
        int selectors,
        int retentionMonths,
        Path spoolDirectory,
        Duration databaseBudget,
        Optional<Path> geoIpDatabase,
        Duration geoIpCheckInterval,
        List<String> defaultHosts) {

    public static final int DEFAULT_POOL_SIZE = 4;

    /**
     * The LISTEN connection: a {@code select 1} after two quiet seconds must answer within three,
     * so a dead socket is noticed within about five seconds (decision 0011).
     */
    public static final ConnectionLimits LISTEN_LIMITS =
            new ConnectionLimits(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(3), null);
    /**
     * The full link load and the periodic checksum, each on a direct connection of its own: a
     * million links stream in ~4 s and check in ~0.5 s on a quiet box; a minute bounds both with
     * room for a busy one.
     */
    public static final ConnectionLimits LINK_LOAD_LIMITS =
            new ConnectionLimits(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60), null);
    /**
     * Migrations and partition upkeep at start: the login is bounded like every other (so a router
     * facing a frozen server falls back to its snapshot within seconds), but DDL such as an index
     * build on a large table may legitimately run long: an hour, then it is called hung.
     */
    public static final ConnectionLimits MIGRATION_LIMITS =
            new ConnectionLimits(Duration.ofSeconds(5), Duration.ofHours(1), null, null);

    public static final Setting ROUTER_PORT = Setting.withDefault("ROUTER_PORT", "4701", "HTTP port");
    public static final Setting COOKIE_DOMAIN = Setting.optional(
            "COOKIE_DOMAIN",
            "adds `Domain=` to the `_cref` cookie set on the router's own hosts (a custom domain has a"
                    + " cookie domain of its own)");
    public static final Setting CLICK_VELOCITY_LIMIT = Setting.withDefault(
            "CLICK_VELOCITY_LIMIT",
            "10",
            "clicks from one client on one link per window before they are flagged (never dropped)");
    public static final Setting CLICK_VELOCITY_WINDOW_SECONDS =
            Setting.withDefault("CLICK_VELOCITY_WINDOW_SECONDS", "60", "the window of that limit");
    public static final Setting LINK_RELOAD_SECONDS = Setting.withDefault(
            "LINK_RELOAD_SECONDS",
            "60",
            "how often the in-memory link cache is checked against PostgreSQL (a checksum) behind LISTEN/NOTIFY,"
                    + " and fully reloaded if they differ");
    // Two writers keep one batch committing while the other collects and answers; more only
    // add hand-offs on a small box (docs/PERFORMANCE.md).
    public static final Setting CLICK_WRITER_THREADS = Setting.computed(
            "CLICK_WRITER_THREADS",
            "`2` (at most `DB_POOL_SIZE`)",
            "click writer threads, for the clicks of requests not read by a selector thread (each holds one pooled"
                    + " connection while it commits)");
    public static final Setting CLICK_QUEUE_CAPACITY =
            Setting.withDefault("CLICK_QUEUE_CAPACITY", "20000", "bound of the click queue in front of the writers");
    public static final Setting CLICK_BATCH_MAX =
            Setting.withDefault("CLICK_BATCH_MAX", "1000", "most clicks written in one statement");
    public static final Setting CLICK_TIMELINE_SAMPLE = Setting.withDefault(
            "CLICK_TIMELINE_SAMPLE",
            "64",
            "1 click in this many is timed stage by stage (parse, queue, commit, answer, write) into"
                    + " `clickledger_click_stage_seconds`; `0` turns the timeline off (decision 0026)");
    // A selector thread reads, parses and routes requests, then commits their clicks and answers
    // them before it reads again (decision 0038): two keep one batch committing while the other
    // reads and answers, as two writers did.
    public static final Setting ROUTER_SELECTORS = Setting.withDefault(
            "ROUTER_SELECTORS",
            "2",
            "HTTP selector threads, which read, parse and route requests and commit their clicks (1–16)");
    // Relative to the working directory, so `make run` keeps spooled clicks in .data/ next to the
    // embedded database; production sets an absolute path on a persistent volume.
    public static final Setting CLICK_SPOOL_DIR = Setting.withDefault(
                    "CLICK_SPOOL_DIR",
                    ".data/spool",
                    "local spool for clicks PostgreSQL cannot take in time; must survive restarts (a volume in"
                            + " Compose); one router per directory")
            .shownAs("`.data/spool` (relative to the working directory)");
    public static final Setting CLICK_DB_BUDGET_MS = Setting.withDefault(
            "CLICK_DB_BUDGET_MS",
            "250",
            "how long a batch may take in PostgreSQL before it is spooled instead and its connection aborted"
                    + " (10–60000); the pool's `statement_timeout` is 4 budgets (at least 1 s) and its socket,"
                    + " connect and pool-wait timeouts a second more (decision 0011)");

    public static final Setting GEOIP_DB_PATH = Setting.optional(
            "GEOIP_DB_PATH",
            "a MaxMind-format country database (`.mmdb`: GeoLite2-Country, DB-IP Lite, ip-location-db) for the"
                    + " clicks' country when no trusted CDN header gives it; reloaded when the file changes"
                    + " (docs/operations.md, GeoIP)");
    public static final Setting GEOIP_CHECK_SECONDS = Setting.withDefault(
            "GEOIP_CHECK_SECONDS", "60", "how often the router looks whether GEOIP_DB_PATH changed (1–86400)");
    public static final Setting ROUTER_DEFAULT_HOSTS = Setting.optional(
            "ROUTER_DEFAULT_HOSTS",
            "comma-separated host names that serve the links without a custom domain, besides"
                    + " `PUBLIC_ROUTER_URL`'s host, `localhost` and IP addresses; any other `Host` that is not a"
                    + " custom domain gets 404 (docs/decisions/0024)");

    /** Every variable the router reads; docs/configuration.md is generated from these lists. */
    public static final List<Setting> SETTINGS = DatabaseConfig.serviceSettings(List.of(
            SharedSettings.TRUSTED_PROXIES,
            ROUTER_PORT,
            SharedSettings.PUBLIC_ROUTER_URL,
            ROUTER_DEFAULT_HOSTS,
            COOKIE_DOMAIN,
            CLICK_VELOCITY_LIMIT,
            CLICK_VELOCITY_WINDOW_SECONDS,
            LINK_RELOAD_SECONDS,
            CLICK_WRITER_THREADS,
            CLICK_QUEUE_CAPACITY,
            CLICK_BATCH_MAX,
            CLICK_TIMELINE_SAMPLE,
            ROUTER_SELECTORS,
            CLICK_SPOOL_DIR,
            CLICK_DB_BUDGET_MS,
            GEOIP_DB_PATH,
            GEOIP_CHECK_SECONDS));

    /**
     * The pool's connections (click writers, replay, link lookups on notification, pings): tied
     * to CLICK_DB_BUDGET_MS. A batch over the budget is spooled and its connection aborted by the
     * writer's watchdog; these limits are the backstop for every other wait. PostgreSQL cancels a
     * statement after four budgets (at least a second: a replay chunk of 2,000 clicks takes
     * ~30 ms), and the socket gives up a second after that, so a living server's cancel arrives
     * first. Connecting, and waiting for a pooled connection, get the socket's bound too.
     */
    public ConnectionLimits poolLimits() {
        Duration statement = Duration.ofMillis(Math.max(1_000, databaseBudget.toMillis() * 4));
        Duration socket = statement.plusSeconds(1);
        return new ConnectionLimits(socket, socket, statement, socket);
    }

    /** @throws ConfigException naming every problem at once */
    public static RouterConfig fromEnv(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment, SETTINGS);
        int port = env.port(ROUTER_PORT);
        DatabaseConfig database = DatabaseConfig.fromEnv(env, DEFAULT_POOL_SIZE);
        List<Cidr> trusted = SharedSettings.trustedProxies(env);
        Optional<String> cookieDomain = env.optional(COOKIE_DOMAIN);
        if (cookieDomain.isPresent()
                && !cookieDomain.get().matches("\\.?[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")) {
            env.problem("COOKIE_DOMAIN \"" + cookieDomain.get() + "\" is not a domain name");
        }
        int velocityLimit = env.integer(CLICK_VELOCITY_LIMIT, 1, 1_000_000);
        int velocityWindow = env.integer(CLICK_VELOCITY_WINDOW_SECONDS, 1, 86_400);
        int reload = env.integer(LINK_RELOAD_SECONDS, 1, 86_400);
        int writers = env.integer(CLICK_WRITER_THREADS, Math.min(2, database.poolSize()), 1, 64);
        if (writers > database.poolSize()) {
            env.problem("CLICK_WRITER_THREADS " + writers + " exceeds DB_POOL_SIZE " + database.poolSize()
                    + "; each writer holds one connection");
        }
        int queueCapacity = env.integer(CLICK_QUEUE_CAPACITY, 100, 1_000_000);
        int maxBatch = env.integer(CLICK_BATCH_MAX, 1, 10_000);
        int timelineSample = env.integer(CLICK_TIMELINE_SAMPLE, 0, 1_000_000);
        int selectors = env.integer(ROUTER_SELECTORS, 1, 16);
        int retention = env.integer(DatabaseConfig.CLICK_RETENTION_MONTHS, 0, 1_200);
        Path spool = Path.of(CLICK_SPOOL_DIR.defaultValue());
        String spoolText = env.string(CLICK_SPOOL_DIR);
        try {
            spool = Path.of(spoolText).toAbsolutePath().normalize();
            if (Files.exists(spool) && !Files.isDirectory(spool)) {
                env.problem("CLICK_SPOOL_DIR \"" + spoolText + "\" is not a directory");
            }
        } catch (InvalidPathException e) {
            env.problem("CLICK_SPOOL_DIR \"" + spoolText + "\" is not a path");
        }
        int budget = env.integer(CLICK_DB_BUDGET_MS, 10, 60_000);
        Optional<Path> geoIp = Optional.empty();
        Optional<String> geoIpText = env.optional(GEOIP_DB_PATH);
        if (geoIpText.isPresent()) {
            try {
                Path path = Path.of(geoIpText.get()).toAbsolutePath().normalize();
                // A missing file is allowed (geoipupdate may not have run yet; the router waits
                // for it), a directory is a mistake.
                if (Files.isDirectory(path)) {
                    env.problem("GEOIP_DB_PATH \"" + geoIpText.get() + "\" is a directory, not an .mmdb file");
                }
                geoIp = Optional.of(path);
            } catch (InvalidPathException e) {
                env.problem("GEOIP_DB_PATH \"" + geoIpText.get() + "\" is not a path");
            }
        }
        int geoIpCheck = env.integer(GEOIP_CHECK_SECONDS, 1, 86_400);
        List<String> defaultHosts = defaultHosts(env);
        env.finish();
        return new RouterConfig(
                port,
                database,
                List.copyOf(trusted),
                cookieDomain,
                velocityLimit,
                Duration.ofSeconds(velocityWindow),
                Duration.ofSeconds(reload),
                writers,
                queueCapacity,
                maxBatch,
                timelineSample,
                selectors,
                retention,
                spool,
                Duration.ofMillis(budget),
                geoIp,
                Duration.ofSeconds(geoIpCheck),
                defaultHosts);
    }

    // PUBLIC_ROUTER_URL's host, then ROUTER_DEFAULT_HOSTS, lower case, without a trailing dot.
    private static List<String> defaultHosts(EnvReader env) {
        List<String> hosts = new ArrayList<>();
        String publicUrl = env.baseUrl(SharedSettings.PUBLIC_ROUTER_URL);
        String publicHost = URI.create(publicUrl).getHost();
        if (publicHost != null && !publicHost.startsWith("[")) {
            hosts.add(hostName(publicHost));
        }
        for (String entry : env.optional(ROUTER_DEFAULT_HOSTS).orElse("").split(",")) {
            String host = entry.trim();
            if (host.isEmpty()) {
                continue;
            }
            if (!HOST.matcher(host).matches()) {
                env.problem("ROUTER_DEFAULT_HOSTS entry \"" + host + "\" is not a host name (no scheme, port or path)");
                continue;
            }
            hosts.add(hostName(host));
        }
        return List.copyOf(new LinkedHashSet<>(hosts));
    }

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\\.?");

    private static String hostName(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
