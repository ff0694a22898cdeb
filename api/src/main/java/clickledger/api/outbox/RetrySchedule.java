package clickledger.api.outbox;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is tried again, for every outbox the api delivers (webhooks, mail):
 * exponential backoff with full jitter (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"), so receivers coming back from an outage are not hit by
 * every sender's retries in the same second. After the n-th failed attempt the wait is
 * {@code random(0, min(cap, base * 2^n))}; a Retry-After from the receiver replaces it, capped at
 * the cap too.
 *
 * <p>With the defaults (base 30 s, cap 6 h, 20 attempts) the ceilings of the 19 waits are
 * 30·2^1 … 30·2^9 = 60 s … 15,360 s (together 30·(2^10 − 2) = 30,660 s ≈ 8.5 h), then ten waits at
 * the 21,600 s cap (60 h): the last attempt comes at most 246,660 s ≈ 68.5 h ≈ 2.9 days after the
 * first, which is the spec's "about three days". Full jitter draws each wait uniformly below its
 * ceiling, so on average the span is half that, about 34 h; WEBHOOK_MAX_ATTEMPTS=25 adds five more
 * capped waits (up to 30 h) for a receiver that must be given three days on average.
 */
public final class RetrySchedule {
    // 2^40 times any base above one second is beyond every cap this accepts; stops the shift overflowing.
    private static final int MAX_EXPONENT = 40;

    private final Duration base;
    private final Duration cap;
    private final int maxAttempts;
    private final DoubleSupplier jitter;

    /** @param jitter uniform in [0, 1]; tests pass a constant to see the ceilings */
    public RetrySchedule(Duration base, Duration cap, int maxAttempts, DoubleSupplier jitter) {
        this.base = requireNonNull(base, "base is null");
        this.cap = requireNonNull(cap, "cap is null");
        this.maxAttempts = maxAttempts;
        this.jitter = requireNonNull(jitter, "jitter is null");
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** True when the attempt just made (1 for the first) was the last one allowed. */
    public boolean exhausted(int attemptsMade) {
        return attemptsMade >= maxAttempts;
    }

    /**
     * What follows a failed attempt: the item is dead when that was its last allowed attempt,
     * else it is due again after {@link #delay}.
     *
     * @param dead no attempt is left; {@code at} is then {@code now}
     */
    public record Next(boolean dead, Instant at) {}

    /** The decision after the {@code attemptsMade}-th failed attempt (1 for the first), made at {@code now}. */
    public Next next(int attemptsMade, Optional<Duration> retryAfter, Instant now) {
        if (exhausted(attemptsMade)) {
            return new Next(true, now);
        }
        return new Next(false, now.plus(delay(attemptsMade, retryAfter)));
    }

    /** The ceiling of the wait after the {@code attemptsMade}-th failed attempt. */
    public Duration ceiling(int attemptsMade) {
        int exponent = Math.min(Math.max(attemptsMade, 0), MAX_EXPONENT);
        long millis = base.toMillis();
        long ceiling = millis > (Long.MAX_VALUE >> exponent) ? Long.MAX_VALUE : millis << exponent;
        return Duration.ofMillis(Math.min(ceiling, cap.toMillis()));
    }

    /** The wait after the {@code attemptsMade}-th failed attempt, Retry-After first. */
    public Duration delay(int attemptsMade, Optional<Duration> retryAfter) {
        if (retryAfter.isPresent()) {
            Duration requested = retryAfter.get();
            if (requested.isNegative()) {
                return Duration.ZERO;
            }
            return requested.compareTo(cap) > 0 ? cap : requested;
        }
        double draw = Math.min(1.0, Math.max(0.0, jitter.getAsDouble()));
        return Duration.ofMillis(Math.round(ceiling(attemptsMade).toMillis() * draw));
    }

    /**
     * A Retry-After header (RFC 9110 10.2.3): delay-seconds or an HTTP date; empty when absent or
     * unreadable.
     */
    public static Optional<Duration> parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.trim();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException e) {
                // more digits than a long holds: far beyond any cap
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1000));
            }
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return Optional.of(Duration.between(now, at));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
