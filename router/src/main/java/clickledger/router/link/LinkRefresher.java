package clickledger.router.link;

import static java.util.Objects.requireNonNull;

import clickledger.db.ConnectionLimits;
import clickledger.db.DataSources;
import clickledger.db.DatabaseConfig;
import clickledger.router.domain.Domain;
import clickledger.router.domain.DomainRepository;
import clickledger.router.domain.Domains;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.exception.DataAccessException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link LinkCache} fresh two ways: LISTEN on the direct connection for the NOTIFY that
 * triggers send on every link, program, partner and membership change (sub-second), and a
 * periodic check that compares the cache with the database (a checksum PostgreSQL computes) and
 * reloads every link when they differ: that repairs whatever the listener missed, a lost
 * connection or a change made with triggers disabled (a data-only restore).
 *
 * <p>The LISTEN connection is checked with a {@code select 1} whenever it has been quiet for
 * {@value #KEEPALIVE_MILLIS} ms, under its own socket timeout, so a half-open socket or a hung
 * server is noticed within seconds, not at the next checksum; the listener then reconnects and
 * catches up. After each full load, and after a check whenever the cache changed since, the cache
 * is written to {@link LinkSnapshot} in the router's data directory, which a router starting while
 * PostgreSQL is down serves from.
 *
 * <p>Custom domains ride along: a {@code domain:<id>} notification, and every periodic check,
 * re-reads the whole (small) domain table into {@link Domains}, and the snapshot carries it.
 *
 * <p>A full reload reads a snapshot while notifications keep arriving; a row it read before a
 * change could overwrite the fresher row the listener stored. So every notification seen during
 * a reload is applied again after it, which always reads the latest state.
 */
public final class LinkRefresher implements AutoCloseable {
    public static final String CHANNEL = "clickledger_links";
    static final long KEEPALIVE_MILLIS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(LinkRefresher.class);

    private final LinkRepository repository;
    private final LinkCache cache;
    private final DomainRepository domainRepository;
    private final Domains domains;
    private final DatabaseConfig.Endpoint direct;
    private final ConnectionLimits listenLimits;
    private final Duration reloadInterval;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean reloading = new AtomicBoolean();
    private final ConcurrentLinkedQueue<String> seenDuringReload = new ConcurrentLinkedQueue<>();
    private final Counter notifications;
    private final Timer reloads;
    private final Counter checks;
    private final Counter mismatches;
    private final Counter snapshotFailures;
    private volatile boolean listening;
    private volatile boolean fromDatabase;
    private volatile Connection listenConnection;
    // Where snapshots go and the salt they carry; null until the router knows both. Reloader thread.
    private volatile Path snapshotDirectory;
    private volatile String salt;
    private LinkSnapshot.Contents lastSnapshot;
    private Thread listener;
    private Thread reloader;

    public LinkRefresher(
            LinkRepository repository,
            LinkCache cache,
            DomainRepository domainRepository,
            Domains domains,
            DatabaseConfig.Endpoint direct,
            ConnectionLimits listenLimits,
            Duration reloadInterval,
            MeterRegistry registry) {
        this.repository = requireNonNull(repository, "repository is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.domainRepository = requireNonNull(domainRepository, "domainRepository is null");
        this.domains = requireNonNull(domains, "domains is null");
        this.direct = requireNonNull(direct, "direct is null");
        this.listenLimits = requireNonNull(listenLimits, "listenLimits is null");
        this.reloadInterval = requireNonNull(reloadInterval, "reloadInterval is null");
        this.notifications =
                Counter.builder("clickledger_link_notifications_total").register(registry);
        this.reloads = Timer.builder("clickledger_link_reload")
                .description("full loads of every link into the cache")
                .register(registry);
        this.checks = Counter.builder("clickledger_link_checks_total")
                .description("periodic comparisons of the link cache with the database")
                .register(registry);
        this.mismatches = Counter.builder("clickledger_link_check_mismatches_total")
                .description("periodic comparisons that found the cache out of date, each followed by a full reload")
                .register(registry);
        this.snapshotFailures = Counter.builder("clickledger_link_snapshot_failures_total")
                .description("link cache snapshots that could not be written to the data directory")
                .register(registry);
        registry.gauge("clickledger_link_cache_size", cache, LinkCache::size);
        registry.gauge("clickledger_link_cache_from_database", this, refresher -> refresher.fromDatabase ? 1 : 0);
    }

    /**
     * Fills the empty cache from the snapshot in {@code directory}, if there is one, and marks it
     * loaded: the router can redirect before PostgreSQL answers. Returns what was read.
     */
    public Optional<LinkSnapshot.Contents> loadSnapshot(Path directory) throws IOException {
        Optional<LinkSnapshot.Contents> contents = LinkSnapshot.read(directory, cache::put);
        if (contents.isPresent()) {
            domains.replace(contents.get().domains());
            cache.markLoaded();
            lastSnapshot = contents.get();
        }
        return contents;
    }

    /** From now on the cache is written to {@code directory} (with {@code salt}) after loads and changes. */
    public void persistTo(Path directory, String salt) {
        this.salt = requireNonNull(salt, "salt is null");
        this.snapshotDirectory = requireNonNull(directory, "directory is null");
    }

    /** True once the cache has been loaded from, or checked against, PostgreSQL (not only a snapshot). */
    public boolean fromDatabase() {
        return fromDatabase;
    }

    public void start() {
        listener = Thread.ofPlatform().name("link-listener").daemon().start(this::listenLoop);
        // Listen before the first load, so a change made during that load is not missed until the
        // next periodic reload; but do not let a slow LISTEN hold the load back for long.
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!listening && System.nanoTime() < deadline) {
            sleep(10);
        }
        reloader = Thread.ofPlatform().name("link-reloader").daemon().start(this::reloadLoop);
    }

    public boolean listening() {
        return listening;
    }

    /** Loads every domain, then every link; returns how many links. Also called by tests and at start. */
    public int reloadAll() {
        reloading.set(true);
        long started = System.nanoTime();
        try {
            reloadDomains();
            UuidSet seen = new UuidSet(cache.size());
            try {
                repository.forEachLink(target -> {
                    cache.put(target);
                    seen.add(target.linkIdHigh(), target.linkIdLow());
                });
            } catch (SQLException e) {
                throw new DataAccessException("loading the links failed: " + e.getMessage(), e);
            }
            cache.retainOnly(seen);
            reloads.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return seen.size();
        } finally {
            reloading.set(false);
            String payload;
            while ((payload = seenDuringReload.poll()) != null) {
                apply(payload);
            }
        }
    }

    private void reloadLoop() {
        long backoffMillis = 200;
        while (running.get()) {
            try {
                // A handful of rows, so read whole each time rather than checksummed.
                reloadDomains();
                if (!cache.loaded() || !inSync()) {
                    int count = reloadAll();
                    LOG.atDebug().addKeyValue("links", count).log("link cache reloaded");
                }
                if (!fromDatabase) {
                    fromDatabase = true;
                    LOG.atInfo().addKeyValue("links", cache.size()).log("link cache loaded from PostgreSQL");
                }
                persistIfChanged();
                backoffMillis = 200;
                sleep(reloadInterval.toMillis());
            } catch (RuntimeException e) {
                // Until the first load succeeds the router is not ready; retry quickly, then back off.
                LOG.atWarn().addKeyValue("error", e.toString()).log("link reload failed");
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 5_000);
            }
        }
    }

    /**
     * True when the cache matches the database link for link (by count and fingerprint), so the
     * periodic reload has nothing to repair. Streaming a million links costs the router about a
     * core-second every interval and took a tenth off redirect throughput while it ran
     * (docs/decisions/0002); the checksum costs PostgreSQL one aggregate. A change committed
     * while the check runs can make the two differ for a moment, so a mismatch is checked once
     * more, after its notification has had time to arrive, before a full reload is paid for.
     */
    boolean inSync() {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (attempt > 0) {
                sleep(1_000);
            }
            LinkRepository.Checksum database = repository.checksum();
            if (database.links() == cache.size() && database.fingerprint() == cache.fingerprint()) {
                checks.increment();
                return true;
            }
        }
        checks.increment();
        mismatches.increment();
        return false;
    }

    // Writes a snapshot when the cache differs from the last one written (or read).
    private void persistIfChanged() {
        Path directory = snapshotDirectory;
        if (directory == null) {
            return;
        }
        LinkSnapshot.Contents last = lastSnapshot;
        List<Domain> currentDomains = domains.table().custom();
        if (last != null
                && last.links() == cache.size()
                && last.fingerprint() == cache.fingerprint()
                && last.domains().equals(currentDomains)
                && last.salt().equals(salt)) {
            return;
        }
        try {
            lastSnapshot = LinkSnapshot.write(directory, salt, cache, currentDomains);
        } catch (IOException | RuntimeException e) {
            snapshotFailures.increment();
            LOG.atWarn().addKeyValue("error", e.toString()).log("writing the link cache snapshot failed");
        }
    }

    private void listenLoop() {
        long backoffMillis = 200;
        while (running.get()) {
            try (Connection connection =
                    DataSources.directConnection(direct, "clickledger-router-listen", listenLimits)) {
                listenConnection = connection;
                try (Statement statement = connection.createStatement()) {
                    statement.execute("listen " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                if (!listening && cache.loaded()) {
                    // Notifications were lost while we were not listening: catch up.
                    reloadAll();
                }
                listening = true;
                backoffMillis = 200;
                long lastHeardNanos = System.nanoTime();
                while (running.get()) {
                    PGNotification[] batch = pg.getNotifications(500);
                    if (batch == null || batch.length == 0) {
                        if (System.nanoTime() - lastHeardNanos > TimeUnit.MILLISECONDS.toNanos(KEEPALIVE_MILLIS)) {
                            // A quiet socket may be a dead one: ask, under the socket timeout.
                            try (Statement statement = connection.createStatement()) {
                                statement.execute("select 1");
                            }
                            lastHeardNanos = System.nanoTime();
                        }
                        continue;
                    }
                    lastHeardNanos = System.nanoTime();
                    for (PGNotification notification : batch) {
                        notifications.increment();
                        if (reloading.get()) {
                            seenDuringReload.add(notification.getParameter());
                        }
                        apply(notification.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running.get()) {
                    return;
                }
                listening = false;
                LOG.atWarn().addKeyValue("error", e.toString()).log("link listener lost its connection");
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 5_000);
            }
        }
    }

    /**
     * Applies one notification payload: {@code link:<uuid>}, {@code program:<uuid>}, {@code
     * partner:<uuid>} or {@code domain:<uuid>}.
     */
    void apply(String payload) {
        int colon = payload.indexOf(':');
        if (colon < 0) {
            return;
        }
        Optional<UUID> id = parseUuid(payload.substring(colon + 1));
        if (id.isEmpty()) {
            return;
        }
        try {
            switch (payload.substring(0, colon)) {
                case "link" -> {
                    List<LinkTarget> targets = repository.byLink(id.get());
                    if (targets.isEmpty()) {
                        cache.removeLink(id.get());
                    }
                    targets.forEach(cache::put);
                }
                case "program" -> repository.byProgram(id.get()).forEach(cache::put);
                case "partner" -> repository.byPartner(id.get()).forEach(cache::put);
                case "domain" -> reloadDomains();
                default -> LOG.atDebug().addKeyValue("payload", payload).log("unknown link notification");
            }
        } catch (RuntimeException e) {
            // The periodic reload repairs what this missed.
            LOG.atWarn()
                    .addKeyValue("payload", payload)
                    .addKeyValue("error", e.toString())
                    .log("link refresh failed");
        }
    }

    private void reloadDomains() {
        if (domains.replace(domainRepository.all())) {
            LOG.atDebug()
                    .addKeyValue("domains", domains.table().custom().size())
                    .log("custom domains reloaded");
        }
    }

    private static Optional<UUID> parseUuid(String text) {
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    @Override
    public void close() {
        running.set(false);
        Connection connection = listenConnection;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing on shutdown; nothing left to do with it
            }
        }
        if (listener != null) {
            listener.interrupt();
        }
        if (reloader != null) {
            reloader.interrupt();
        }
    }
}
