package clickledger.router;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.id.Ulid;
import clickledger.db.DatabaseConfig;
import clickledger.testkit.PostgresFixture;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The crash drill's core: a router in a process of its own, under load, with PostgreSQL cut off so
 * clicks go to the spool, is killed with SIGKILL; a torn record is left at the end of its spool as
 * a crash mid-append would; the restarted router replays, and every cref that reached a client is
 * in PostgreSQL exactly once.
 */
class DrillCrashTest {
    private static final String BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36";
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @Test
    void killedRouterReplaysEveryClickThatReachedAClientAfterRestart() throws Exception {
        DatabaseConfig.Endpoint endpoint = PostgresFixture.get().newDatabase();
        seedLink(endpoint, "crash");
        Path spool = Files.createTempDirectory("clickledger-crash-spool-");
        Path logs = Files.createTempDirectory("clickledger-crash-logs-");
        try (TcpProxy proxy = TcpProxy.inFrontOf(endpoint.jdbcUrl())) {
            String databaseUrl = PostgresFixture.postgresUrl(new DatabaseConfig.Endpoint(
                    proxy.rewrite(endpoint.jdbcUrl()), endpoint.user(), endpoint.password(), false));
            int port = freePort();
            Process first = startRouter(databaseUrl, spool, port, logs.resolve("first.log"));
            List<UUID> received;
            try {
                awaitReady(first, port);
                ConcurrentLinkedQueue<UUID> crefs = new ConcurrentLinkedQueue<>();
                AtomicBoolean loading = new AtomicBoolean(true);
                List<Thread> clients = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    clients.add(Thread.ofPlatform().start(() -> load(port, crefs, loading)));
                }
                Thread.sleep(1_000);
                proxy.cut();
                Thread.sleep(2_000);
                first.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no goodbye
                first.waitFor();
                loading.set(false);
                for (Thread client : clients) {
                    client.join();
                }
                received = new ArrayList<>(crefs);
            } finally {
                first.destroyForcibly();
            }
            assertThat(received).as("clicks answered before the kill").isNotEmpty();
            tearTheLastRecord(spool);

            proxy.restore();
            Process second = startRouter(databaseUrl, spool, freePort(), logs.resolve("second.log"));
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (storedCount(endpoint, received) < received.size() && System.nanoTime() < deadline) {
                    assertThat(second.isAlive())
                            .as(log(logs.resolve("second.log")))
                            .isTrue();
                    Thread.sleep(200);
                }
                DrillTest.assertEachStoredExactlyOnce(endpoint, received);
                assertThat(Files.readString(logs.resolve("second.log"))).contains("torn spool record skipped");
            } finally {
                second.destroy();
                second.waitFor();
            }
        } finally {
            RouterHarness.deleteRecursively(spool);
            RouterHarness.deleteRecursively(logs);
        }
    }

    private void load(int port, ConcurrentLinkedQueue<UUID> crefs, AtomicBoolean loading) {
        URI uri = URI.create("http://127.0.0.1:" + port + "/r/crash");
        while (loading.get()) {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(uri)
                                .header("User-Agent", BROWSER)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 302) {
                    crefs.add(RedirectTest.crefOf(response));
                }
            } catch (IOException e) {
                // the router is gone: this click never reached the client, nothing is owed
                sleepQuietly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Appends half of a record to the newest segment, as a crash in the middle of an append leaves it. */
    private static void tearTheLastRecord(Path spool) throws IOException {
        Path newest;
        try (Stream<Path> files = Files.list(spool)) {
            newest = files.filter(file -> file.getFileName().toString().endsWith(".spool"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("the outage left no spool segment"));
        }
        try (FileChannel channel = FileChannel.open(newest, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(64).putInt(400).putInt(0xC0FFEE).position(0));
        }
    }

    private static Process startRouter(String databaseUrl, Path spool, int port, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(
                        java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("DATABASE_URL", databaseUrl);
        env.put("DATABASE_URL_DIRECT", databaseUrl);
        env.put("ROUTER_PORT", Integer.toString(port));
        env.put("CLICK_SPOOL_DIR", spool.toString());
        env.put("CLICK_DB_BUDGET_MS", "200");
        env.put("CLICK_VELOCITY_LIMIT", "1000000");
        env.put("LOG_FORMAT", "text");
        return builder.start();
    }

    private void awaitReady(Process router, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
        while (System.nanoTime() < deadline) {
            assertThat(router.isAlive())
                    .as("router process exited before it was ready")
                    .isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("router not ready within 90 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String log(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static long storedCount(DatabaseConfig.Endpoint endpoint, List<UUID> crefs) throws Exception {
        try (Connection connection = DrillTest.connect(endpoint);
                PreparedStatement query = connection.prepareStatement("select count(*) from click where id = any(?)")) {
            query.setArray(1, connection.createArrayOf("uuid", crefs.toArray()));
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static void seedLink(DatabaseConfig.Endpoint endpoint, String slug) throws Exception {
        UUID program = Ulid.newUuidV7(System.currentTimeMillis());
        UUID partner = Ulid.newUuidV7(System.currentTimeMillis());
        try (Connection connection = DrillTest.connect(endpoint)) {
            execute(
                    connection,
                    "insert into program (id, slug, name, destination_url, currency)"
                            + " values (?, 'crash-program', 'Acme', 'https://acme.example/landing', 'USD')",
                    program);
            execute(
                    connection,
                    "insert into partner (id, email, name) values (?, 'crash@example.com', 'Ada')",
                    partner);
            execute(
                    connection,
                    "insert into link (id, slug, program_id, partner_id) values (?, ?, ?, ?)",
                    Ulid.newUuidV7(System.currentTimeMillis()),
                    slug,
                    program,
                    partner);
        }
    }

    private static void execute(Connection connection, String sql, Object... values) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            statement.executeUpdate();
        }
    }
}
