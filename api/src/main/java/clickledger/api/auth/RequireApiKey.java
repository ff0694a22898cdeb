package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.Header;

/** A before-handler for /v1: a request without a valid key stops here with a 401 problem. */
public final class RequireApiKey implements Handler {
    private final ApiKeyAuthenticator authenticator;

    public RequireApiKey(ApiKeyAuthenticator authenticator) {
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @Override
    public void handle(Context ctx) {
        Principal principal =
                authenticator.authenticate(ctx.header(Header.AUTHORIZATION)).orElse(null);
        if (principal == null) {
            ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"clickledger\"");
            throw ApiException.unauthorized();
        }
        ctx.attribute(Principal.ATTRIBUTE, principal);
    }
}
