package clickledger.api;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.ApiKeyAuthenticator;
import clickledger.api.auth.RequireApiKey;
import clickledger.api.click.ClickRepository;
import clickledger.api.click.ClickRoutes;
import clickledger.api.link.LinkRoutes;
import clickledger.api.link.LinkService;
import clickledger.api.link.RandomSlugs;
import clickledger.api.maintenance.PartitionMaintenanceJob;
import clickledger.api.partner.PartnerRoutes;
import clickledger.api.partner.PartnerService;
import clickledger.api.program.ProgramRoutes;
import clickledger.api.program.ProgramService;
import clickledger.api.stats.ClickRollup;
import clickledger.api.stats.ClickRollupJob;
import clickledger.api.stats.MoneyRollup;
import clickledger.api.stats.StatsRoutes;
import clickledger.api.stats.StatsService;
import clickledger.common.metrics.Metrics;
import clickledger.db.Database;
import clickledger.db.partition.PartitionMaintenance;
import clickledger.web.Json;
import clickledger.web.WebApp;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * The api process, built in one place from its configuration: Main and the tests call the same
 * {@link #create}, so the tests exercise exactly what runs in production.
 */
public final class ApiApp implements AutoCloseable {
    public static final String SERVICE = "api";
    // Admin bodies are small; 1 MiB leaves room for bulk imports of a few thousand rows later.
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    private static final String OPENAPI_RESOURCE = "/clickledger/api/openapi.json";

    private final ApiConfig config;
    private final Database database;
    private final Javalin javalin;
    private final PartitionMaintenanceJob maintenance;
    private final ClickRollupJob clickRollup;

    private ApiApp(
            ApiConfig config,
            Database database,
            Javalin javalin,
            PartitionMaintenanceJob maintenance,
            ClickRollupJob clickRollup) {
        this.config = config;
        this.database = database;
        this.javalin = javalin;
        this.maintenance = maintenance;
        this.clickRollup = clickRollup;
    }

    /**
     * Migrates and opens the database, then wires every route and job. Nothing listens until
     * {@link #start()}.
     */
    public static ApiApp create(ApiConfig config, Clock clock) {
        requireNonNull(config, "config is null");
        requireNonNull(clock, "clock is null");
        PrometheusMeterRegistry registry = Metrics.newRegistry(SERVICE);
        Database database = Database.open(SERVICE, config.database(), registry, clock, config.clickRetentionMonths());
        try {
            Javalin javalin = WebApp.create(SERVICE, registry, database::ping, MAX_BODY_BYTES);
            byte[] openApi = openApiDocument(config.publicApiUrl());
            javalin.get(
                    "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
            javalin.before("/v1/*", new RequireApiKey(new ApiKeyAuthenticator(config.adminApiKey())));
            new ProgramRoutes(new ProgramService(database.dsl(), clock)).register(javalin);
            new PartnerRoutes(new PartnerService(database.dsl(), clock)).register(javalin);
            new LinkRoutes(new LinkService(database.dsl(), clock, new RandomSlugs()), config.publicRouterUrl())
                    .register(javalin);
            new ClickRoutes(new ClickRepository(database.dsl())).register(javalin);
            new StatsRoutes(new StatsService(database.readDsl(), clock)).register(javalin);
            PartitionMaintenanceJob maintenance = new PartitionMaintenanceJob(
                    new PartitionMaintenance(
                            database.dsl(), clock, Database.PARTITION_MONTHS_AHEAD, config.clickRetentionMonths()),
                    PartitionMaintenanceJob.DAILY);
            ClickRollupJob clickRollup = new ClickRollupJob(
                    new ClickRollup(database.dsl(), clock),
                    new MoneyRollup(database.dsl()),
                    clock,
                    config.statsRollupInterval(),
                    registry);
            return new ApiApp(config, database, javalin, maintenance, clickRollup);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Listens on the configured port (0 picks a free one, see {@link #port()}) and starts the jobs. */
    public ApiApp start() {
        javalin.start(config.port());
        maintenance.start();
        clickRollup.start();
        return this;
    }

    public int port() {
        return javalin.port();
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        javalin.stop();
        maintenance.close();
        clickRollup.close();
        database.close();
    }

    // Hand-written, so it says what the api promises rather than what a generator inferred; the
    // servers entry is filled in from PUBLIC_API_URL so "try it" tools call the right host.
    private static byte[] openApiDocument(String publicApiUrl) {
        try (InputStream in = ApiApp.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the jar");
            }
            ObjectNode document = (ObjectNode) Json.MAPPER.readTree(in);
            document.putArray("servers").addObject().put("url", publicApiUrl);
            return Json.MAPPER.writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + OPENAPI_RESOURCE, e);
        }
    }
}
