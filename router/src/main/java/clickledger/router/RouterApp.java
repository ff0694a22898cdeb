package clickledger.router;

import static java.util.Objects.requireNonNull;

import clickledger.db.Database;
import clickledger.db.setting.SettingsRepository;
import clickledger.router.click.BotClassifier;
import clickledger.router.click.ClickWriter;
import clickledger.router.click.ClientResolver;
import clickledger.router.click.IpHasher;
import clickledger.router.click.PostgresClickSink;
import clickledger.router.click.PostgresCopyClickSink;
import clickledger.router.click.VelocityTracker;
import clickledger.router.link.LinkCache;
import clickledger.router.link.LinkRefresher;
import clickledger.router.link.LinkRepository;
import clickledger.router.redirect.RedirectHandler;
import clickledger.router.spool.Spool;
import clickledger.router.spool.SpoolReplayer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

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

    private final Server server;
    private final ServerConnector connector;
    private final ClickWriter writer;
    private final Spool spool;
    private final SpoolReplayer replayer;
    private final LinkCache cache;
    private final LinkRefresher refresher;

    private RouterApp(
            Server server,
            ServerConnector connector,
            ClickWriter writer,
            Spool spool,
            SpoolReplayer replayer,
            LinkCache cache,
            LinkRefresher refresher) {
        this.server = server;
        this.connector = connector;
        this.writer = writer;
        this.spool = spool;
        this.replayer = replayer;
        this.cache = cache;
        this.refresher = refresher;
    }

    /**
     * @throws IOException when the spool directory cannot be opened (or another router holds it)
     */
    public static RouterApp create(
            RouterConfig config, Database database, Clock clock, PrometheusMeterRegistry registry) throws IOException {
        requireNonNull(config, "config is null");
        String salt =
                new SettingsRepository(database.dsl()).getOrCreate(SettingsRepository.IP_HASH_SALT, RouterApp::newSalt);
        Spool spool = Spool.open(config.spoolDirectory(), registry);
        // Live batches go in by binary COPY (the cheapest write on both sides); replayed ones by
        // insert … on conflict do nothing, since a spooled batch may have committed after all.
        PostgresCopyClickSink live = new PostgresCopyClickSink(database.pool());
        PostgresClickSink replay = new PostgresClickSink(database.pool());
        LinkRepository links =
                new LinkRepository(database.dsl(), config.database().direct());
        LinkCache cache = new LinkCache(links.count());
        LinkRefresher refresher =
                new LinkRefresher(links, cache, config.database().direct(), config.linkReloadInterval(), registry);
        ClickWriter writer = new ClickWriter(
                live,
                spool,
                config.databaseBudget(),
                config.writerThreads(),
                config.queueCapacity(),
                config.maxBatchSize(),
                registry);
        SpoolReplayer replayer = new SpoolReplayer(writer, spool, replay, registry);
        RedirectHandler redirects = new RedirectHandler(
                cache,
                writer,
                new BotClassifier(),
                new VelocityTracker(
                        config.velocityLimit(), config.velocityWindow().toMillis()),
                new ClientResolver(config.trustedProxies()),
                new IpHasher(salt),
                config.cookieDomain(),
                clock,
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
        // Visitors rarely reuse a connection long enough for it to pay off.
        http.setHeaderCacheSize(0);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(config.port());
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        connector.setIdleTimeout(30_000);
        server.setHandler(new RouterHandler(redirects, registry, () -> cache.loaded() && writer.canMakeDurable()));
        server.setStopTimeout(5_000);
        return new RouterApp(server, connector, writer, spool, replayer, cache, refresher);
    }

    private static String newSalt() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    public RouterApp start() throws Exception {
        server.addConnector(connector);
        refresher.start();
        replayer.start();
        server.start();
        return this;
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
            try {
                spool.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing the spool failed", e);
            }
        }
    }
}
