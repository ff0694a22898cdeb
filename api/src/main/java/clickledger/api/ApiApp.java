package clickledger.api;

import static java.util.Objects.requireNonNull;

import clickledger.api.admin.AdminRoutes;
import clickledger.api.admin.AdminService;
import clickledger.api.attribution.ProgramLocks;
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
import clickledger.api.branding.LogoRoutes;
import clickledger.api.branding.ProgramLogos;
import clickledger.api.click.ClickRepository;
import clickledger.api.click.ClickRoutes;
import clickledger.api.commission.AutoApprovalJob;
import clickledger.api.commission.CommissionRoutes;
import clickledger.api.commission.CommissionService;
import clickledger.api.compat.OpenPartnerRoutes;
import clickledger.api.docs.ApiDocs;
import clickledger.api.domain.DomainRoutes;
import clickledger.api.domain.DomainService;
import clickledger.api.event.EventBatch;
import clickledger.api.event.EventBatchRoutes;
import clickledger.api.event.EventGroupCommit;
import clickledger.api.event.EventRecorder;
import clickledger.api.event.EventService;
import clickledger.api.event.SdkRoutes;
import clickledger.api.http.ClientAddress;
import clickledger.api.http.Cors;
import clickledger.api.http.RequestLimits;
import clickledger.api.identity.IdentifyService;
import clickledger.api.install.InstallRoutes;
import clickledger.api.install.InstallService;
import clickledger.api.link.LinkRoutes;
import clickledger.api.link.LinkService;
import clickledger.api.link.RandomSlugs;
import clickledger.api.mail.Mail;
import clickledger.api.mail.Mailer;
import clickledger.api.maintenance.OutboxRetention;
import clickledger.api.maintenance.PartitionArchive;
import clickledger.api.maintenance.PartitionMaintenanceJob;
import clickledger.api.maintenance.PartitionMetrics;
import clickledger.api.me.MeRoutes;
import clickledger.api.onboarding.ApplicationRoutes;
import clickledger.api.onboarding.Applications;
import clickledger.api.onboarding.PartnerInvitationRoutes;
import clickledger.api.onboarding.PartnerInvitations;
import clickledger.api.onboarding.PartnerOnboarding;
import clickledger.api.partner.MembershipRoutes;
import clickledger.api.partner.PartnerRoutes;
import clickledger.api.partner.PartnerService;
import clickledger.api.payout.PayoutDetailsLookup;
import clickledger.api.payout.PayoutDetailsService;
import clickledger.api.payout.PayoutExport;
import clickledger.api.payout.PayoutPaidListener;
import clickledger.api.payout.PayoutRoutes;
import clickledger.api.payout.PayoutService;
import clickledger.api.payout.SealedPayoutDetails;
import clickledger.api.person.AccountLinkRoutes;
import clickledger.api.person.EmailChangeService;
import clickledger.api.person.InvitationService;
import clickledger.api.person.PasswordHasher;
import clickledger.api.person.PasswordResetService;
import clickledger.api.person.SessionRoutes;
import clickledger.api.person.SignInLimits;
import clickledger.api.person.SignInService;
import clickledger.api.privacy.ErasureRoutes;
import clickledger.api.privacy.ErasureService;
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
import clickledger.api.storage.FsStorage;
import clickledger.api.storage.Storage;
import clickledger.api.stripe.StripeRoutes;
import clickledger.api.stripe.StripeService;
import clickledger.api.transfer.ExportRoutes;
import clickledger.api.transfer.Transfer;
import clickledger.api.webhook.LedgerWebhooks;
import clickledger.api.webhook.Webhooks;
import clickledger.common.metrics.Metrics;
import clickledger.db.DataSources;
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
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

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
    private final OutboxRetention retention;
    private final AutoApprovalJob approval;
    private final KeyUsage keyUsage;
    private final Webhooks webhooks;
    private final ClickRollupJob clickRollup;
    private final Storage storage;
    private final Mail mail;
    private final Optional<EventGroupCommit> eventGroupCommit;
    private final IdentifyService identify;

    private ApiApp(
            ApiConfig config,
            Database database,
            Javalin javalin,
            PartitionMaintenanceJob maintenance,
            OutboxRetention retention,
            AutoApprovalJob approval,
            KeyUsage keyUsage,
            Webhooks webhooks,
            ClickRollupJob clickRollup,
            Storage storage,
            Mail mail,
            Optional<EventGroupCommit> eventGroupCommit,
            IdentifyService identify) {
        this.config = config;
        this.database = database;
        this.javalin = javalin;
        this.maintenance = maintenance;
        this.retention = retention;
        this.approval = approval;
        this.keyUsage = keyUsage;
        this.webhooks = webhooks;
        this.clickRollup = clickRollup;
        this.storage = storage;
        this.mail = mail;
        this.eventGroupCommit = eventGroupCommit;
        this.identify = identify;
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
        Storage storage;
        try {
            storage = Storage.open(config.storage());
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
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
            Mail mail = Mail.create(
                    database.dsl(),
                    clock,
                    config.mail(),
                    config.secrets(),
                    config.people().portalUrl(),
                    registry);
            Webhooks webhooks = Webhooks.create(
                    database.dsl(),
                    clock,
                    config.webhooks(),
                    config.secrets(),
                    (trx, endpointId, url, reason) ->
                            mail.mailer().webhookDisabled(trx, endpointId.toString(), url, reason),
                    registry);
            PartnerService partners =
                    new PartnerService(database.dsl(), clock, webhooks.outbox(), sessions, authenticator);
            InvitationService invitations =
                    new InvitationService(database.dsl(), clock, passwords, sessions, mail.mailer());
            PartnerOnboarding onboarding = new PartnerOnboarding(partners, invitations);
            SignInService signIn = new SignInService(database.dsl(), clock, passwords, sessions);
            SignInLimits signInLimits = new SignInLimits(clock, config.people(), clients);
            EmailChangeService emailChanges = new EmailChangeService(database.dsl(), clock, passwords, mail.mailer());
            StatsService stats = new StatsService(database.readDsl(), clock);
            LinkService links = new LinkService(
                    database.dsl(), clock, new RandomSlugs(), webhooks.outbox(), config.publicRouterUrl());
            LedgerWebhooks ledgerWebhooks = new LedgerWebhooks(webhooks.outbox(), clock);
            EventService.EventListener eventListener = ledgerWebhooks;
            // Every status change of commissions queues its webhooks and, for approvals, notes them
            // for the partner's daily mail, in the change's transaction.
            CommissionService.CommissionListener commissionListener = (trx, event, rows) -> {
                ledgerWebhooks.changed(trx, event, rows);
                mail.digest().changed(trx, event, rows);
            };
            // A request that meets a re-derivation of its program waits for it in one of a few turns
            // (decision 0036), never on more of the pool's connections.
            ProgramLocks programLocks = new ProgramLocks(registry);
            // Group commit (decision 0031): many requests' stitches in one transaction.
            IdentifyService identify = config.identifyGroupCommit()
                    ? IdentifyService.grouped(database.dsl(), clock, eventListener, programLocks, registry)
                    : new IdentifyService(database.dsl(), clock, eventListener, programLocks);
            EventService events = new EventService(database.dsl(), clock, eventListener, programLocks);
            EventBatch eventBatch = new EventBatch(database.dsl(), clock, eventListener, events);
            // POST /v1/events: concurrent events share a transaction (decision 0030), unless switched off.
            Optional<EventGroupCommit> eventGroupCommit =
                    config.eventGroupCommit().enabled()
                            ? Optional.of(new EventGroupCommit(eventBatch, config.eventGroupCommit(), registry))
                            : Optional.empty();
            EventRecorder eventRecorder =
                    eventGroupCommit.<EventRecorder>map(group -> group).orElse(events);
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
                // First of the routes: Javalin finds a request's route by trying every route of its
                // method in the order they were added, each by a regular expression unless its path
                // is the request's, so the SDK's two hot routes, added after most others, cost a
                // regex per earlier POST route on every event and identify (decision 0028, session
                // 26). Their paths are literal, so they shadow no route added after them.
                new SdkRoutes(identify, eventRecorder).register(routes);
                new EventBatchRoutes(eventBatch).register(routes);
                new InstallRoutes(new InstallService(database.dsl(), clock, passwords, sessions, programs))
                        .register(routes);
                new SessionRoutes(signIn, signInLimits).register(routes);
                new AdminRoutes(new AdminService(database.dsl(), clock, sessions), invitations).register(routes);
                new PartnerInvitationRoutes(
                                new PartnerInvitations(database.dsl(), clock, onboarding, invitations, mail.mailer()))
                        .register(routes);
                new ApplicationRoutes(
                                new Applications(database.dsl(), clock, onboarding, mail.mailer()),
                                new RequestLimits(
                                        clock, clients, config.people().applicationsPerHour(), "applications"))
                        .register(routes);
                new AccountLinkRoutes(
                                new PasswordResetService(database.dsl(), clock, passwords, sessions, mail.mailer()),
                                emailChanges,
                                new RequestLimits(
                                        clock,
                                        clients,
                                        config.people().passwordResetsPerHour(),
                                        "password reset requests"))
                        .register(routes);
                new AuditLogRoutes(database.dsl()).register(routes);
                new ProgramRoutes(programs).register(routes);
                new LogoRoutes(new ProgramLogos(database.dsl(), storage, clock)).register(routes);
                new PartnerRoutes(partners).register(routes);
                new LinkRoutes(links, config.publicRouterUrl()).register(routes);
                new DomainRoutes(new DomainService(database.dsl(), clock, config.publicRouterUrl())).register(routes);
                webhooks.register(routes);
                mail.register(routes);
                new ClickRoutes(new ClickRepository(database.dsl())).register(routes);
                new MembershipRoutes(database.dsl(), clock).register(routes);
                OpenPartnerRoutes.create(config, identify, events, authenticator, cors, database.dsl(), clock)
                        .register(routes);
                new CommissionRoutes(new CommissionService(database.dsl(), clock, commissionListener)).register(routes);
                // Mark-paid queues the partner's "payout paid" mail in its transaction; exports open
                // the partners' sealed payout details (issue 15's payout_details).
                PayoutPaidListener payoutMail = (trx, payout) -> mail.mailer()
                        .payoutPaid(
                                trx,
                                new Mailer.PayoutPaid(
                                        payout.id().value(),
                                        payout.partnerId().value(),
                                        payout.programId().value(),
                                        payout.amount().minor(),
                                        payout.amount().currency().getCurrencyCode(),
                                        payout.commissionCount(),
                                        payout.method(),
                                        payout.reference(),
                                        payout.paidAt()));
                PayoutService payouts =
                        new PayoutService(database.dsl(), clock, webhooks.outbox(), commissionListener, payoutMail);
                PayoutDetailsLookup payoutDetails = new SealedPayoutDetails(database.dsl(), config.secrets());
                new PayoutRoutes(payouts, new PayoutExport(payouts, payoutDetails), programs, database.dsl())
                        .register(routes);
                new RederiveRoutes(new RederiveService(database.dsl(), clock), clock).register(routes);
                new ApiKeyRoutes(new ApiKeyService(database.dsl(), clock, new ApiKeyFormat(), authenticator, keyUsage))
                        .register(routes);
                new MeRoutes(
                                database.dsl(),
                                clock,
                                partners,
                                links,
                                config.publicRouterUrl(),
                                stats,
                                new PayoutDetailsService(database.dsl(), clock, config.secrets(), mail.mailer()),
                                emailChanges,
                                signIn,
                                signInLimits)
                        .register(routes);
                new StatsRoutes(stats).register(routes);
                new LiveStatsRoutes(new LiveClicks(database.readDsl(), clock, config.liveStatsInterval()))
                        .register(routes);
                new StripeRoutes(new StripeService(
                                database.dsl(),
                                clock,
                                config.secrets(),
                                eventListener,
                                config.publicApiUrl(),
                                config.compatDefaultProgram(),
                                registry))
                        .register(routes);
                new ErasureRoutes(new ErasureService(database.dsl(), clock, programLocks), database.dsl())
                        .register(routes);
                new ExportRoutes(Transfer.create(database, Optional.of(config.secrets()), storage, clock), clock)
                        .register(routes);
            });
            PartitionMaintenanceJob maintenance = new PartitionMaintenanceJob(
                    new PartitionMaintenance(
                            database.dsl(), clock, Database.PARTITION_MONTHS_AHEAD, config.clickRetentionMonths()),
                    PartitionMaintenanceJob.DAILY,
                    config.clickArchive()
                            ? Optional.of(new PartitionArchive(
                                    () -> DataSources.directConnection(
                                            database.config().direct(), "clickledger-click-archive"),
                                    storage,
                                    archiveStaging(storage)))
                            : Optional.empty(),
                    new PartitionMetrics(database.dsl(), clock, registry));
            ClickRollupJob clickRollup = new ClickRollupJob(
                    new ClickRollup(database.dsl(), clock),
                    new MoneyRollup(database.dsl()),
                    clock,
                    config.statsRollupInterval(),
                    registry);
            OutboxRetention retention = new OutboxRetention(database.dsl(), clock, config.retention(), registry);
            return new ApiApp(
                    config,
                    database,
                    javalin,
                    maintenance,
                    retention,
                    approval,
                    keyUsage,
                    webhooks,
                    clickRollup,
                    storage,
                    mail,
                    eventGroupCommit,
                    identify);
        } catch (RuntimeException e) {
            storage.close();
            database.close();
            throw e;
        }
    }

    /** Listens on the configured port (0 picks a free one, see {@link #port()}) and starts the jobs. */
    public ApiApp start() {
        javalin.start(config.port());
        maintenance.start();
        retention.start(OutboxRetention.HOURLY);
        approval.start();
        keyUsage.start();
        webhooks.start();
        mail.start();
        clickRollup.start();
        return this;
    }

    public int port() {
        return javalin.port();
    }

    public Database database() {
        return database;
    }

    // An archive is staged next to where it ends up when that is a directory (one filesystem, no
    // second copy across disks); for a bucket, in the temporary directory.
    private static Path archiveStaging(Storage storage) {
        return storage instanceof FsStorage fs
                ? fs.root().resolve(".staging")
                : Path.of(System.getProperty("java.io.tmpdir"), "clickledger-archive");
    }

    /** Where uploads and archives are kept (STORAGE_KIND). */
    public Storage storage() {
        return storage;
    }

    /** Click partition maintenance; tests run it instead of waiting a day. */
    public PartitionMaintenanceJob maintenance() {
        return maintenance;
    }

    public AutoApprovalJob approval() {
        return approval;
    }

    /** Mail: the mailer services queue with, and the daily digest tests run by hand. */
    public Mail mail() {
        return mail;
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

    /** The group commit of {@code POST /v1/events}, when EVENT_GROUP_COMMIT is on; tests stop it. */
    public Optional<EventGroupCommit> eventGroupCommit() {
        return eventGroupCommit;
    }

    /** {@code POST /v1/identify}'s service; tests close it to see a shutting-down api refuse stitches. */
    public IdentifyService identify() {
        return identify;
    }

    /** API key last-use tracking; tests flush it instead of waiting for the interval. */
    public KeyUsage keyUsage() {
        return keyUsage;
    }

    @Override
    public void close() {
        javalin.stop();
        // After the server stopped taking requests: its requests in flight were answered; the
        // events and stitches still queued are written.
        eventGroupCommit.ifPresent(EventGroupCommit::close);
        identify.close();
        webhooks.close();
        mail.close();
        maintenance.close();
        retention.close();
        approval.close();
        // After the server stopped taking requests, so the final flush has every use.
        keyUsage.close();
        clickRollup.close();
        storage.close();
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
