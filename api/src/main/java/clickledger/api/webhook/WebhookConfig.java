package clickledger.api.webhook;

import clickledger.common.config.EnvReader;
import java.time.Duration;

/**
 * The webhook settings, read once at start (README "Configuration").
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

    public static final int DEFAULT_RETRY_BASE_SECONDS = 30;
    public static final int DEFAULT_RETRY_CAP_SECONDS = 6 * 3600;
    public static final int DEFAULT_MAX_ATTEMPTS = 20;

    /** Reads every WEBHOOK_* setting; problems are collected in {@code env} like the others'. */
    public static WebhookConfig fromEnv(EnvReader env) {
        int base = env.integer("WEBHOOK_RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS, 1, 86_400);
        int cap = env.integer("WEBHOOK_RETRY_CAP_SECONDS", DEFAULT_RETRY_CAP_SECONDS, 1, 7 * 86_400);
        if (cap < base) {
            env.problem("WEBHOOK_RETRY_CAP_SECONDS (" + cap + ") is below WEBHOOK_RETRY_BASE_SECONDS (" + base + ")");
        }
        int maxAttempts = env.integer("WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1, 100);
        int concurrency = env.integer("WEBHOOK_CONCURRENCY", 8, 1, 256);
        int endpointConcurrency = env.integer("WEBHOOK_ENDPOINT_CONCURRENCY", 2, 1, 256);
        int pollMillis = env.integer("WEBHOOK_POLL_INTERVAL_MS", 1000, 10, 60_000);
        int timeoutSeconds = env.integer("WEBHOOK_TIMEOUT_SECONDS", 10, 1, 60);
        boolean allowPrivate = env.bool("WEBHOOK_ALLOW_PRIVATE", false);
        int breakerThreshold = env.integer("WEBHOOK_BREAKER_THRESHOLD", 5, 1, 10_000);
        int breakerCooldown = env.integer("WEBHOOK_BREAKER_COOLDOWN_SECONDS", 60, 1, 86_400);
        int disableAfterHours = env.integer("WEBHOOK_DISABLE_AFTER_HOURS", 72, 1, 24 * 365);
        boolean workerEnabled = env.bool("WEBHOOK_WORKER_ENABLED", true);
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
