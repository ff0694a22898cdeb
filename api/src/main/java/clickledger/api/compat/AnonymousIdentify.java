package clickledger.api.compat;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.ClientAddress;
import clickledger.api.http.Cors;
import clickledger.api.http.RateLimiter;
import clickledger.web.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.net.InetAddress;
import java.util.List;

/**
 * Whether an identify without a key may go ahead. OpenPartner's browser client sends none, so the
 * merchant can allow it (IDENTIFY_ALLOW_ANONYMOUS=true); it is off by default because anyone who
 * holds a cref could then bind it to a user id of their choosing. When on, calls from a browser
 * must come from a CORS_ALLOWED_ORIGINS page, and every client address gets a token bucket, which
 * bounds how fast one address can probe crefs or stitch them.
 */
final class AnonymousIdentify {
    // Only when the socket address is not an IP literal, which Jetty's TCP connector never does:
    // such callers then share one bucket rather than escape the limit.
    private static final InetAddress UNKNOWN_CLIENT = InetAddress.getLoopbackAddress();

    private final boolean allowed;
    private final RateLimiter limiter;
    private final ClientAddress clients;
    private final Cors cors;
    private final int perMinute;

    AnonymousIdentify(boolean allowed, RateLimiter limiter, int perMinute, ClientAddress clients, Cors cors) {
        this.allowed = allowed;
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.perMinute = perMinute;
        this.clients = requireNonNull(clients, "clients is null");
        this.cors = requireNonNull(cors, "cors is null");
    }

    /** Returns when the call may go ahead; otherwise throws the 401, 403 or 429 to answer. */
    void admit(Context ctx) {
        if (!allowed) {
            ctx.header(Header.WWW_AUTHENTICATE, "Bearer realm=\"clickledger\"");
            throw new ApiException(
                    401,
                    "unauthorized",
                    "Unauthorized",
                    "a valid Authorization: Bearer <key> header is required; identify without a key is off"
                            + " (IDENTIFY_ALLOW_ANONYMOUS)",
                    List.of());
        }
        String origin = ctx.header(Header.ORIGIN);
        if (origin != null && !cors.allows(origin)) {
            throw new ApiException(
                    403,
                    "origin_not_allowed",
                    "Forbidden",
                    "origin " + origin + " is not in CORS_ALLOWED_ORIGINS",
                    List.of());
        }
        RateLimiter.Decision decision = limiter.acquire(clients.of(ctx).orElse(UNKNOWN_CLIENT));
        if (!decision.allowed()) {
            ctx.header(Header.RETRY_AFTER, Long.toString(decision.retryAfterSeconds()));
            throw new ApiException(
                    429,
                    "rate_limited",
                    "Too many requests",
                    "identify without a key is limited to " + perMinute
                            + " calls a minute per client address; retry after " + decision.retryAfterSeconds()
                            + " s",
                    List.of());
        }
    }
}
