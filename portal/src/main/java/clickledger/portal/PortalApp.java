package clickledger.portal;

import clickledger.portal.admin.AdminNav;
import clickledger.portal.admin.admins.AdminRoutes;
import clickledger.portal.admin.apikey.ApiKeyRoutes;
import clickledger.portal.admin.application.ApplicationRoutes;
import clickledger.portal.admin.audit.AuditRoutes;
import clickledger.portal.admin.commission.CommissionRoutes;
import clickledger.portal.admin.dashboard.DashboardRoutes;
import clickledger.portal.admin.dashboard.LiveCounters;
import clickledger.portal.admin.domain.DomainRoutes;
import clickledger.portal.admin.install.InstallRoutes;
import clickledger.portal.admin.link.LinkRoutes;
import clickledger.portal.admin.mail.MailRoutes;
import clickledger.portal.admin.partner.PartnerInvitationRoutes;
import clickledger.portal.admin.partner.PartnerRoutes;
import clickledger.portal.admin.payout.PayoutRoutes;
import clickledger.portal.admin.program.ProgramRoutes;
import clickledger.portal.admin.webhook.WebhookRoutes;
import clickledger.portal.api.Api;
import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.auth.EmailChangeRoutes;
import clickledger.portal.auth.PasswordResetRoutes;
import clickledger.portal.auth.SignInRoutes;
import clickledger.portal.partner.PartnerNav;
import clickledger.portal.partner.commission.PartnerCommissionRoutes;
import clickledger.portal.partner.dashboard.PartnerDashboardRoutes;
import clickledger.portal.partner.join.JoinRoutes;
import clickledger.portal.partner.link.PartnerLinkRoutes;
import clickledger.portal.partner.payout.PartnerPayoutRoutes;
import clickledger.portal.partner.profile.ProfileRoutes;
import clickledger.portal.web.Assets;
import clickledger.portal.web.BrandRoutes;
import clickledger.portal.web.Cookies;
import clickledger.portal.web.ErrorPages;
import clickledger.portal.web.Guard;
import clickledger.portal.web.Pages;
import clickledger.portal.web.SessionCache;
import clickledger.portal.web.Templates;
import clickledger.web.WebApp;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;

/**
 * Builds the portal from its dependencies; {@link Main} and the tests call this same factory. The
 * portal is a client of the api: every page is built from api calls made with the signed-in
 * person's session, and nothing here opens a database connection.
 */
public final class PortalApp {
    /** Forms are the largest bodies the portal will take; uploads get their own limit when they arrive. */
    static final long MAX_BODY_BYTES = 1024 * 1024;

    /**
     * Strict: nothing but this origin, no inline script or style (the templates have none), no
     * framing, forms only to the portal itself.
     */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    private PortalApp() {}

    public static Javalin create(PortalConfig config, PrometheusMeterRegistry registry, HttpClient httpClient) {
        Clock clock = Clock.systemUTC();
        Api api = Api.over(new ApiClient(httpClient, config.apiUrl()));
        Cookies cookies = new Cookies(config.portalUrl());
        Pages pages = new Pages(
                new Templates(), cookies, Map.of(AdminNav.ROLE, AdminNav.ITEMS, PartnerNav.ROLE, PartnerNav.ITEMS));
        SessionCache sessions = new SessionCache(api.sessions(), System::nanoTime);
        Guard guard = new Guard(cookies, sessions, config.portalUrl(), pages);
        LiveCounters live = new LiveCounters(api.stats(), config.liveInterval(), registry, System::nanoTime);
        Assets assets = new Assets();
        return WebApp.create("portal", registry, new ApiHealth(httpClient, config.apiUrl()), MAX_BODY_BYTES, routes -> {
            routes.before(PortalApp::securityHeaders);
            routes.beforeMatched(guard);
            routes.exception(ApiProblem.class, (e, ctx) -> ErrorPages.apiProblem(pages, e, ctx));
            routes.exception(Exception.class, (e, ctx) -> ErrorPages.unexpected(pages, e, ctx));
            // A person who mistypes a URL gets a page; a script (no text/html in Accept) keeps the
            // problem+json that WebApp writes for every service.
            routes.error(404, "text/html", ctx -> {
                if (WebApp.PROBLEM_JSON.equals(ctx.res().getContentType())) {
                    ErrorPages.render(pages, ctx, 404, "Not found", "There is no page at " + ctx.path() + ".");
                }
            });
            assets.register(routes);
            new BrandRoutes(api.programs()).register(routes);
            // Everyone: signing in, and the pages behind the links of mail (a token, not a session, says who).
            new SignInRoutes(pages, api.sessions(), api.install(), sessions, clock, PasswordResetRoutes.FORGOT)
                    .register(routes);
            new PasswordResetRoutes(pages, api.accountLinks(), clock).register(routes);
            new EmailChangeRoutes(pages, api.accountLinks()).register(routes);
            new JoinRoutes(pages, api.partnerInvitations(), api.applications(), clock).register(routes);
            // Admins.
            new InstallRoutes(pages, api.install(), clock).register(routes);
            new DashboardRoutes(pages, api, live, clock).register(routes);
            new ProgramRoutes(
                            pages,
                            api.programs(),
                            api.stripe(),
                            config.publicRouterUrl().toString())
                    .register(routes);
            // Before PartnerRoutes: /partners/invite is not a partner's id.
            new PartnerInvitationRoutes(pages, api).register(routes);
            new PartnerRoutes(pages, api).register(routes);
            new ApplicationRoutes(pages, api).register(routes);
            new MailRoutes(pages, api.mail()).register(routes);
            new LinkRoutes(pages, api, clock).register(routes);
            new DomainRoutes(pages, api).register(routes);
            new CommissionRoutes(pages, api).register(routes);
            new PayoutRoutes(pages, api).register(routes);
            new WebhookRoutes(pages, api.webhooks()).register(routes);
            new ApiKeyRoutes(pages, api).register(routes);
            new AuditRoutes(pages, api.audit(), api.admins()).register(routes);
            new AdminRoutes(pages, api.admins(), sessions, clock).register(routes);
            // Partners, under /partner only (the guard keeps each role on its side).
            new PartnerDashboardRoutes(pages, api.me(), clock).register(routes);
            new PartnerLinkRoutes(pages, api.me(), clock).register(routes);
            new PartnerCommissionRoutes(pages, api.me()).register(routes);
            new PartnerPayoutRoutes(pages, api.me()).register(routes);
            new ProfileRoutes(pages, api.me(), sessions).register(routes);
        });
    }

    private static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("X-Frame-Options", "DENY");
    }
}
