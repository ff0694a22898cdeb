package clickledger.portal.web;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Session;
import clickledger.web.WebApp;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import org.slf4j.MDC;

/**
 * Runs before every matched route: who is asking, and may they. Deny by default, like the api's
 * route table: a route needs a signed-in admin unless its template is listed as public here, so a
 * page added anywhere is private until someone decides otherwise.
 *
 * <ul>
 *   <li>Without a valid session a page redirects to sign-in (htmx requests get {@code HX-Redirect},
 *       the live counter's event stream a 401, which stops the browser's reconnects).
 *   <li>Every POST needs the CSRF token of the browser's own secret ({@link Csrf}); a cross-site
 *       {@code Origin} is refused as well.
 *   <li>A partner session reaches only {@code /partner/…}; an admin session never reaches it.
 * </ul>
 */
public final class Guard implements Handler {
    /**
     * Routes that answer without a viewer or a cookie: probes, metrics, static files, and program
     * logos, which partners' pages and mails show to people with no admin session.
     */
    static final Set<String> OPEN = Set.of("/healthz", "/readyz", "/metrics", BrandRoutes.LOGO);

    static final String ASSETS = "/assets/";

    /**
     * Pages for people who are not signed in; their forms use the pre-session CSRF secret. Those
     * with a token in the path are the links of mail: the token, not a session, says who may act.
     */
    static final Set<String> ANONYMOUS = Set.of(
            "/sign-in",
            "/install",
            "/invitations/admin/{token}",
            "/invitations/partner/{token}",
            "/apply/{programSlug}",
            "/apply/{programSlug}/thanks",
            "/forgot-password",
            "/forgot-password/sent",
            "/reset-password/{token}",
            "/confirm-email/{token}");

    public static final String SIGN_IN = "/sign-in";
    public static final String PARTNER_ROOT = "/partner";

    private final Cookies cookies;
    private final SessionCache sessions;
    private final URI portalUrl;
    private final Pages pages;

