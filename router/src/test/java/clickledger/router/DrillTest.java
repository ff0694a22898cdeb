package clickledger.router;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.db.DatabaseConfig;
import clickledger.db.partition.PartitionMaintenance;
import clickledger.router.spool.Spool;
import clickledger.testkit.PostgresFixture;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The core of each survival drill of docs/PERFORMANCE.md, in process, against a real PostgreSQL:
 * an outage (a proxy in front of PostgreSQL is cut), a slow database (a lock on this month's click
 * partition), and an unwritable spool while the database is down. The crash drill runs the router
 * as a separate process: {@link DrillCrashTest}.
 */
class DrillTest {
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36";

    private static Map<String, String> settings(String databaseUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("CLICK_DB_BUDGET_MS", "200");
        env.put("CLICK_VELOCITY_LIMIT", "1000000");
        if (databaseUrl != null) {
            env.put("DATABASE_URL", databaseUrl);
            env.put("DATABASE_URL_DIRECT", databaseUrl);
        }
        return env;
    }

    private static String postgresUrl(DatabaseConfig.Endpoint endpoint, String jdbcUrl) {
        return PostgresFixture.postgresUrl(
                new DatabaseConfig.Endpoint(jdbcUrl, endpoint.user(), endpoint.password(), false));
    }

    @Test
    void databaseOutageKeepsRedirectingAndReplaysEveryCrefExactlyOnce() throws Exception {
        DatabaseConfig.Endpoint endpoint = PostgresFixture.get().newDatabase();
        try (TcpProxy proxy = TcpProxy.inFrontOf(endpoint.jdbcUrl());
                RouterHarness router = new RouterHarness(
                        endpoint,
                        settings(postgresUrl(endpoint, proxy.rewrite(endpoint.jdbcUrl()))),
                        Clock.systemUTC())) {
            router.seed("outage", "https://acme.example/landing", null);
            router.awaitCached("outage");
            List<UUID> crefs = new ArrayList<>(redirects(router, "outage", 20));

            proxy.cut();
            crefs.addAll(redirects(router, "outage", 300));
            Spool spool = router.app.spool();
            assertThat(spool.records())
                    .as("clicks made during the outage wait in the spool")
                    .isPositive();
            assertThat(router.app.writer().databaseUp()).isFalse();
            assertThat(router.get("/readyz").statusCode())
                    .as("ready: the spool takes clicks")
                    .isEqualTo(200);
            assertThat(router.get("/metrics").body())
                    .contains("clickledger_spool_records")
                    .contains("clickledger_spool_bytes")
                    .contains("clickledger_click_fallbacks_total")
                    .contains("clickledger_clicks_replayed_total");

            proxy.restore();
            await(() -> spool.records() == 0 && router.app.writer().databaseUp(), Duration.ofSeconds(60));
            crefs.addAll(redirects(router, "outage", 5));
            assertEachStoredExactlyOnce(endpoint, crefs);
            assertThat(router.registry
                            .get("clickledger_clicks_replayed_total")
                            .counter()
                            .count())
                    .isPositive();
        }
    }

