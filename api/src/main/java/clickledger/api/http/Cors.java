package clickledger.api.http;

import clickledger.web.ApiException;
import clickledger.web.WebApp;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Set;

/**
 * Cross-origin access for the pages of CORS_ALLOWED_ORIGINS, such as a merchant's site running
 * OpenPartner's browser client. Registered before any auth filter: a preflight carries no key, so
 * it is answered here and goes no further.
 *
 * <p>The allowed origin is echoed exactly, never {@code *}, and {@code Access-Control-Allow-Credentials}
 * is never sent: the api authenticates by the Authorization header, not by cookie, so a browser
 * has no ambient credentials to send, and the browser client's fetch sends none.
 */
public final class Cors implements Handler {
    static final String ALLOWED_METHODS = "GET, POST, PATCH, DELETE";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-Id";
    static final String EXPOSED_HEADERS = "X-Request-Id, Retry-After";
    // How long a browser may reuse a preflight answer; Chromium caps it at two hours anyway, and
    // ten minutes lets a changed allow-list reach open tabs soon.
    static final String MAX_AGE_SECONDS = "600";

    private final Set<String> allowedOrigins;

    public Cors(List<String> allowedOrigins) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    public boolean allows(String origin) {
        return origin != null && allowedOrigins.contains(origin);
    }

    @Override
    public void handle(Context ctx) {
        // Every answer may differ by Origin (allowed or not), so shared caches must key on it.
        ctx.header("Vary", "Origin");
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        boolean allowed = allows(origin);
        if (allowed) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        }
        boolean preflight =
                HandlerType.OPTIONS.equals(ctx.method()) && ctx.header("Access-Control-Request-Method") != null;
        if (!preflight) {
            return;
        }
        ctx.skipRemainingHandlers();
        if (!allowed) {
            WebApp.problem(
                    ctx,
                    new ApiException(
                            403,
                            "origin_not_allowed",
                            "Forbidden",
                            "origin " + origin + " is not in CORS_ALLOWED_ORIGINS",
                            List.of()));
            return;
        }
        ctx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
        ctx.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        ctx.header("Access-Control-Max-Age", MAX_AGE_SECONDS);
        ctx.status(204);
    }
}
