package clickledger.router;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.db.DatabaseConfig;
import clickledger.router.link.LinkSnapshot;
import clickledger.testkit.PostgresFixture;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core of the frozen-PostgreSQL drill (make drills): {@code SIGSTOP} on the postmaster and
 * every backend, a hung server with open sockets rather than a stopped one. It runs on an embedded
 * PostgreSQL of its own, started here, since freezing the suite's shared server would freeze every
 * other test's database with it (and an external TEST_DATABASE_URL server is not ours to stop).
 */
class FrozenDatabaseTest {
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36";
    private static Path dataDirectory;
    private static EmbeddedPostgres postgres;
    private static DatabaseConfig.Endpoint endpoint;

    @BeforeAll
    static void startPostgres() throws IOException {
        dataDirectory = Files.createTempDirectory("clickledger-frozen-pg-");
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(120))
                .setServerConfig("max_connections", "100")
                .start();
        endpoint = DatabaseConfig.parseUrl(postgres.getJdbcUrl("postgres", "postgres"));
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        signal("CONT");
        postgres.close();
    }

    @AfterEach
    void thaw() throws IOException {
        signal("CONT"); // whatever an assertion left frozen
    }

    /** The postmaster (first line of postmaster.pid) and every process it started, parents first. */
    private static List<String> postgresPids() throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                .getFirst()
                .trim());
        List<String> pids = new ArrayList<>();
        pids.add(Long.toString(postmaster));
        ProcessHandle.of(postmaster)
                .orElseThrow(() -> new AssertionError("no postmaster " + postmaster))
                .descendants()
                .forEach(child -> pids.add(Long.toString(child.pid())));
        return pids;
    }

    private static void signal(String signal) throws IOException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        command.addAll(postgresPids());
        try {
            new ProcessBuilder(command).inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> settings(Path spool) {
        Map<String, String> env = new HashMap<>();
        String url = PostgresFixture.postgresUrl(endpoint);
        env.put("DATABASE_URL", url);
        env.put("DATABASE_URL_DIRECT", url);
        env.put("CLICK_DB_BUDGET_MS", "200");
        env.put("CLICK_VELOCITY_LIMIT", "1000000");
        env.put("LINK_RELOAD_SECONDS", "1");
        env.put("CLICK_SPOOL_DIR", spool.toString());
        return env;
    }

    /** Steady load from a few clients: every answer's status, time and cref. */
    private static final class Load {
        final ConcurrentLinkedQueue<UUID> crefs = new ConcurrentLinkedQueue<>();
        final AtomicInteger other = new AtomicInteger();
        final AtomicInteger answers = new AtomicInteger();
        final AtomicLong slowestMillis = new AtomicLong();
        // When the slowest answer was asked, in ms since the load began: says which phase it was in.
        final AtomicLong slowestAskedAt = new AtomicLong();
        private final long startNanos = System.nanoTime();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> clients = new ArrayList<>();

        Load(RouterHarness router, String slug, int clientCount) {
            for (int i = 0; i < clientCount; i++) {
                clients.add(Thread.ofPlatform().start(() -> {
                    while (running.get()) {
                        long start = System.nanoTime();
                        try {
                            HttpResponse<String> response = router.get("/r/" + slug, "User-Agent", BROWSER);
                            long millis = (System.nanoTime() - start) / 1_000_000;
                            if (millis > slowestMillis.getAndAccumulate(millis, Math::max)) {
                                slowestAskedAt.set((start - startNanos) / 1_000_000);
                            }
                            answers.incrementAndGet();
                            if (response.statusCode() == 302) {
                                crefs.add(RedirectTest.crefOf(response));
                            } else {
                                other.incrementAndGet();
                            }
                        } catch (IOException e) {
                            other.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread client : clients) {
                client.join();
            }
        }
    }

    @Test
    void frozenUnderSteadyLoadEveryVisitorGetsA302WithinASecondAndEveryClickLandsOnce() throws Exception {
        Path spool = Files.createTempDirectory("clickledger-frozen-spool-");
        try (RouterHarness router = new RouterHarness(endpoint, settings(spool), Clock.systemUTC())) {
            router.seed("frozen", "https://acme.example/landing", null);
            router.awaitCached("frozen");
            List<UUID> crefs = new ArrayList<>();
            int notReady = 0;
            Load load = new Load(router, "frozen", 8);
            try {
                Thread.sleep(2_000);
                signal("STOP");
                try {
                    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (System.nanoTime() < until) {
                        if (router.get("/readyz").statusCode() != 200) {
                            notReady++;
                        }
                        Thread.sleep(250);
                    }
                    assertThat(router.app.spool().records())
                            .as("the spool took the clicks")
                            .isPositive();
                } finally {
                    signal("CONT");
                }
                Thread.sleep(3_000);
                load.stop();
                assertThat(load.other.get())
                        .as("answers other than a 302 with a cref")
                        .isZero();
                assertThat(load.slowestMillis.get())
                        .as(
                                "slowest answer, ms (asked %d ms into the load; frozen from 2,000 to ~12,000)",
                                load.slowestAskedAt.get())
                        .isLessThan(1_000);
                assertThat(load.answers.get()).isGreaterThan(100);
                crefs.addAll(load.crefs);
            } finally {
                load.stop();
            }
            assertThat(notReady)
                    .as("/readyz answers other than 200 while frozen")
                    .isZero();
            DrillTest.await(
                    () -> router.app.spool().records() == 0
                            && router.app.writer().databaseUp(),
                    Duration.ofSeconds(60));
            DrillTest.assertEachStoredExactlyOnce(endpoint, crefs);
        } finally {
            RouterHarness.deleteRecursively(spool);
        }
    }

    @Test
    void aRouterStartedWhileThePostgresIsFrozenRedirectsFromItsSnapshot() throws Exception {
        Path spool = Files.createTempDirectory("clickledger-frozen-spool-");
        try {
            try (RouterHarness first = new RouterHarness(endpoint, settings(spool), Clock.systemUTC())) {
                first.seed("snapshot", "https://acme.example/landing", null);
                first.awaitCached("snapshot");
                DrillTest.await(() -> snapshotHas(spool, "snapshot"), Duration.ofSeconds(20));
            }
            List<UUID> crefs = new ArrayList<>();
            signal("STOP");
            try (RouterHarness second = startWhileFrozen(spool)) {
                try {
                    assertThat(second.app.cache().loaded()).isTrue();
                    assertThat(second.app.connected()).isFalse();
                    HttpResponse<String> ready = second.get("/readyz");
                    assertThat(ready.statusCode()).isEqualTo(200);
                    assertThat(ready.body()).contains("\"links\":\"snapshot\"").contains("\"database\":\"down\"");
                    crefs.addAll(DrillTest.redirects(second, "snapshot", 50));
                    assertThat(second.app.spool().records()).isEqualTo(50);
                } finally {
                    signal("CONT");
                }
                DrillTest.await(
                        () -> second.app.connected()
                                && second.app.refresher().fromDatabase()
                                && second.app.spool().records() == 0
                                && second.app.writer().databaseUp(),
                        Duration.ofSeconds(60));
                assertThat(second.get("/readyz").body()).contains("\"links\":\"database\"");
                crefs.addAll(DrillTest.redirects(second, "snapshot", 10));
                DrillTest.assertEachStoredExactlyOnce(endpoint, crefs);
            }
        } finally {
            RouterHarness.deleteRecursively(spool);
        }
    }

    private static RouterHarness startWhileFrozen(Path spool) throws Exception {
        long start = System.nanoTime();
        RouterHarness router = new RouterHarness(endpoint, settings(spool), Clock.systemUTC());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("ready from the snapshot within seconds, ms").isLessThan(15_000);
        return router;
    }

    private static boolean snapshotHas(Path spool, String slug) {
        AtomicBoolean found = new AtomicBoolean();
        try {
            LinkSnapshot.read(
                    spool, target -> found.compareAndSet(false, target.slug().equals(slug)));
        } catch (IOException e) {
            return false;
        }
        return found.get();
    }
}