    /**
     * The hang the freeze drills could not stage: the writers' own connections stop answering (a
     * half-open socket, a backend stuck on its session) while new connections work, so pings and
     * replay chunks on fresh connections succeed. Before the writers had timeouts, the watchdog
     * spooled the first batch, the replay then marked the database up on a fresh connection while
     * both writers stayed blocked for ever, and visitors queued until the queue filled.
     */
    @Test
    void writersWhoseConnectionsHangAreAbortedAndNoVisitorWaits() throws Exception {
        DatabaseConfig.Endpoint endpoint = PostgresFixture.get().newDatabase();
        try (TcpProxy proxy = TcpProxy.inFrontOf(endpoint.jdbcUrl())) {
            Map<String, String> env = settings(postgresUrl(endpoint, proxy.rewrite(endpoint.jdbcUrl())));
            // LISTEN and the link loads go straight to PostgreSQL: only the pool is behind the proxy.
            env.put("DATABASE_URL_DIRECT", PostgresFixture.postgresUrl(endpoint));
            try (RouterHarness router = new RouterHarness(endpoint, env, Clock.systemUTC())) {
                router.seed("hang", "https://acme.example/landing", null);
                router.awaitCached("hang");
                List<UUID> crefs = new ArrayList<>(redirects(router, "hang", 20));

                proxy.freezeNextActive(2);
                // Bursts, so both writers start a batch on a connection that then hangs.
                for (int burst = 0; burst < 10; burst++) {
                    crefs.addAll(redirects(router, "hang", 60));
                }
                assertThat(proxy.frozen())
                        .as("connections that stopped answering")
                        .isPositive();
                await(() -> proxy.frozenClosedByClient() == proxy.frozen(), Duration.ofSeconds(10));
                assertThat(router.registry
                                .get("clickledger_click_writer_aborts_total")
                                .counter()
                                .count())
                        .isPositive();

                await(
                        () -> router.app.writer().databaseUp()
                                && router.app.writer().stuckWriters() == 0
                                && router.app.spool().records() == 0,
                        Duration.ofSeconds(30));
                crefs.addAll(redirects(router, "hang", 200));
                assertThat(router.get("/readyz").statusCode()).isEqualTo(200);
                assertEachStoredExactlyOnce(endpoint, crefs);
            }
        }
    }

    @Test
    void slowDatabaseFallsBackToTheSpoolInsteadOfQueueingVisitors() throws Exception {
        try (RouterHarness router = new RouterHarness(settings(null), Clock.systemUTC())) {
            router.seed("slow", "https://acme.example/landing", null);
            router.awaitCached("slow");
            String partition = PartitionMaintenance.partitionName(YearMonth.now(ZoneOffset.UTC));
            List<UUID> crefs = new ArrayList<>();
            try (Connection locker = connect(router.endpoint)) {
                locker.setAutoCommit(false);
                try (Statement statement = locker.createStatement()) {
                    statement.execute("lock table " + partition + " in access exclusive mode");
                }
                // Answered while the lock is still held: the click went to the spool, not into a wait.
                crefs.addAll(redirects(router, "slow", 30));
                assertThat(router.registry
                                .get("clickledger_click_fallbacks_total")
                                .tag("reason", "slow")
                                .counter()
                                .count())
                        .isPositive();
                assertThat(router.app.spool().records()).isPositive();
                locker.rollback();
            }
            await(() -> router.app.spool().records() == 0 && router.app.writer().databaseUp(), Duration.ofSeconds(60));
            assertEachStoredExactlyOnce(router.endpoint, crefs);
        }
    }

