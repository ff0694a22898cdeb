package clickledger.api.webhook;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The webhook settings, read once at start (docs/configuration.md).
 *
 * @param retryBase WEBHOOK_RETRY_BASE_SECONDS: the first retry waits up to twice this
 * @param retryCap WEBHOOK_RETRY_CAP_SECONDS: no wait between attempts is longer, Retry-After included
 * @param maxAttempts WEBHOOK_MAX_ATTEMPTS: after this many failed attempts a delivery is dead
 * @param concurrency WEBHOOK_CONCURRENCY: requests in flight per api process
 * @param endpointConcurrency WEBHOOK_ENDPOINT_CONCURRENCY: requests in flight per endpoint
 * @param pollInterval WEBHOOK_POLL_INTERVAL_MS: how often an idle worker looks for due deliveries
 * @param timeout WEBHOOK_TIMEOUT_SECONDS: the whole request, connect to the last byte read
 * @param allowPrivate WEBHOOK_ALLOW_PRIVATE: let endpoints resolve to loopback or private addresses
 * @param breakerThreshold WEBHOOK_BREAKER_THRESHOLD: consecutive failures that open an endpoint's breaker
 * @param breakerCooldown WEBHOOK_BREAKER_COOLDOWN_SECONDS: how long an open breaker holds deliveries back
 * @param disableAfter WEBHOOK_DISABLE_AFTER_HOURS: an endpoint failing this long without a success is disabled
 * @param workerEnabled WEBHOOK_WORKER_ENABLED: false for an api process that only serves HTTP
 */
public record WebhookConfig(
        Duration retryBase,
        Duration retryCap,
        int maxAttempts,
        int concurrency,
        int endpointConcurrency,
        Duration pollInterval,
        Duration timeout,
        boolean allowPrivate,
        int breakerThreshold,
        Duration breakerCooldown,
        Duration disableAfter,
        boolean workerEnabled) {

    public static final Setting RETRY_BASE_SECONDS = Setting.withDefault(
            "WEBHOOK_RETRY_BASE_SECONDS",
            "30",
            "after the n-th failed attempt a delivery waits a random time up to `min(cap, base·2^n)` (1–86400)");
    public static final Setting RETRY_CAP_SECONDS = Setting.withDefault(
                    "WEBHOOK_RETRY_CAP_SECONDS",
                    "21600",
                    "longest wait between two attempts, a receiver's `Retry-After` included (1–604800)")
            .shownAs("`21600` (6 h)");
    public static final Setting MAX_ATTEMPTS = Setting.withDefault(
            "WEBHOOK_MAX_ATTEMPTS",
            "20",
            "attempts before a delivery is `dead` (with the defaults, up to ~2.9 days of retries; 1–100)");
    // Receivers answer in 50-500 ms, so these limits, not CPU, bound a real drain: 64 in flight
    // deliver ~320/s at 200 ms, 8 per endpoint ~40/s to one receiver (decision 0003, "Drain rate").
    public static final Setting CONCURRENCY =
            Setting.withDefault("WEBHOOK_CONCURRENCY", "64", "webhook requests in flight per api process (1–256)");
    public static final Setting ENDPOINT_CONCURRENCY =
            Setting.withDefault("WEBHOOK_ENDPOINT_CONCURRENCY", "8", "webhook requests in flight per endpoint (1–256)");
    public static final Setting POLL_INTERVAL_MS = Setting.withDefault(
            "WEBHOOK_POLL_INTERVAL_MS", "1000", "how often an idle delivery worker looks for due deliveries");
    public static final Setting TIMEOUT_SECONDS = Setting.withDefault(
            "WEBHOOK_TIMEOUT_SECONDS", "10", "one attempt, from connecting to the last byte read (1–60)");
    public static final Setting ALLOW_PRIVATE = Setting.withDefault(
            "WEBHOOK_ALLOW_PRIVATE",
            "false",
            "allow endpoints on loopback, private, link-local or other non-public addresses (development only)");
    public static final Setting BREAKER_THRESHOLD = Setting.withDefault(
            "WEBHOOK_BREAKER_THRESHOLD", "5", "failures in a row that open an endpoint's circuit breaker");
    public static final Setting BREAKER_COOLDOWN_SECONDS = Setting.withDefault(
            "WEBHOOK_BREAKER_COOLDOWN_SECONDS", "60", "how long an open breaker holds that endpoint's deliveries back");
    public static final Setting DISABLE_AFTER_HOURS = Setting.withDefault(
            "WEBHOOK_DISABLE_AFTER_HOURS",
            "72",
            "an endpoint failing this long without one success is disabled (logged and audited)");
    public static final Setting WORKER_ENABLED = Setting.withDefault(
            "WEBHOOK_WORKER_ENABLED", "true", "`false` for an api process that serves HTTP but delivers no webhooks");
    public static final List<Setting> SETTINGS = List.of(
            RETRY_BASE_SECONDS,
            RETRY_CAP_SECONDS,
            MAX_ATTEMPTS,
            CONCURRENCY,
            ENDPOINT_CONCURRENCY,
            POLL_INTERVAL_MS,
            TIMEOUT_SECONDS,
            ALLOW_PRIVATE,
            BREAKER_THRESHOLD,
            BREAKER_COOLDOWN_SECONDS,
            DISABLE_AFTER_HOURS,
            WORKER_ENABLED);

    /** Reads every WEBHOOK_* setting; problems are collected in {@code env} like the others'. */
    public static WebhookConfig fromEnv(EnvReader env) {
        int base = env.integer(RETRY_BASE_SECONDS, 1, 86_400);
        int cap = env.integer(RETRY_CAP_SECONDS, 1, 7 * 86_400);
        if (cap < base) {
            env.problem("WEBHOOK_RETRY_CAP_SECONDS (" + cap + ") is below WEBHOOK_RETRY_BASE_SECONDS (" + base + ")");
        }
        int maxAttempts = env.integer(MAX_ATTEMPTS, 1, 100);
        int concurrency = env.integer(CONCURRENCY, 1, 256);
        int endpointConcurrency = env.integer(ENDPOINT_CONCURRENCY, 1, 256);
        int pollMillis = env.integer(POLL_INTERVAL_MS, 10, 60_000);
        int timeoutSeconds = env.integer(TIMEOUT_SECONDS, 1, 60);
        boolean allowPrivate = env.bool(ALLOW_PRIVATE);
        int breakerThreshold = env.integer(BREAKER_THRESHOLD, 1, 10_000);
        int breakerCooldown = env.integer(BREAKER_COOLDOWN_SECONDS, 1, 86_400);
        int disableAfterHours = env.integer(DISABLE_AFTER_HOURS, 1, 24 * 365);
        boolean workerEnabled = env.bool(WORKER_ENABLED);
        return new WebhookConfig(
                Duration.ofSeconds(base),
                Duration.ofSeconds(Math.max(cap, base)),
                maxAttempts,
                concurrency,
                endpointConcurrency,
                Duration.ofMillis(pollMillis),
                Duration.ofSeconds(timeoutSeconds),
                allowPrivate,
                breakerThreshold,
                Duration.ofSeconds(breakerCooldown),
                Duration.ofHours(disableAfterHours),
                workerEnabled);
    }
}
