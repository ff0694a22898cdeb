package clickledger.api.http;

import static java.util.Objects.requireNonNull;

import clickledger.web.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How often a public form that sends mail may be used: per client address ({@link ClientAddress},
 * so TRUSTED_PROXIES decides whether X-Forwarded-For counts) and, when the form names an email,
 * per email too, so one address cannot flood a victim's inbox from many machines. The in-memory
 * buckets of {@link RateLimiter}: per replica, bounded, forgotten at restart, like sign-in's.
 */
public final class RequestLimits {
    private static final InetAddress UNKNOWN_CLIENT = InetAddress.getLoopbackAddress();

    private final RateLimiter perAddress;
    private final RateLimiter perEmail;
    private final ClientAddress clients;
    private final String what;

    /**
     * @param perHour requests an hour per client address, and per email
     * @param what the requests, for the 429's detail ("password reset requests")
     */
    public RequestLimits(Clock clock, ClientAddress clients, int perHour, String what) {
        this.perAddress = new RateLimiter(clock, perHour, Duration.ofHours(1));
        this.perEmail = new RateLimiter(clock, perHour, Duration.ofHours(1));
        this.clients = requireNonNull(clients, "clients is null");
        this.what = requireNonNull(what, "what is null");
    }

    /** Returns when the request may go ahead; else throws the 429 with Retry-After. */
    public void admit(Context ctx, String email) {
        RateLimiter.Decision address = perAddress.acquire(clients.of(ctx).orElse(UNKNOWN_CLIENT));
        if (!address.allowed()) {
            throw tooMany(ctx, address.retryAfterSeconds());
        }
        if (email != null) {
            RateLimiter.Decision named = perEmail.acquire(email.strip().toLowerCase(Locale.ROOT));
            if (!named.allowed()) {
                throw tooMany(ctx, named.retryAfterSeconds());
            }
        }
    }

    private ApiException tooMany(Context ctx, long retryAfterSeconds) {
        ctx.header(Header.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return new ApiException(
                429,
                "rate_limited",
                "Too many requests",
                "too many " + what + "; retry after " + retryAfterSeconds + " s",
                List.of());
    }
}
