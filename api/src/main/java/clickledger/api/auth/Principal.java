package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import io.javalin.http.Context;

/**
 * Who is calling. Today only the bootstrap admin key from the environment exists; api_key rows
 * (secret, publishable, partner keys) will add kinds here.
 *
 * @param actor how the audit log names the caller, never the key itself
 */
public record Principal(Kind kind, String actor) {
    public enum Kind {
        ADMIN
    }

    static final String ATTRIBUTE = "clickledger.principal";

    public Principal {
        requireNonNull(kind, "kind is null");
        requireNonNull(actor, "actor is null");
    }

    /** The principal {@link RequireApiKey} attached to this request. */
    public static Principal of(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            // Only reachable if a /v1 route were registered outside the auth filter.
            throw ApiException.unauthorized();
        }
        return principal;
    }
}
