package clickledger.api.auth;

import clickledger.web.ApiException;
import clickledger.web.WebApp;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Objects;
import java.util.Set;

/**
 * Which routes each kind of key may reach, checked once a request has matched a route and before
 * its handler runs. Deny by default: a route added anywhere in the api is admin-only until it is
 * listed here, so a new route never opens to browser, partner or program keys by omission. Handlers
 * still call {@link Access} for what a table cannot know, such as whose program a link is in.
 */
public final class RouteAccess implements Handler {
    /** Routes as "METHOD template", the template as registered ({@code /v1/links/{id}}). */
    static final Set<String> SECRET = Set.of(
            "POST /v1/identify",
            "POST /v1/events",
            "GET /v1/programs",
            "GET /v1/programs/{id}",
            "GET /v1/links",
            "GET /v1/links/{id}",
            "GET /v1/clicks/{cref}");

    static final Set<String> PUBLISHABLE = Set.of("POST /v1/identify");

    /**
     * Routes that take no key because their handler verifies the caller another way: Stripe's
     * webhook checks its Stripe-Signature against the program's secret. RequireApiKey lets the
     * same paths through.
     */
    static final Set<String> SIGNED = Set.of("POST /v1/programs/{id}/integrations/stripe/webhook");

    static final String PARTNER_ROOT = "/v1/me";

    @Override
    public void handle(Context ctx) {
        String signed = ctx.method().name() + " " + WebApp.routeTemplate(ctx);
        if (SIGNED.contains(signed) && ctx.attribute(Principal.ATTRIBUTE) == null) {
            return;
        }
        Principal principal = Principal.of(ctx);
        // The matched route's template; a request this filter sees without one (HEAD answered by a
        // GET route) is judged by the filter's own path, /v1/*, which only an admin key may reach.
        String template = Objects.requireNonNullElse(WebApp.routeTemplate(ctx), ctx.endpoint().path);
        String route = ctx.method().name() + " " + template;
        boolean allowed =
                switch (principal.kind()) {
                    case ADMIN -> true;
                    case SECRET -> SECRET.contains(route);
                    case PUBLISHABLE -> PUBLISHABLE.contains(route);
                    case PARTNER -> isPartnerRoute(template);
                };
        if (!allowed) {
            throw ApiException.forbidden(route + " needs " + needed(route, template) + "; the request used "
                    + principal.kind().withArticle());
        }
    }

    private static boolean isPartnerRoute(String template) {
        return template.equals(PARTNER_ROOT) || template.startsWith(PARTNER_ROOT + "/");
    }

    private static String needed(String route, String template) {
        if (isPartnerRoute(template)) {
            return "a partner key";
        }
        if (PUBLISHABLE.contains(route)) {
            return "an admin, secret or publishable key";
        }
        if (SECRET.contains(route)) {
            return "an admin or secret key";
        }
        return "an admin key";
    }
}
