package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long a session lives.
 *
 * @param idle a session unused this long ends (SESSION_IDLE_MINUTES)
 * @param max a session ends this long after sign-in however much it is used (SESSION_MAX_HOURS)
 */
public record SessionSettings(Duration idle, Duration max) {
    public static final int DEFAULT_IDLE_MINUTES = 720;
    public static final int DEFAULT_MAX_HOURS = 168;
    /**
     * last_seen_at is written at most this often per session: a person's page views do not each
     * cost a write, and idle expiry is early by at most this much.
     */
    public static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    public SessionSettings {
        requireNonNull(idle, "idle is null");
        requireNonNull(max, "max is null");
        if (idle.compareTo(TOUCH_INTERVAL) <= 0 || max.compareTo(idle) < 0) {
            throw new IllegalArgumentException("idle must exceed a minute and max must be at least idle");
        }
    }

    public static SessionSettings defaults() {
        return new SessionSettings(Duration.ofMinutes(DEFAULT_IDLE_MINUTES), Duration.ofHours(DEFAULT_MAX_HOURS));
    }
}