    @Test
    void unwritableSpoolWhileTheDatabaseIsDownAnswers503AndTurnsUnready() throws Exception {
        DatabaseConfig.Endpoint endpoint = PostgresFixture.get().newDatabase();
        try (TcpProxy proxy = TcpProxy.inFrontOf(endpoint.jdbcUrl());
                RouterHarness router = new RouterHarness(
                        endpoint,
                        settings(postgresUrl(endpoint, proxy.rewrite(endpoint.jdbcUrl()))),
                        Clock.systemUTC())) {
            router.seed("full", "https://acme.example/landing", null);
            RouterHarness.Seeded paused = router.seed("full-paused", "https://acme.example/paused", null);
            router.awaitCached("full");
            router.awaitCached("full-paused");
            assertThat(redirects(router, "full", 1)).hasSize(1);
            router.dsl()
                    .update(clickledger.db.jooq.Tables.LINK)
                    .set(clickledger.db.jooq.Tables.LINK.STATUS, "paused")
                    .where(clickledger.db.jooq.Tables.LINK.ID.eq(paused.linkId()))
                    .execute();
            await(
                    () -> "https://acme.example/paused".equals(location(router, "/r/full-paused")),
                    Duration.ofSeconds(5));

            // Even root cannot create files under a path that is a plain file.
            RouterHarness.deleteRecursively(router.spoolDirectory);
            Files.writeString(router.spoolDirectory, "not a directory");
            proxy.cut();

            HttpResponse<String> refused = router.get("/r/full", "User-Agent", BROWSER);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Location")).isEmpty();
            assertThat(refused.headers().firstValue("Set-Cookie")).isEmpty();
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.body()).doesNotContain("cref");
            // A paused link's click earns nothing: the visitor is not refused for want of recording it.
            HttpResponse<String> unpaid = router.get("/r/full-paused", "User-Agent", BROWSER);
            assertThat(unpaid.statusCode()).isEqualTo(302);
            assertThat(unpaid.headers().firstValue("Location")).contains("https://acme.example/paused");
            await(() -> status(router, "/readyz") == 503, Duration.ofSeconds(20));

            Files.delete(router.spoolDirectory);
            Files.createDirectory(router.spoolDirectory);
            await(() -> status(router, "/readyz") == 200, Duration.ofSeconds(20));
            List<UUID> spooled = redirects(router, "full", 3);
            proxy.restore();
            await(() -> router.app.spool().records() == 0 && router.app.writer().databaseUp(), Duration.ofSeconds(60));
            assertEachStoredExactlyOnce(endpoint, spooled);
        }
    }

    /**
     * {@code count} concurrent redirects of {@code slug}, each asserted a 302 with a cref, answered
     * within a second (the drills' mark: CLICK_DB_BUDGET_MS is 200 ms here).
     */
    static List<UUID> redirects(RouterHarness router, String slug, int count) throws Exception {
        ConcurrentLinkedQueue<UUID> crefs = new ConcurrentLinkedQueue<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(16)) {
            List<Future<Object>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                done.add(clients.submit((Callable<Object>) () -> {
                    long start = System.nanoTime();
                    HttpResponse<String> response = router.get("/r/" + slug, "User-Agent", BROWSER);
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertThat(response.statusCode()).isEqualTo(302);
                    assertThat(millis).as("answered within a second").isLessThan(1_000);
                    crefs.add(RedirectTest.crefOf(response));
                    return null;
                }));
            }
            for (Future<Object> future : done) {
                future.get();
            }
        }
        return new ArrayList<>(crefs);
    }

    private static String location(RouterHarness router, String path) {
        try {
            return router.get(path, "User-Agent", BROWSER)
                    .headers()
                    .firstValue("Location")
                    .orElse(null);
        } catch (Exception e) {
            return null;
        }
    }

    private static int status(RouterHarness router, String path) {
        try {
            return router.get(path).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static Connection connect(DatabaseConfig.Endpoint endpoint) throws SQLException {
        return DriverManager.getConnection(
                endpoint.jdbcUrl(), endpoint.user(), endpoint.password().reveal());
    }

    /**
     * Every cref is a row of click, exactly once, checked over a connection of its own. A click
     * answered from the spool reaches PostgreSQL with the replay, a moment later: wait for that
     * (up to 30 s) before judging.
     */
    static void assertEachStoredExactlyOnce(DatabaseConfig.Endpoint endpoint, Collection<UUID> crefs)
            throws SQLException, InterruptedException {
        assertThat(crefs).doesNotHaveDuplicates();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<UUID, Integer> counts = storedCounts(endpoint, crefs);
        while (counts.size() < crefs.size() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            counts = storedCounts(endpoint, crefs);
        }
        assertThat(counts.keySet())
                .as("every cref a visitor received is stored")
                .containsExactlyInAnyOrderElementsOf(crefs);
        assertThat(counts.values()).as("and stored once").allMatch(count -> count == 1);
    }

    private static Map<UUID, Integer> storedCounts(DatabaseConfig.Endpoint endpoint, Collection<UUID> crefs)
            throws SQLException {
        Map<UUID, Integer> counts = new HashMap<>();
        try (Connection connection = connect(endpoint);
                PreparedStatement query =
                        connection.prepareStatement("select id, count(*) from click where id = any(?) group by id")) {
            query.setArray(1, connection.createArrayOf("uuid", crefs.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getObject(1, UUID.class), rows.getInt(2));
                }
            }
        }
        return counts;
    }

    static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
