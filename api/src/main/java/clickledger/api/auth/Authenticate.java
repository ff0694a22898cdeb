package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.Header;

/**
 * A before-handler for /v1: turns the {@code Authorization} header into a {@link Principal} (a
 * key or a session) and attaches it to the request. It never refuses anything itself: whether a
 * route needs a principal at all is {@link RouteAccess}'s call, made once the route is known,
 * because a before-handler sees only the path and the public routes are named by template.
 */
public final class Authenticate implements Handler {
    private final ApiKeyAuthenticator authenticator;

    public Authenticate(ApiKeyAuthenticator authenticator) {
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    @Override
    public void handle(Context ctx) {
        String header = ctx.header(Header.AUTHORIZATION);
        if (header == null) {
            return;
        }
        authenticator.authenticate(header).ifPresent(principal -> ctx.attribute(Principal.ATTRIBUTE, principal));
    }
}
