package clickledger.api.auth;

import clickledger.web.ApiException;
import clickledger.web.WebApp;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.Header;
import java.util.Objects;
import java.util.Set;

/**
 * Which routes each principal may reach, checked once a request has matched a route and before
 * its handler runs. Deny by default: a route added anywhere in the api needs a key or a session,
 * and is admin-only until it is listed here, so a new route never opens to strangers, browsers,
 * partners or program keys by omission. A session has the powers of its role's key kind (an admin
 * session those of an admin key, a partner person's those of a partner key), decided by the same
 * table. Handlers still call {@link Access} for what a table cannot know, such as whose program a
 * link is in.
 */
public final class RouteAccess implements Handler {
    /**
     * The only /v1 routes that need neither key nor session: the install wizard, signing in, an
     * invitation's own link, the links mailed to people, and Stripe's webhook. Each answers only what its caller already holds
     * the secret for (a password, an invitation or reset token, the program's Stripe signing secret, which
     * the webhook checks against Stripe-Signature before reading the body), or, for the wizard,
     * whether it is still open. A program's logo is public too: it is what the program shows
     * partners, in pages and in mails whose image requests carry no key.
     */
    public static final Set<String> PUBLIC = Set.of(
            "GET /v1/install",
            "POST /v1/install",
            "POST /v1/sessions",
            "GET /v1/admin-invitations/{id}",
            "POST /v1/admin-invitations/accept",
            "POST /v1/programs/{id}/integrations/stripe/webhook",
            "GET /v1/programs/{id}/logo",
            // Issue 15: a partner's invitation link, the public application form, password resets
            // and email confirmations; each needs the secret it carries, or sends mail only to an
            // address that already has an account (and is rate-limited).
            "GET /v1/partner-invitations/{id}",
            "POST /v1/partner-invitations/accept",
            "GET /v1/apply/{slug}",
            "POST /v1/apply/{slug}",
            "POST /v1/password-resets",
            "GET /v1/password-resets/{id}",
            "POST /v1/password-resets/confirm",
            "GET /v1/email-changes/{id}",
            "POST /v1/email-changes/confirm");

    /**
     * Routes about the caller's own session and account, open to every principal; a key gets the
     * handler's 404 {@code no_session}, which says more than a 403 would.
     */
    public static final Set<String> ANY_PRINCIPAL =
            Set.of("GET /v1/sessions/current", "DELETE /v1/sessions/current", "POST /v1/account/password");

    /** Routes as "METHOD template", the template as registered ({@code /v1/links/{id}}). */
    static final Set<String> SECRET = Set.of(
            "POST /v1/identify",
            "POST /v1/events",
            "POST /v1/events/batch",
            "GET /v1/programs",
            "GET /v1/programs/{id}",
            "GET /v1/links",
            "GET /v1/links/{id}",
            "GET /v1/clicks/{cref}");

    static final Set<String> PUBLISHABLE = Set.of("POST /v1/identify");
    static final String PARTNER_ROOT = "/v1/me";

    @Override
    public void handle(Context ctx) {
        // The matched route's template; a request this filter sees without one (HEAD answered by a
        // GET route) is judged by the filter's own path, /v1/*, which only an admin may reach.
        String template = Objects.requireNonNullElse(WebApp.routeTemplate(ctx), ctx.endpoint().path);
        String route = ctx.method().name() + " " + template;
        if (PUBLIC.contains(route)) {
            return;
        }
        Principal principal = ctx.attribute(Principal.ATTRIBUTE);
        if (principal == null) {
            ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"clickledger\"");
            throw ApiException.unauthorized();
        }
        if (ANY_PRINCIPAL.contains(route)) {
            return;
        }
        boolean allowed =
                switch (principal.kind()) {
                    case ADMIN -> true;
                    case SECRET -> SECRET.contains(route);
                    case PUBLISHABLE -> PUBLISHABLE.contains(route);
                    case PARTNER -> isPartnerRoute(template);
                };
        if (!allowed) {
            throw ApiException.forbidden(
                    route + " needs " + needed(route, template) + "; the request used " + principal.describe());
        }
    }

    private static boolean isPartnerRoute(String template) {
        return template.equals(PARTNER_ROOT) || template.startsWith(PARTNER_ROOT + "/");
    }

    private static String needed(String route, String template) {
        if (isPartnerRoute(template)) {
            return "a partner key or a partner session";
        }
        if (PUBLISHABLE.contains(route)) {
            return "an admin, secret or publishable key";
        }
        if (SECRET.contains(route)) {
            return "an admin or secret key";
        }
        return "an admin key or an admin session";
    }
}
