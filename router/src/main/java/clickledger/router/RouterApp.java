package clickledger.router;

import static java.util.Objects.requireNonNull;

import clickledger.db.Database;
import clickledger.db.setting.SettingsRepository;
import clickledger.router.click.ClickTimeline;
import clickledger.router.click.ClickWriter;
import clickledger.router.click.ClientResolver;
import clickledger.router.click.GeoIp;
import clickledger.router.click.IpHasher;
import clickledger.router.click.PostgresClickSink;
import clickledger.router.click.PostgresCopyClickSink;
import clickledger.router.click.UserAgents;
import clickledger.router.click.VelocityTracker;
import clickledger.router.domain.DomainRepository;
import clickledger.router.domain.Domains;
import clickledger.router.link.LinkCache;
import clickledger.router.link.LinkRefresher;
import clickledger.router.link.LinkRepository;
import clickledger.router.link.LinkSnapshot;
import clickledger.router.redirect.RedirectHandler;
import clickledger.router.spool.Spool;
import clickledger.router.spool.SpoolReplayer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the router from its dependencies; Main and the tests call the same {@link #create}. */
public final class RouterApp implements AutoCloseable {
    // The kernel caps the accept backlog at somaxconn (4096 here); a bigger queue lets a burst of
    // thousands of new connections wait instead of being refused.
    private static final int ACCEPT_QUEUE = 4_096;
    // Header limit, all header lines together: a browser sends at most ~16 KB (long cookies on the
    // router's domain included), so 64 KB keeps every real visitor's click; beyond it Jetty answers
    // 431 without a click (README, Operations). It is a parser limit, not a buffer size: Jetty
    // reads into its 8 KB input buffers and holds only a header larger than that in memory.
    private static final int REQUEST_HEADER_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(RouterApp.class);

    private final RouterConfig config;
    private final Database database;
    private final Clock clock;
    private final Server server;
    private final ServerConnector connector;
    private final ClickWriter writer;
    private final Spool spool;
    private final SpoolReplayer replayer;
    private final LinkRepository links;
    private final LinkCache cache;
    private final LinkRefresher refresher;
    private final IpHasher ipHasher;
    private final GeoIp geoIp;
    private final UserAgents userAgents;
    private final Thread connecting;
    private volatile boolean closing;
    private volatile boolean connected;

    private RouterApp(
            RouterConfig config,
            Database database,
            Clock clock,
            Server server,
            ServerConnector connector,
            ClickWriter writer,
            Spool spool,
            SpoolReplayer replayer,
            LinkRepository links,
            LinkCache cache,
            LinkRefresher refresher,
            IpHasher ipHasher,
            GeoIp geoIp,
            UserAgents userAgents) {
        this.config = config;
        this.database = database;
        this.clock = clock;
        this.server = server;
        this.connector = connector;
        this.writer = writer;
        this.spool = spool;
        this.replayer = replayer;
        this.links = links;
        this.cache = cache;
        this.refresher = refresher;
        this.ipHasher = ipHasher;
        this.geoIp = geoIp;
        this.userAgents = userAgents;
        this.connecting = Thread.ofPlatform().name("router-connect").daemon().unstarted(this::connectLoop);
    }

    /**
     * Builds the router without a word to PostgreSQL: {@link #start} connects, or serves from the
     * link snapshot while PostgreSQL is down. {@code database} comes from {@link Database#connect}
     * with {@link RouterConfig#poolLimits()}.
     *
     * @throws IOException when the spool directory cannot be opened (or another router holds it)
     */
    public static RouterApp create(
            RouterConfig config, Database database, Clock clock, PrometheusMeterRegistry registry) throws IOException {
        requireNonNull(config, "config is null");
        Spool spool = Spool.open(config.spoolDirectory(), registry);
        // Live batches go in by binary COPY (the cheapest write on both sides); replayed ones by
        // insert … on conflict do nothing, since a spooled batch may have committed after all.
        PostgresCopyClickSink live = new PostgresCopyClickSink(database.pool());
        PostgresClickSink replay = new PostgresClickSink(database.pool());
        LinkRepository links =
                new LinkRepository(database.dsl(), config.database().direct(), RouterConfig.LINK_LOAD_LIMITS);
        LinkCache cache = new LinkCache();
        Domains domains = new Domains(config.cookieDomain().orElse(null), config.defaultHosts());
        LinkRefresher refresher = new LinkRefresher(
                links,
                cache,
                new DomainRepository(database.dsl()),
                domains,
                config.database().direct(),
                RouterConfig.LISTEN_LIMITS,
                config.linkReloadInterval(),
                registry);
        ClickWriter writer = new ClickWriter(
                live,
                spool,
                config.databaseBudget(),
                config.writerThreads(),
                config.queueCapacity(),
                config.maxBatchSize(),
                registry);
        SpoolReplayer replayer = new SpoolReplayer(writer, spool, replay, registry);
        IpHasher ipHasher = new IpHasher();
        GeoIp geoIp = config.geoIpDatabase()
                .map(path -> GeoIp.watching(path, config.geoIpCheckInterval(), registry))
                .orElseGet(() -> GeoIp.off(registry));
        UserAgents userAgents = UserAgents.standard();
        for (boolean parsed : new boolean[] {true, false}) {
            FunctionCounter.builder("clickledger_user_agent_cache_misses", userAgents, agents -> agents.misses(parsed))
                    .description("User agents the verdict cache did not answer, by who did: the parser (then cached)"
                            + " or the quick token rules (parse budget spent or parser loading; not cached)")
                    .tag("answer", parsed ? "parser" : "quick_rules")
                    .register(registry);
        }
        RedirectHandler redirects = new RedirectHandler(
                cache,
                domains,
                writer,
                userAgents,
                new VelocityTracker(
                        config.velocityLimit(), config.velocityWindow().toMillis()),
                new ClientResolver(config.trustedProxies(), geoIp),
                ipHasher,
                clock,
                new ClickTimeline(config.timelineSample(), registry),
                registry);

        QueuedThreadPool threads = new AnswerInlineThreadPool(200, 8);
        threads.setName("router-http");
        Server server = new Server(threads);
        // The handler tree never changes after start, so Jetty may compute its invocation type: the
        // handler is non-blocking, so the selector thread runs it itself instead of handing every
        // request to a pool thread (a context switch per request, measured at ~1.8 per request).
        server.setDynamic(false);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setRequestHeaderSize(REQUEST_HEADER_BYTES);
        // Jetty's per-connection cache of whole header lines (name and value) walks a trie byte by
        // byte for every header of every request; profiled, that was 40 % of the selector thread.
        // Visitors rarely reuse a connection long enough for it to pay off. Off also keeps headers
        // exact: the cache matches ignoring case by default, so a User-Agent or Cookie differing
        // from the previous request's only in case would arrive as the previous one (0035).
        http.setHeaderCacheSize(0);
        // Acceptors -1 and selectors -1 are Jetty's defaults (one each on two cores).
        // Plain redirect requests are read and answered by the router's own connection; everything
        // else goes on to Jetty's HTTP/1.1 (decision 0037).
        HttpConnectionFactory jettyHttp = new HttpConnectionFactory(http);
        ServerConnector connector = new CommittingConnector(
                server,
                config.selectors(),
                writer,
                new RedirectConnection.Factory(jettyHttp, redirects, registry),
                jettyHttp);
        connector.setPort(config.port());
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        connector.setIdleTimeout(30_000);
        RouterApp app = new RouterApp(
                config,
                database,
                clock,
                server,
                connector,
                writer,
                spool,
                replayer,
                links,
                cache,
                refresher,
                ipHasher,
                geoIp,
                userAgents);
        server.setHandler(new RouterHandler(redirects, domains, registry, app::readiness));
        server.setStopTimeout(5_000);
        return app;
    }

    private static String newSalt() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Serves from the link snapshot in the data directory if there is one, tries PostgreSQL once
     * (bounded: a frozen server costs a few seconds), then listens. When PostgreSQL did not answer,
     * clicks go to the spool and a background thread keeps trying; with no snapshot either, the
     * router answers 503 (and /readyz says why) until PostgreSQL is back.
     */
    public RouterApp start() throws Exception {
        Optional<LinkSnapshot.Contents> snapshot = Optional.empty();
        try {
            snapshot = refresher.loadSnapshot(spool.directory());
            snapshot.ifPresent(contents -> ipHasher.use(contents.salt()));
        } catch (IOException | RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("the link snapshot cannot be read; ignoring it");
        }
        if (!tryConnect()) {
            writer.markDatabaseDown("unreachable at start");
            if (cache.loaded()) {
                LOG.atWarn()
                        .addKeyValue("links", cache.size())
                        .log("PostgreSQL does not answer; redirecting from the link snapshot and spooling clicks");
            } else {
                LOG.atError()
                        .log("PostgreSQL does not answer and there is no link snapshot; not ready until it answers");
            }
            connecting.start();
        }
        server.addConnector(connector);
        replayer.start();
        server.start();
        return this;
    }

    /** Migrations, partitions, the salt, then the link refresher; false (logged) when PostgreSQL did not answer. */
    private boolean tryConnect() {
        try {
            database.prepare(clock, config.retentionMonths(), RouterConfig.MIGRATION_LIMITS);
            String salt = new SettingsRepository(database.dsl())
                    .getOrCreate(SettingsRepository.IP_HASH_SALT, RouterApp::newSalt);
            String snapshotSalt = ipHasher.salt();
            if (snapshotSalt != null && !snapshotSalt.equals(salt)) {
                LOG.atWarn().log("the link snapshot's IP-hash salt differs from the database's; using the database's");
            }
            ipHasher.use(salt);
            if (!cache.loaded()) {
                cache.reserve(links.count());
            }
            refresher.persistTo(spool.directory(), salt);
            refresher.start();
            connected = true;
            return true;
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("PostgreSQL cannot be reached to start");
            return false;
        }
    }

    private void connectLoop() {
        long backoffMillis = 1_000;
        while (!closing && !connected) {
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (!closing && tryConnect()) {
                LOG.atInfo().log("PostgreSQL answers; the router is connected");
                return;
            }
            backoffMillis = Math.min(backoffMillis * 2, 5_000);
        }
    }

    /** What /readyz answers: ready when the links are loaded and a click could be made durable now. */
    RouterHandler.Readiness readiness() {
        boolean linksLoaded = cache.loaded();
        boolean ready = linksLoaded && writer.canMakeDurable();
        String body = "{\"status\":\"" + (ready ? "ready" : "not ready")
                + "\",\"service\":\"router\",\"links\":\""
                + (!linksLoaded ? "none" : refresher.fromDatabase() ? "database" : "snapshot")
                + "\",\"database\":\"" + (writer.databaseUp() ? "up" : "down")
                + "\",\"writersStuck\":" + writer.stuckWriters()
                + ",\"spool\":\"" + (spool.writable() ? "writable" : "unwritable")
                + "\",\"spooledClicks\":" + spool.records()
                + ",\"geoip\":\"" + geoIp.status()
                + "\",\"agentParser\":\"" + (UserAgents.parserReady() ? "ready" : "loading") + "\"}";
        return new RouterHandler.Readiness(ready, body);
    }

    public int port() {
        return connector.getLocalPort();
    }

    public LinkCache cache() {
        return cache;
    }

    public LinkRefresher refresher() {
        return refresher;
    }

    /** True once PostgreSQL answered: migrations applied, salt read, link refresher running. */
    public boolean connected() {
        return connected;
    }

    public ClickWriter writer() {
        return writer;
    }

    public Spool spool() {
        return spool;
    }

    /**
     * Stops accepting, lets in-flight clicks become durable (committed or spooled) and their 302s
     * leave, then stops the rest. Spooled clicks not yet replayed stay on disk for the next start.
     */
    @Override
    public void close() {
        closing = true;
        connecting.interrupt();
        connector.close();
        writer.close();
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("the router's HTTP server did not stop cleanly", e);
        } finally {
            replayer.close();
            refresher.close();
            geoIp.close();
            userAgents.close();
            try {
                spool.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing the spool failed", e);
            }
        }
    }
}
