package clickledger.docsgen;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.ApiApp;
import clickledger.api.ApiConfig;
import clickledger.common.id.Ulid;
import clickledger.common.metrics.Metrics;
import clickledger.db.DataSources;
import clickledger.db.Database;
import clickledger.db.DatabaseConfig;
import clickledger.db.partition.PartitionMaintenance;
import clickledger.router.RouterApp;
import clickledger.router.RouterConfig;
import clickledger.testkit.PostgresFixture;
import clickledger.testkit.Prerequisites;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make backup} and {@code make restore FILE=…} as an operator runs them (the real Makefile
 * and scripts/db.sh, with a pg_dump of the server's own major), against the embedded database of
 * {@code make run} and against {@code DATABASE_URL}: a database with clicks in several monthly
 * partitions, events and commissions comes back with the same rows, row for row, the same
 * partitions, and the api and the router start on it; the storage (STORAGE_KIND=fs) travels with
 * the dump, so the program's logo is served again, byte for byte.
 */
class BackupRestoreTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final String ADMIN_KEY = "backup-test-admin-key-0123456789";
    private static final String SECRETS_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    /** The logo as the api served it before the backup. */
    private byte[] logo;

    @BeforeEach
    void tools() {
        Prerequisites.require(onPath("make"), "make is not installed");
        Prerequisites.require(onPath("psql"), "psql is not installed (postgresql-client)");
    }

    @Test
    void backupOfDatabaseUrlRestoresIntoAnEmptyDatabaseAndTheServicesStartOnIt() throws Exception {
        DatabaseConfig.Endpoint source = PostgresFixture.get().newDatabase();
        Path sourceStorage = directory.resolve("source-storage");
        String cref = seed(source, sourceStorage);
        Map<String, String> before = snapshot(source);

        Map<String, String> env =
                Map.of("DATABASE_URL", PostgresFixture.postgresUrl(source), "STORAGE_DIR", sourceStorage.toString());
        String backup = make(env, "backup");
        int major = serverMajor(source);
        assertThat(backup).contains("from PostgreSQL " + major + " with pg_dump (PostgreSQL) " + major + ".");
        Path file = backupFile();
        assertThat(backup).contains("written to " + storageArchive(file));

        DatabaseConfig.Endpoint target = PostgresFixture.get().newEmptyDatabase();
        Path targetStorage = directory.resolve("target-storage");
        make(
                Map.of(
                        "DATABASE_URL",
                        PostgresFixture.postgresUrl(target),
                        "CONFIRM",
                        "yes",
                        "STORAGE_DIR",
                        targetStorage.toString()),
                "restore",
                "FILE=" + file);

        assertThat(snapshot(target)).isEqualTo(before);
        servicesStartOn(target, cref, targetStorage);
    }

    @Test
    void backupOfTheEmbeddedDatabaseRestoresOverChangesMadeAfterIt() throws Exception {
        Path data = directory.resolve("data");
        ProcessBuilder devdbBuilder = new ProcessBuilder(
                        javaBinary(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "clickledger.testkit.DevDatabaseMain",
                        data.toString())
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("devdb.log").toFile());
        devdbBuilder.environment().put("DEV_DB_PORT", Integer.toString(freePort()));
        Process devdb = devdbBuilder.start();
        try {
            Path urlFile = data.resolve("database-url");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(urlFile) && System.nanoTime() < deadline && devdb.isAlive()) {
                Thread.sleep(200);
            }
            assertThat(urlFile)
                    .as(
                            Files.exists(directory.resolve("devdb.log"))
                                    ? Files.readString(directory.resolve("devdb.log"))
                                    : "no log")
                    .exists();
            DatabaseConfig.Endpoint embedded =
                    DatabaseConfig.parseUrl(Files.readString(urlFile).trim());
            // The storage where `make run` keeps it, in the data directory.
            Path storage = data.resolve("storage");
            String cref = seed(embedded, storage);
            Map<String, String> before = snapshot(embedded);

            // No DATABASE_URL: the scripts find the embedded database the way `make run` left it.
            Map<String, String> env = Map.of("CLICKLEDGER_DATA_DIR", data.toString());
            assertThat(make(env, "backup")).contains("from PostgreSQL 17 with pg_dump (PostgreSQL) 17.");
            Path file = backupFile();
            assertThat(storageArchive(file)).exists();
            // The storage is lost too: the restore brings it back.
            deleteTree(storage);

            try (Connection connection = DataSources.directConnection(embedded, "backup-test")) {
                DSLContext dsl = DataSources.dsl(connection);
                dsl.execute("delete from commission");
                dsl.execute("delete from click where ts < now() - interval '20 days'");
                dsl.execute("drop table "
                        + PartitionMaintenance.partitionName(
                                YearMonth.now(ZoneOffset.UTC).minusMonths(2)));
            }
            assertThat(snapshot(embedded)).isNotEqualTo(before);

            Map<String, String> restoreEnv = new HashMap<>(env);
            restoreEnv.put("CONFIRM", "yes");
            make(restoreEnv, "restore", "FILE=" + file);

            assertThat(snapshot(embedded)).isEqualTo(before);
            servicesStartOn(embedded, cref, storage);
        } finally {
            devdb.destroy();
            if (!devdb.waitFor(30, TimeUnit.SECONDS)) {
                devdb.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Clicks in the current month and the two before (each its own partition), identities, a
     * purchase and a refund through the real api, so commissions and reversals exist. Answers a cref.
     */
    private String seed(DatabaseConfig.Endpoint endpoint, Path storage) throws Exception {
        try (ApiApp api = startApi(endpoint, storage)) {
            Instant now = Instant.now();
            try (Connection connection = DataSources.directConnection(endpoint, "backup-test")) {
                PartitionMaintenance.ensureMonths(
                        DataSources.dsl(connection),
                        YearMonth.now(ZoneOffset.UTC).minusMonths(2),
                        YearMonth.now(ZoneOffset.UTC));
            }
            String program = id(
                    call(
                            api,
                            "POST",
                            "/v1/programs",
                            """
                    {"slug":"backup","name":"Backup shop","destinationUrl":"https://shop.example.com/","currency":"EUR",
                     "lookbackDays":90,"commissionRules":[{"kind":"percent","amount":"12.5"}]}"""));
            String logoUrl = clickledger.web.Json.MAPPER
                    .readTree(send(api, "PUT", "/v1/programs/" + program + "/logo", png(), "image/png")
                            .body())
                    .get("url")
                    .asText();
            logo = send(api, "GET", logoUrl, null, null).body();
            assertThat(logo).isNotEmpty();
            String partner = id(call(api, "POST", "/v1/partners", "{\"email\":\"ada@example.com\",\"name\":\"Ada\"}"));
            String link = id(call(
                    api,
                    "POST",
                    "/v1/links",
                    "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"ada\"}".formatted(program, partner)));
            List<String> crefs = new ArrayList<>();
            DSLContext dsl = api.database().dsl();
            for (int daysAgo : new int[] {62, 40, 33, 5, 1}) {
                Instant ts = now.minus(Duration.ofDays(daysAgo)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                UUID id = Ulid.newUuidV7(ts.toEpochMilli());
                dsl.execute(
                        "insert into click (id, ts, link_id, program_id, partner_id, user_agent, ip_hash)"
                                + " values (?, ?::timestamptz, ?, ?, ?, 'Mozilla/5.0 \"test\"', '\\x0102'::bytea)",
                        id,
                        ts.toString(),
                        Ulid.parse(link).orElseThrow(),
                        Ulid.parse(program).orElseThrow(),
                        Ulid.parse(partner).orElseThrow());
                crefs.add(Ulid.encode(id));
            }
            call(api, "POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u-1\"}".formatted(crefs.get(3)));
            call(
                    api,
                    "POST",
                    "/v1/events",
                    "{\"programId\":\"%s\",\"eventId\":\"inv-1\",\"userId\":\"u-1\",\"type\":\"purchase\",\"value\":\"80.00\"}"
                            .formatted(program));
            call(
                    api,
                    "POST",
                    "/v1/events",
                    "{\"programId\":\"%s\",\"eventId\":\"ref-1\",\"userId\":\"u-1\",\"type\":\"refund\",\"refundOf\":\"inv-1\",\"value\":\"20.00\"}"
                            .formatted(program));
            return crefs.get(0);
        }
    }

    private void servicesStartOn(DatabaseConfig.Endpoint endpoint, String cref, Path storage) throws Exception {
        try (ApiApp api = startApi(endpoint, storage)) {
            // /healthz is what compose.yaml's and the Dockerfile's health checks call (ComposeTest).
            call(api, "GET", "/healthz", null);
            assertThat(call(api, "GET", "/readyz", null)).contains("ready");
            assertThat(call(api, "GET", "/v1/clicks/" + cref, null)).contains(cref);
            assertThat(call(api, "GET", "/v1/commissions?kind=commission", null))
                    .contains("\"amount\":\"10.00\"");
            // The program's logo: its row came back with the database, its image with the storage.
            String logoUrl = clickledger.web.Json.MAPPER
                    .readTree(call(api, "GET", "/v1/programs", null))
                    .at("/items/0/logoUrl")
                    .asText();
            assertThat(send(api, "GET", logoUrl, null, null).body()).isEqualTo(logo);
        }
        Map<String, String> env = new HashMap<>(PostgresFixture.databaseEnv(endpoint));
        env.put("ROUTER_PORT", "0");
        env.put(
                "CLICK_SPOOL_DIR",
                directory.resolve("spool-" + System.nanoTime()).toString());
        RouterConfig config = RouterConfig.fromEnv(env);
        var registry = Metrics.newRegistry("router");
        try (Database database = Database.connect("router", config.database(), registry, config.poolLimits())) {
            RouterApp router = RouterApp.create(config, database, Clock.systemUTC(), registry);
            try {
                router.start();
                String ready = "http://localhost:" + router.port() + "/readyz";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (HTTP.send(
                                                HttpRequest.newBuilder(URI.create(ready))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                != 200
                        && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                HttpResponse<String> redirect = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + router.port() + "/r/ada"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(redirect.statusCode()).isEqualTo(302);
                assertThat(HTTP.send(
                                        HttpRequest.newBuilder(
                                                        URI.create("http://localhost:" + router.port() + "/healthz"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode())
                        .isEqualTo(200);
                assertThat(redirect.headers().firstValue("Location").orElse("")).contains("cref=");
            } finally {
                router.close();
            }
        }
    }

    private static ApiApp startApi(DatabaseConfig.Endpoint endpoint, Path storage) {
        Map<String, String> env = new HashMap<>(PostgresFixture.databaseEnv(endpoint));
        env.put("STORAGE_DIR", storage.toString());
        env.put("ADMIN_API_KEY", ADMIN_KEY);
        env.put("SECRETS_ENCRYPTION_KEY", SECRETS_KEY);
        env.put("API_PORT", "0");
        env.put("DB_POOL_SIZE", "3");
        return ApiApp.create(ApiConfig.fromEnv(env), Clock.systemUTC()).start();
    }

    private static String call(ApiApp api, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as(method + " " + path + ": " + response.body())
                .isBetween(200, 299);
        return response.body();
    }

    /** A request whose answer must be 2xx; the body as bytes. */
    private static HttpResponse<byte[]> send(ApiApp api, String method, String path, byte[] body, String type)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + path))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(method + " " + path).isBetween(200, 299);
        return response;
    }

    private static byte[] png() throws IOException {
        java.awt.image.BufferedImage image =
                new java.awt.image.BufferedImage(90, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D graphics = image.createGraphics();
        graphics.setColor(new java.awt.Color(0x1f, 0x6f, 0xeb));
        graphics.fillRect(10, 5, 70, 20);
        graphics.dispose();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** Where {@code make backup} puts the storage of the dump {@code file}. */
    private static Path storageArchive(Path file) {
        String name = file.getFileName().toString();
        return file.resolveSibling(name.substring(0, name.length() - ".dump".length()) + ".storage.tar.gz");
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String id(String json) throws IOException {
        return clickledger.web.Json.MAPPER.readTree(json).get("id").asText();
    }

    /**
     * Every table of the schema (each click partition on its own, with its bounds): row count and
     * an md5 over every row's text, sorted so physical order does not matter; plus the schema
     * version Flyway recorded.
     */
    static Map<String, String> snapshot(DatabaseConfig.Endpoint endpoint) throws Exception {
        Map<String, String> tables = new TreeMap<>();
        try (Connection connection = DataSources.directConnection(endpoint, "backup-test")) {
            DSLContext dsl = DataSources.dsl(connection);
            for (Record table : dsl.fetch(
                    """
                    select c.relname, coalesce(pg_get_expr(c.relpartbound, c.oid), '') from pg_class c
                    join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'public' and c.relkind = 'r' order by 1""")) {
                String name = table.get(0, String.class);
                String sum = dsl.fetchOne("select count(*) || ':' || coalesce(md5(string_agg(r, ',' order by r)), '')"
                                + " from (select md5(t::text) r from only public.\"" + name + "\" t) x")
                        .get(0, String.class);
                tables.put(name, sum + " " + table.get(1, String.class));
            }
        }
        assertThat(tables.keySet()).contains("click_default", "event", "commission");
        assertThat(tables.keySet().stream().filter(name -> name.matches("click_y\\d{4}m\\d{2}")))
                .hasSizeGreaterThanOrEqualTo(3);
        return tables;
    }

    private static int serverMajor(DatabaseConfig.Endpoint endpoint) throws Exception {
        try (Connection connection = DataSources.directConnection(endpoint, "backup-test")) {
            return DataSources.dsl(connection)
                            .fetchOne("show server_version_num")
                            .get(0, Integer.class)
                    / 10000;
        }
    }

    private String make(Map<String, String> env, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("make", "-s", "-C", ROOT.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Only what an operator's shell would have: no DATABASE_URL unless the test sets one.
        builder.environment().keySet().removeIf(name -> name.startsWith("DATABASE_URL") || name.startsWith("PG"));
        builder.environment().putAll(env);
        builder.environment().put("BACKUP_DIR", directory.resolve("backups").toString());
        Process process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue())
                .as("make " + String.join(" ", arguments) + ":\n" + output)
                .isZero();
        return output;
    }

    private Path backupFile() throws IOException {
        try (var files = Files.list(directory.resolve("backups"))) {
            List<Path> dumps = files.filter(path -> path.toString().endsWith(".dump"))
                    .sorted()
                    .toList();
            assertThat(dumps).isNotEmpty();
            return dumps.getLast();
        }
    }

    private static boolean onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
