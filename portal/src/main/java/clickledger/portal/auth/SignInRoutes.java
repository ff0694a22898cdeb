package clickledger.portal.auth;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.InstallClient;
import clickledger.portal.api.Session;
import clickledger.portal.api.SessionsClient;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Guard;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.SessionCache;
import clickledger.portal.web.Viewer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Set;

/**
 * Sign in and sign out, for admins and partners alike (the api tells the role, and each lands in
 * their own part of the portal). The page offers "Forgot password?" when a reset page is given.
 */
public final class SignInRoutes {
    static final Set<String> FIELDS = Set.of("email", "password");

    /** The sign-in template's page. {@code forgotPasswordHref} is null until password reset exists. */
    public record SignInPage(Layout layout, String email, String next, FieldErrors errors, String forgotPasswordHref) {}

    private final Pages pages;
    private final SessionsClient sessions;
    private final InstallClient install;
    private final SessionCache cache;
    private final Clock clock;
    private final String forgotPasswordHref;

    public SignInRoutes(
            Pages pages,
            SessionsClient sessions,
            InstallClient install,
            SessionCache cache,
            Clock clock,
            String forgotPasswordHref) {
        this.pages = requireNonNull(pages, "pages is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.install = requireNonNull(install, "install is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.forgotPasswordHref = forgotPasswordHref;
    }

    public void register(RoutesConfig routes) {
        routes.get("/sign-in", this::show);
        routes.post("/sign-in", this::signIn);
        routes.post("/sign-out", this::signOut);
    }

    private void show(Context ctx) {
        if (pages.cookies().session(ctx) != null) {
            ctx.redirect(safeNext(ctx.queryParam("next")), io.javalin.http.HttpStatus.SEE_OTHER);
            return;
        }
        if (install.needed(Pages.caller(ctx))) {
            ctx.redirect("/install", io.javalin.http.HttpStatus.SEE_OTHER);
            return;
        }
        render(ctx, "", safeNext(ctx.queryParam("next")), FieldErrors.none(), 200);
    }

    private void signIn(Context ctx) {
        Form form = Form.of(ctx);
        String email = form.get("email");
        String next = safeNext(form.get("next"));
        Session session;
        try {
            session = sessions.signIn(Pages.caller(ctx), email, form.raw("password"));
        } catch (ApiProblem e) {
            if (e.status() == 401 || e.status() == 429 || e.status() == 400) {
                render(ctx, email, next, FieldErrors.from(e, FIELDS), e.status() == 429 ? 429 : 400);
                return;
            }
            throw e;
        }
        pages.cookies().setSession(ctx, session.token(), session.expiresAt(), clock.instant());
        pages.redirect(ctx, landing(session.principal(), next), null);
    }

    private void signOut(Context ctx) {
        Caller caller = Pages.caller(ctx);
        try {
            sessions.signOut(caller);
        } catch (ApiProblem e) {
            if (!e.unauthorized()) {
                throw e;
            }
        }
        cache.forget(caller.token());
        pages.cookies().clearSession(ctx);
        pages.redirect(ctx, "/sign-in", "You have signed out.");
    }

    private void render(Context ctx, String email, String next, FieldErrors errors, int status) {
        Layout layout = pages.layout(ctx, "Sign in", "sign-in");
        pages.render(ctx, status, "auth/sign-in.jte", new SignInPage(layout, email, next, errors, forgotPasswordHref));
    }

    /**
     * Where a person goes after signing in: {@code next} when it is in their part of the portal,
     * else their dashboard. A partner sent to sign in from an admin page (or from "/") lands on the
     * partner dashboard instead of a page that would refuse them, and an admin never lands in the
     * partner portal.
     */
    public static String landing(Session.Me me, String next) {
        String path = safeNext(next);
        boolean partnerPath = path.equals(Guard.PARTNER_ROOT)
                || path.startsWith(Guard.PARTNER_ROOT + "/")
                || path.startsWith(Guard.PARTNER_ROOT + "?");
        if (me.admin()) {
            return partnerPath ? Viewer.homeOf(me) : path;
        }
        return partnerPath ? path : Viewer.homeOf(me);
    }

    /**
     * Where to go after signing in: a path of this portal only. Anything else ({@code //evil.example},
     * {@code https://…}, a backslash trick, a header break) becomes the dashboard, so the sign-in
     * page can never be used as an open redirect.
     */
    public static String safeNext(String next) {
        if (next == null
                || next.isEmpty()
                || next.charAt(0) != '/'
                || next.startsWith("//")
                || next.startsWith("/\\")
                || next.length() > 2000) {
            return "/";
        }
        for (int i = 0; i < next.length(); i++) {
            char c = next.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                return "/";
            }
        }
        return next;
    }
}
