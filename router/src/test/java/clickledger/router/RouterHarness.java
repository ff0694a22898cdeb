package clickledger.router;

import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;

import clickledger.common.id.Ulid;
import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import clickledger.db.DatabaseConfig;
import clickledger.testkit.PostgresFixture;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/** A real router on a free port over a fresh real PostgreSQL database, plus helpers to seed links. */
final class RouterHarness implements AutoCloseable {
    final DatabaseConfig.Endpoint endpoint;
    final Path spoolDirectory;
    final Database database;
    final RouterApp app;
    final PrometheusMeterRegistry registry;
    final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    RouterHarness(Map<String, String> extraEnv, Clock clock) throws Exception {
        this(PostgresFixture.get().newDatabase(), extraEnv, clock);
    }

    /** A router over {@code endpoint}; {@code extraEnv} may point DATABASE_URL elsewhere (a proxy). */
    RouterHarness(DatabaseConfig.Endpoint endpoint, Map<String, String> extraEnv, Clock clock) throws Exception {
        this.endpoint = endpoint;
        spoolDirectory = Files.createTempDirectory("clickledger-spool-");
        Map<String, String> env = new HashMap<>(PostgresFixture.databaseEnv(endpoint));
        env.put("ROUTER_PORT", "0");
        env.put("CLICK_SPOOL_DIR", spoolDirectory.toString());
        env.put("LINK_RELOAD_SECONDS", "60");
        env.putAll(extraEnv);
        RouterConfig config = RouterConfig.fromEnv(env);
        registry = Metrics.newRegistry("router");
        database = Database.connect("router", config.database(), registry, config.poolLimits());
        app = RouterApp.create(config, database, clock, registry).start();
        // Tests check what the parser says from the first click; production serves while it loads.
        clickledger.router.click.UserAgents.sharedParser();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!app.cache().loaded() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    RouterHarness() throws Exception {
        this(Map.of(), Clock.systemUTC());
    }

    DSLContext dsl() {
        return database.dsl();
    }

    record Seeded(UUID programId, UUID partnerId, UUID linkId, String slug) {}

    /** A program, a partner and an active link with {@code slug}. */
    Seeded seed(String slug, String programDestination, String linkDestination) {
        UUID program = newProgram(programDestination);
        UUID partner = newPartner();
        UUID link = newLink(slug, program, partner, linkDestination);
        return new Seeded(program, partner, link, slug);
    }

    UUID newProgram(String destination) {
        UUID id = Ulid.newUuidV7(System.currentTimeMillis());
        dsl().insertInto(PROGRAM)
                .set(PROGRAM.ID, id)
                .set(PROGRAM.SLUG, "p" + Long.toHexString(id.getLeastSignificantBits() & 0xFFFFFFFFFFL))
                .set(PROGRAM.NAME, "Acme")
                .set(PROGRAM.DESTINATION_URL, destination)
                .set(PROGRAM.CURRENCY, "USD")
                .set(PROGRAM.COOKIE_DAYS, 30)
                .execute();
        return id;
    }

    UUID newPartner() {
        UUID id = Ulid.newUuidV7(System.currentTimeMillis());
        dsl().insertInto(PARTNER)
                .set(PARTNER.ID, id)
                .set(PARTNER.EMAIL, id + "@example.com")
                .set(PARTNER.NAME, "Ada")
                .execute();
        return id;
    }

    UUID newLink(String slug, UUID program, UUID partner, String destination) {
        UUID id = Ulid.newUuidV7(System.currentTimeMillis());
        dsl().insertInto(PARTNER_PROGRAM)
                .set(PARTNER_PROGRAM.PARTNER_ID, partner)
                .set(PARTNER_PROGRAM.PROGRAM_ID, program)
                .onConflictDoNothing()
                .execute();
        dsl().insertInto(LINK)
                .set(LINK.ID, id)
                .set(LINK.SLUG, slug)
                .set(LINK.PROGRAM_ID, program)
                .set(LINK.PARTNER_ID, partner)
                .set(LINK.DESTINATION_URL, destination)
                .execute();
        return id;
    }

    /** Waits (up to 2 s) until the router's cache has the slug, as it will after the NOTIFY. */
    void awaitCached(String slug) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (app.cache().get(slug) == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (app.cache().get(slug) == null) {
            throw new AssertionError("link " + slug + " never reached the router's cache");
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + app.port() + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static Instant month(int year, int month) {
        return java.time.LocalDate.of(year, month, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    @Override
    public void close() throws IOException {
        app.close();
        database.close();
        deleteRecursively(spoolDirectory);
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