    public Guard(Cookies cookies, SessionCache sessions, URI portalUrl, Pages pages) {
        this.cookies = requireNonNull(cookies, "cookies is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.portalUrl = requireNonNull(portalUrl, "portalUrl is null");
        this.pages = requireNonNull(pages, "pages is null");
    }

    @Override
    public void handle(Context ctx) {
        String template = WebApp.routeTemplate(ctx);
        if (template == null || OPEN.contains(template) || template.startsWith(ASSETS)) {
            return;
        }
        Locale locale = Format.localeOf(ctx.header("Accept-Language"));
        Caller anonymous = Caller.anonymous(forwardedFor(ctx), ctx.userAgent(), MDC.get(RequestIds.MDC_KEY));
        Viewer viewer;
        String secret;
        if (ANONYMOUS.contains(template)) {
            secret = cookies.ensurePresession(ctx);
            viewer = new Viewer(anonymous, null, Csrf.tokenFor(secret), locale);
        } else {
            secret = cookies.session(ctx);
            if (secret == null) {
                toSignIn(ctx);
                return;
            }
            Caller caller = anonymous.withToken(secret);
            Session.Me me;
            try {
                me = sessions.resolve(caller);
            } catch (ApiProblem e) {
                if (!e.unauthorized()) {
                    throw e;
                }
                cookies.clearSession(ctx);
                toSignIn(ctx);
                return;
            }
            viewer = new Viewer(caller, me, Csrf.tokenFor(secret), locale);
            if (!allowed(me, template)) {
                ctx.attribute(Viewer.ATTRIBUTE, viewer);
                if (template.equals("/") && ctx.method() == HandlerType.GET) {
                    // The portal's address alone, or its logo, leads a partner to their own dashboard.
                    ctx.skipRemainingHandlers();
                    ctx.redirect(viewer.home(), HttpStatus.SEE_OTHER);
                    return;
                }
                refuse(
                        ctx,
                        HttpStatus.FORBIDDEN,
                        "Not for this account",
                        me.admin()
                                ? "This page belongs to the partner portal, for partners signed in with their own account."
                                : "This page is for the program's admins.");
                return;
            }
        }
        ctx.attribute(Viewer.ATTRIBUTE, viewer);
        if (unsafe(ctx.method()) && !(sameOrigin(ctx) && Csrf.matches(secret, presentedToken(ctx)))) {
            refuse(
                    ctx,
                    HttpStatus.FORBIDDEN,
                    "This form has expired",
                    "The form was open for too long, or was sent from another site. Go back, reload the page and try again.");
        }
    }

    /** Admins reach everything but the partner portal; partners only their own part (and signing out). */
    static boolean allowed(Session.Me me, String template) {
        boolean partnerPage = template.equals(PARTNER_ROOT) || template.startsWith(PARTNER_ROOT + "/");
        if (me.admin()) {
            return !partnerPage;
        }
        // A role this portal does not know reaches nothing but the way out.
        return template.equals("/sign-out") || (me.partner() && partnerPage);
    }

    private void toSignIn(Context ctx) {
        ctx.skipRemainingHandlers();
        if ("true".equals(ctx.header("HX-Request"))) {
            ctx.header("HX-Redirect", SIGN_IN);
            ctx.status(HttpStatus.UNAUTHORIZED);
            return;
        }
        String accept = ctx.header("Accept");
        if (accept != null && accept.contains("text/event-stream")) {
            ctx.status(HttpStatus.UNAUTHORIZED);
            return;
        }
        String location = SIGN_IN;
        if (ctx.method() == HandlerType.GET) {
            String query = ctx.queryString();
            String next = ctx.path() + (query == null ? "" : "?" + query);
            if (!next.equals("/")) {
                location += "?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
            }
        }
        ctx.redirect(location, HttpStatus.SEE_OTHER);
    }

    private void refuse(Context ctx, HttpStatus status, String heading, String message) {
        ctx.skipRemainingHandlers();
        ErrorPages.render(pages, ctx, status.getCode(), heading, message);
    }

    private static boolean unsafe(HandlerType method) {
        return method != HandlerType.GET && method != HandlerType.HEAD && method != HandlerType.OPTIONS;
    }

    private static String presentedToken(Context ctx) {
        String header = ctx.header(Csrf.HEADER);
        if (header != null) {
            return header;
        }
        String contentType = ctx.contentType();
        if (contentType != null
                && (contentType.startsWith("application/x-www-form-urlencoded")
                        || contentType.startsWith("multipart/form-data"))) {
            return ctx.formParam(Csrf.FIELD);
        }
        return null;
    }

    /**
     * A browser names the page a POST came from in {@code Origin}; when it does, it must be this
     * portal (as PORTAL_URL names it, or as the request's own Host does, for a portal reached by
     * another name on a developer's machine). Absent Origin is left to the token.
     */
    private boolean sameOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return true;
        }
        if (origin.equalsIgnoreCase(origin(portalUrl))) {
            return true;
        }
        String host = ctx.header("Host");
        try {
            URI originUri = URI.create(origin);
            return host != null
                    && originUri.getRawAuthority() != null
                    && originUri.getRawAuthority().equalsIgnoreCase(host);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    private static String origin(URI url) {
        return url.getScheme() + "://" + url.getRawAuthority();
    }

    /** Characters of an inbound X-Forwarded-For chain passed on at most (its right-most entries). */
    static final int FORWARDED_FOR_MAX = 1024;

    /**
     * The chain the api should see: what reached the portal plus the portal's own peer, as a proxy
     * writes it. The api believes it only when the portal is in its TRUSTED_PROXIES. Every
     * X-Forwarded-For line counts, in order, as one list: a proxy that appends its own line
     * (HAProxy, some CDNs) puts the address it saw after whatever the client wrote in its own, and
     * the api reads the chain from the right, so a client's line must not be all that is passed
     * on. An overlong chain keeps its right-most entries, which are the ones the api reads.
     */
    static String forwardedFor(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        StringBuilder chain = new StringBuilder();
        for (String line : Collections.list(ctx.req().getHeaders("X-Forwarded-For"))) {
            if (!line.isBlank()) {
                chain.append(chain.isEmpty() ? "" : ", ").append(line.strip());
            }
        }
        String inbound = chain.toString();
        if (inbound.length() > FORWARDED_FOR_MAX) {
            String tail = inbound.substring(inbound.length() - FORWARDED_FOR_MAX);
            int comma = tail.indexOf(',');
            inbound = comma < 0 ? "" : tail.substring(comma + 1).strip();
        }
        return inbound.isEmpty() ? peer : inbound + ", " + peer;
    }
}
