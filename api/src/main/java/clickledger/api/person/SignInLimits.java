package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.ClientAddress;
import clickledger.api.http.RateLimiter;
import clickledger.web.ApiException;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How often passwords may be tried: per client address (LOGIN_RATE_LIMIT_PER_MINUTE) against one
 * machine guessing many accounts, and per account (LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR, keyed by the
 * email as typed, lower-cased, whether or not such a person exists) against many machines guessing
 * one. An attempt spends a token before its password is hashed, so a refused attempt costs no
 * Argon2 run. Both are the in-memory buckets of {@link RateLimiter}: per api replica, bounded in
 * memory, forgotten at restart (docs/decisions/0014).
 */
public final class SignInLimits {
    private static final InetAddress UNKNOWN_CLIENT = InetAddress.getLoopbackAddress();

    private final RateLimiter perAddress;
    private final RateLimiter perAccount;
    private final ClientAddress clients;

    public SignInLimits(Clock clock, PeopleConfig config, ClientAddress clients) {
        this.perAddress = new RateLimiter(clock, config.loginPerAddressPerMinute(), Duration.ofMinutes(1));
        this.perAccount = new RateLimiter(clock, config.loginPerAccountPerHour(), Duration.ofHours(1));
        this.clients = requireNonNull(clients, "clients is null");
    }

    /** Returns when a password may be tried for this email from this request; else throws the 429. */
    public void admit(Context ctx, String email) {
        RateLimiter.Decision address = perAddress.acquire(clients.of(ctx).orElse(UNKNOWN_CLIENT));
        if (!address.allowed()) {
            throw tooMany(ctx, address.retryAfterSeconds());
        }
        RateLimiter.Decision account = perAccount.acquire(email.strip().toLowerCase(Locale.ROOT));
        if (!account.allowed()) {
            throw tooMany(ctx, account.retryAfterSeconds());
        }
    }

    private static ApiException tooMany(Context ctx, long retryAfterSeconds) {
        ctx.header(Header.RETRY_AFTER, Long.toString(retryAfterSeconds));
        return new ApiException(
                429,
                "rate_limited",
                "Too many requests",
                "too many sign-in attempts; retry after " + retryAfterSeconds + " s",
                List.of());
    }
}
