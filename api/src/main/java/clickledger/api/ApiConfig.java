package clickledger.api;

import static java.util.Objects.requireNonNull;

import clickledger.common.config.EnvReader;
import clickledger.db.DatabaseConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the api reads from its environment, named in one place. {@link #fromEnv} reports
 * every problem at once so a bad deployment is fixed in one round trip.
 *
 * @param publicRouterUrl base of the shareable link URLs, without a trailing slash
 * @param publicApiUrl where clients reach this api, without a trailing slash (advertised in
 *     /openapi.json); defaults to http://localhost:API_PORT
 * @param clickRetentionMonths detach click partitions older than this; 0 keeps every month
 * @param statsRollupInterval how often the click rollups of today and yesterday are rebuilt
 */
public record ApiConfig(
        int port,
        String adminApiKey,
        String publicRouterUrl,
        String publicApiUrl,
        int clickRetentionMonths,
        DatabaseConfig database,
        Duration statsRollupInterval) {
    public static final int DEFAULT_PORT = 4601;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int DEFAULT_STATS_ROLLUP_SECONDS = 60;
    // 24 characters of a random key is well over 128 bits; shorter keys invite guessing.
    public static final int MIN_ADMIN_API_KEY_LENGTH = 24;

    public ApiConfig {
        requireNonNull(adminApiKey, "adminApiKey is null");
        requireNonNull(publicRouterUrl, "publicRouterUrl is null");
        requireNonNull(publicApiUrl, "publicApiUrl is null");
        requireNonNull(database, "database is null");
        requireNonNull(statsRollupInterval, "statsRollupInterval is null");
    }

    public static ApiConfig fromEnv(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment);
        int port = env.port("API_PORT", DEFAULT_PORT);
        String adminApiKey = env.requiredSecret("ADMIN_API_KEY");
        if (!adminApiKey.isEmpty() && adminApiKey.length() < MIN_ADMIN_API_KEY_LENGTH) {
            // The value is a secret: say what is wrong with it, never echo it.
            env.problem("ADMIN_API_KEY must be at least " + MIN_ADMIN_API_KEY_LENGTH + " characters");
        }
        String publicRouterUrl = baseUrl(env, "PUBLIC_ROUTER_URL", "http://localhost:4701");
        // Unset, the api is where it listens; port 0 (pick a free one) has no useful URL to guess.
        String publicApiUrl = baseUrl(env, "PUBLIC_API_URL", "http://localhost:" + (port == 0 ? DEFAULT_PORT : port));
        int clickRetentionMonths = env.integer("CLICK_RETENTION_MONTHS", 0, 0, 1200);
        DatabaseConfig database = DatabaseConfig.fromEnv(env, DEFAULT_POOL_SIZE);
        // Stats of today lag the rollup by at most this (the rest is counted live); a day at most.
        int statsRollupSeconds = env.integer("STATS_ROLLUP_SECONDS", DEFAULT_STATS_ROLLUP_SECONDS, 1, 86_400);
        env.finish();
        return new ApiConfig(
                port,
                adminApiKey,
                publicRouterUrl,
                publicApiUrl,
                clickRetentionMonths,
                database,
                Duration.ofSeconds(statsRollupSeconds));
    }

    // Links are built by appending "/r/{slug}" to this base, so it must be an absolute http(s) URL
    // with a host and nothing after the path.
    private static String baseUrl(EnvReader env, String name, String defaultValue) {
        String value = env.string(name, defaultValue);
        String complaint = name + " \"" + value + "\" is not an absolute http(s) URL without query or fragment";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            env.problem(complaint);
            return defaultValue;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean web = scheme.equals("http") || scheme.equals("https");
        if (!web || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            env.problem(complaint);
            return defaultValue;
        }
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return text;
    }

    @Override
    public String toString() {
        return "ApiConfig[port=" + port + ", adminApiKey=<redacted>, publicRouterUrl=" + publicRouterUrl
                + ", publicApiUrl=" + publicApiUrl + ", clickRetentionMonths=" + clickRetentionMonths + ", database="
                + database + ", statsRollupInterval=" + statsRollupInterval + "]";
    }
}
