package clickledger.api;

import static java.util.Objects.requireNonNull;

import clickledger.api.admin.AdminRoutes;
import clickledger.api.admin.AdminService;
import clickledger.api.audit.AuditLogRoutes;
import clickledger.api.auth.ApiKeyAuthenticator;
import clickledger.api.auth.ApiKeyFormat;
import clickledger.api.auth.ApiKeyRepository;
import clickledger.api.auth.ApiKeyRoutes;
import clickledger.api.auth.ApiKeyService;
import clickledger.api.auth.Authenticate;
import clickledger.api.auth.KeyUsage;
import clickledger.api.auth.RouteAccess;
import clickledger.api.auth.Sessions;
import clickledger.api.click.ClickRepository;
import clickledger.api.click.ClickRoutes;
import clickledger.api.commission.AutoApprovalJob;
import clickledger.api.commission.CommissionRoutes;
import clickledger.api.commission.CommissionService;
import clickledger.api.compat.OpenPartnerRoutes;
import clickledger.api.docs.ApiDocs;
import clickledger.api.event.EventService;
import clickledger.api.event.SdkRoutes;
import clickledger.api.http.ClientAddress;
import clickledger.api.http.Cors;
import clickledger.api.identity.IdentifyService;
import clickledger.api.install.InstallRoutes;
import clickledger.api.install.InstallService;
import clickledger.api.link.LinkRoutes;
import clickledger.api.link.LinkService;
import clickledger.api.link.RandomSlugs;
import clickledger.api.maintenance.PartitionMaintenanceJob;
import clickledger.api.me.MeRoutes;
import clickledger.api.partner.MembershipRoutes;
import clickledger.api.partner.PartnerRoutes;
import clickledger.api.partner.PartnerService;
import clickledger.api.payout.PayoutDetailsLookup;
import clickledger.api.payout.PayoutExport;
import clickledger.api.payout.PayoutPaidListener;
import clickledger.api.payout.PayoutRoutes;
import clickledger.api.payout.PayoutService;
import clickledger.api.person.InvitationService;
import clickledger.api.person.PasswordHasher;
import clickledger.api.person.SessionRoutes;
import clickledger.api.person.SignInLimits;
import clickledger.api.person.SignInService;
import clickledger.api.program.ProgramRoutes;
import clickledger.api.program.ProgramService;
import clickledger.api.rederive.RederiveRoutes;
import clickledger.api.rederive.RederiveService;
import clickledger.api.stats.ClickRollup;
import clickledger.api.stats.ClickRollupJob;
import clickledger.api.stats.LiveClicks;
import clickledger.api.stats.LiveStatsRoutes;
import clickledger.api.stats.MoneyRollup;
import clickledger.api.stats.StatsRoutes;
import clickledger.api.stats.StatsService;
import clickledger.api.webhook.LedgerWebhooks;
import clickledger.api.webhook.Webhooks;
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
import java.util.List;

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
    private final AutoApprovalJob approval;
    private final KeyUsage keyUsage;
    private final Webhooks webhooks;
    private final ClickRollupJob clickRollup;

    private ApiApp(
            ApiConfig config,
            Database database,
            Javalin javalin,
            PartitionMaintenanceJob maintenance,
            AutoApprovalJob approval,
            KeyUsage keyUsage,
            Webhooks webhooks,
            ClickRollupJob clickRollup) {
        this.config = config;
        this.database = database;
        this.javalin = javalin;
        this.maintenance = maintenance;
        this.approval = approval;
        this.keyUsage = keyUsage;
        this.webhooks = webhooks;
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
            byte[] openApi = openApiDocument(config.publicApiUrl());
            KeyUsage keyUsage = new KeyUsage(database.dsl(), clock);
            Sessions sessions =
                    new Sessions(database.dsl(), clock, config.people().sessions());
            ApiKeyAuthenticator authenticator = new ApiKeyAuthenticator(
                    config.adminApiKey().reveal(), new ApiKeyRepository(database.dsl()), keyUsage, sessions);
            PasswordHasher passwords = new PasswordHasher(PasswordHasher.Cost.OWASP);
            ClientAddress clients = new ClientAddress(config.trustedProxies());
            ProgramService programs = new ProgramService(database.dsl(), clock);
            Cors cors = new Cors(config.corsAllowedOrigins());
            Webhooks webhooks = Webhooks.create(database.dsl(), clock, config.webhooks(), config.secrets(), registry);
            PartnerService partners = new PartnerService(database.dsl(), clock, webhooks.outbox());
            LinkService links = new LinkService(
                    database.dsl(), clock, new RandomSlugs(), webhooks.outbox(), config.publicRouterUrl());
            LedgerWebhooks ledgerWebhooks = new LedgerWebhooks(webhooks.outbox(), clock);
            EventService.EventListener eventListener = ledgerWebhooks;
            CommissionService.CommissionListener commissionListener = ledgerWebhooks;
            IdentifyService identify = new IdentifyService(database.dsl(), clock, eventListener);
            EventService events = new EventService(database.dsl(), clock, eventListener);
            AutoApprovalJob approval =
                    new AutoApprovalJob(database.dsl(), clock, config.commissionApprovalInterval(), commissionListener);
            Javalin javalin = WebApp.create(SERVICE, registry, database::ping, MAX_BODY_BYTES, routes -> {
                routes.get("/openapi.json", ctx -> ctx.contentType("application/json")
                        .result(openApi));
                new ApiDocs(config.publicApiUrl()).register(routes);
                // Before the key filter: a browser's preflight carries no key and is answered by Cors alone.
                routes.before(cors);
                // Who is calling (a key, a session, or nobody); RouteAccess then decides, by the
                // matched route, whether that may reach it: public routes, 401, 403 or through.
                routes.before("/v1/*", new Authenticate(authenticator));
                routes.beforeMatched("/v1/*", new RouteAccess());
                new InstallRoutes(new InstallService(database.dsl(), clock, passwords, sessions, programs))
                        .register(routes);
                new SessionRoutes(
                                new SignInService(database.dsl(), clock, passwords, sessions),
                                new SignInLimits(clock, config.people(), clients))
                        .register(routes);
                new AdminRoutes(
                                new AdminService(database.dsl(), clock, sessions),
                                new InvitationService(
                                        database.dsl(),
                                        clock,
                                        passwords,
                                        sessions,
                                        config.people().portalUrl()))
                        .register(routes);
                new AuditLogRoutes(database.dsl()).register(routes);
                new ProgramRoutes(programs).register(routes);
                new PartnerRoutes(partners).register(routes);
                new LinkRoutes(links, config.publicRouterUrl()).register(routes);
                webhooks.register(routes);
                new ClickRoutes(new ClickRepository(database.dsl())).register(routes);
                new MembershipRoutes(database.dsl(), clock).register(routes);
                new SdkRoutes(identify, events).register(routes);
                OpenPartnerRoutes.create(config, identify, events, authenticator, cors, database.dsl(), clock)
                        .register(routes);
                new CommissionRoutes(new CommissionService(database.dsl(), clock, commissionListener)).register(routes);
                PayoutService payouts = new PayoutService(
                        database.dsl(), clock, webhooks.outbox(), commissionListener, PayoutPaidListener.NONE);
                new PayoutRoutes(payouts, new PayoutExport(payouts, PayoutDetailsLookup.NONE), programs, database.dsl())
                        .register(routes);
                new RederiveRoutes(new RederiveService(database.dsl(), clock), clock).register(routes);
                new ApiKeyRoutes(new ApiKeyService(database.dsl(), clock, new ApiKeyFormat(), authenticator, keyUsage))
                        .register(routes);
                new MeRoutes(database.dsl(), partners, links, config.publicRouterUrl()).register(routes);
                new StatsRoutes(new StatsService(database.readDsl(), clock)).register(routes);
                new LiveStatsRoutes(new LiveClicks(database.readDsl(), clock, config.liveStatsInterval()))
                        .register(routes);
            });
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
            return new ApiApp(config, database, javalin, maintenance, approval, keyUsage, webhooks, clickRollup);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Listens on the configured port (0 picks a free one, see {@link #port()}) and starts the jobs. */
    public ApiApp start() {
        javalin.start(config.port());
        maintenance.start();
        approval.start();
        keyUsage.start();
        webhooks.start();
        clickRollup.start();
        return this;
    }

    public int port() {
        return javalin.port();
    }

    public Database database() {
        return database;
    }

    public AutoApprovalJob approval() {
        return approval;
    }

    /**
     * Every endpoint the app serves, as {@code "GET /v1/programs/{id}"}: OpenApiContractTest holds
     * them against /openapi.json, so a route cannot be added without its documentation.
     */
    public List<String> endpoints() {
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
                .toList();
    }

    /** API key last-use tracking; tests flush it instead of waiting for the interval. */
    public KeyUsage keyUsage() {
        return keyUsage;
    }

    @Override
    public void close() {
        javalin.stop();
        webhooks.close();
        maintenance.close();
        approval.close();
        // After the server stopped taking requests, so the final flush has every use.
        keyUsage.close();
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
