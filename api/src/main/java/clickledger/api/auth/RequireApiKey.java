package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.Header;
import java.util.function.Predicate;

/**
 * A before-handler for /v1: a request without a valid key stops here with a 401 problem, except on
 * the paths that prove their caller another way (Stripe's webhook, by its signature), which a
 * before-handler, running before the route is matched, can only tell by the path.
 */
public final class RequireApiKey implements Handler {
    private final ApiKeyAuthenticator authenticator;
    private final Predicate<String> keyless;

    public RequireApiKey(ApiKeyAuthenticator authenticator) {
        this(authenticator, path -> false);
    }

    /** @param keyless paths whose handler authenticates the request itself */
    public RequireApiKey(ApiKeyAuthenticator authenticator, Predicate<String> keyless) {
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.keyless = requireNonNull(keyless, "keyless is null");
    }

    @Override
    public void handle(Context ctx) {
        if (keyless.test(ctx.path())) {
            return;
        }
        Principal principal =
                authenticator.authenticate(ctx.header(Header.AUTHORIZATION)).orElse(null);
        if (principal == null) {
            ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"clickledger\"");
            throw ApiException.unauthorized();
        }
        ctx.attribute(Principal.ATTRIBUTE, principal);
    }
}
