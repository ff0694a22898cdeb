package clickledger.api;

import static java.util.Objects.requireNonNull;

import clickledger.api.person.PeopleConfig;
import clickledger.api.secret.SecretBox;
import clickledger.api.webhook.WebhookConfig;
import clickledger.common.config.EnvReader;
import clickledger.common.net.Cidr;
import clickledger.db.DatabaseConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the api reads from its environment, named in one place. {@link #fromEnv} reports
 * every problem at once so a bad deployment is fixed in one round trip.
 *
 * @param publicRouterUrl base of the shareable link URLs, without a trailing slash
 * @param publicApiUrl where clients reach this api, without a trailing slash (advertised in
 *     /openapi.json); defaults to http://localhost:API_PORT
 * @param clickRetentionMonths detach click partitions older than this; 0 keeps every month
 * @param corsAllowedOrigins exact origins ({@code https://shop.example.com}) whose pages may call
 *     the api from a browser; normalised to lower case without a default port, as browsers send them
 * @param identifyAllowAnonymous whether {@code POST /attribution/identify} accepts calls without a
 *     key (OpenPartner's browser client sends none); off unless asked for, see the README
 * @param identifyRateLimitPerMinute anonymous identify calls per client address per minute
 * @param trustedProxies addresses whose {@code X-Forwarded-For} names the client
 * @param compatDefaultProgram id or slug of the program that OpenPartner-compatible events go to
 *     when the key is not bound to a program and the body names none
 * @param secrets SECRETS_ENCRYPTION_KEY: encrypts the secrets the api stores (webhook signing secrets)
 * @param statsRollupInterval how often the click rollups of today and yesterday are rebuilt
 * @param people PORTAL_URL, sessions and sign-in limits
 * @param liveStatsInterval LIVE_STATS_SECONDS: how stale the live click counter may be, and so how
 *     often at most it queries PostgreSQL per program
 */
public record ApiConfig(
        int port,
        String adminApiKey,
        String publicRouterUrl,
        String publicApiUrl,
        int clickRetentionMonths,
        Duration commissionApprovalInterval,
        SecretBox secrets,
        WebhookConfig webhooks,
        DatabaseConfig database,
        List<String> corsAllowedOrigins,
        boolean identifyAllowAnonymous,
        int identifyRateLimitPerMinute,
        List<Cidr> trustedProxies,
        Optional<String> compatDefaultProgram,
        Duration statsRollupInterval,
        PeopleConfig people,
        Duration liveStatsInterval) {
    public static final int DEFAULT_PORT = 4601;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int DEFAULT_STATS_ROLLUP_SECONDS = 60;
    public static final int DEFAULT_LIVE_STATS_SECONDS = 2;
    // 24 characters of a random key is well over 128 bits; shorter keys invite guessing.
    public static final int MIN_ADMIN_API_KEY_LENGTH = 24;
    // A browser identifies a user at sign-up or login, a few times a visit; 20 a minute leaves room
    // for many people behind one NAT while capping how fast one address can probe crefs.
    public static final int DEFAULT_IDENTIFY_RATE_LIMIT_PER_MINUTE = 20;
    private static final Pattern PROGRAM_REFERENCE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public ApiConfig {
        requireNonNull(adminApiKey, "adminApiKey is null");
        requireNonNull(publicRouterUrl, "publicRouterUrl is null");
        requireNonNull(publicApiUrl, "publicApiUrl is null");
        requireNonNull(secrets, "secrets is null");
        requireNonNull(webhooks, "webhooks is null");
        requireNonNull(database, "database is null");
        corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
        trustedProxies = List.copyOf(trustedProxies);
        requireNonNull(compatDefaultProgram, "compatDefaultProgram is null");
        requireNonNull(statsRollupInterval, "statsRollupInterval is null");
        requireNonNull(people, "people is null");
        requireNonNull(liveStatsInterval, "liveStatsInterval is null");
    }

    public static ApiConfig fromEnv(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment);
        int port = env.port("API_PORT", DEFAULT_PORT);
        String adminApiKey = env.requiredSecret("ADMIN_API_KEY");
        if (!adminApiKey.isEmpty() && adminApiKey.length() < MIN_ADMIN_API_KEY_LENGTH) {
            // The value is a secret: say what is wrong with it, never echo it.
            env.problem("ADMIN_API_KEY must be at least " + MIN_ADMIN_API_KEY_LENGTH + " characters");
        }
        String publicRouterUrl = env.baseUrl("PUBLIC_ROUTER_URL", "http://localhost:4701");
        // Unset, the api is where it listens; port 0 (pick a free one) has no useful URL to guess.
        String publicApiUrl = env.baseUrl("PUBLIC_API_URL", "http://localhost:" + (port == 0 ? DEFAULT_PORT : port));
        int clickRetentionMonths = env.integer("CLICK_RETENTION_MONTHS", 0, 0, 1200);
        int approvalSeconds = env.integer("COMMISSION_APPROVAL_SECONDS", 60, 1, 86_400);
        SecretBox secrets = secretsKey(env);
        WebhookConfig webhooks = WebhookConfig.fromEnv(env);
        DatabaseConfig database = DatabaseConfig.fromEnv(env, DEFAULT_POOL_SIZE);
        List<String> origins = new ArrayList<>();
        for (String entry : env.string("CORS_ALLOWED_ORIGINS", "").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            origin(entry.trim())
                    .ifPresentOrElse(
                            origins::add,
                            () -> env.problem(
                                    "CORS_ALLOWED_ORIGINS entry \"" + entry.trim()
                                            + "\" is not an origin such as https://shop.example.com (exact origins only, no *)"));
        }
        boolean identifyAllowAnonymous = env.bool("IDENTIFY_ALLOW_ANONYMOUS", false);
        int identifyRate =
                env.integer("IDENTIFY_RATE_LIMIT_PER_MINUTE", DEFAULT_IDENTIFY_RATE_LIMIT_PER_MINUTE, 1, 100_000);
        List<Cidr> trustedProxies = new ArrayList<>();
        for (String entry : env.string("TRUSTED_PROXIES", "").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            Cidr.parse(entry)
                    .ifPresentOrElse(
                            trustedProxies::add,
                            () -> env.problem(
                                    "TRUSTED_PROXIES entry \"" + entry.trim() + "\" is not an address or CIDR block"));
        }
        Optional<String> defaultProgram = env.optional("COMPAT_DEFAULT_PROGRAM");
        if (defaultProgram.isPresent()
                && !PROGRAM_REFERENCE.matcher(defaultProgram.get()).matches()) {
            env.problem("COMPAT_DEFAULT_PROGRAM \"" + defaultProgram.get() + "\" is not a program id or slug");
        }
        // Stats of today lag the rollup by at most this (the rest is counted live); a day at most.
        int statsRollupSeconds = env.integer("STATS_ROLLUP_SECONDS", DEFAULT_STATS_ROLLUP_SECONDS, 1, 86_400);
        PeopleConfig people = PeopleConfig.fromEnv(env);
        int liveStatsSeconds = env.integer("LIVE_STATS_SECONDS", DEFAULT_LIVE_STATS_SECONDS, 1, 3_600);
        env.finish();
        return new ApiConfig(
                port,
                adminApiKey,
                publicRouterUrl,
                publicApiUrl,
                clickRetentionMonths,
                Duration.ofSeconds(approvalSeconds),
                secrets,
                webhooks,
                database,
                origins,
                identifyAllowAnonymous,
                identifyRate,
                trustedProxies,
                defaultProgram,
                Duration.ofSeconds(statsRollupSeconds),
                people,
                Duration.ofSeconds(liveStatsSeconds));
    }

    // Required rather than generated at start: a key that changed with every restart would leave
    // every stored secret unreadable.
    private static SecretBox secretsKey(EnvReader env) {
        String name = "SECRETS_ENCRYPTION_KEY";
        String generate = "generate one with: head -c 32 /dev/urandom | base64";
        if (env.optional(name).isEmpty() && env.optional(name + "_FILE").isEmpty()) {
            env.problem(name + " is missing (" + generate + ")");
            return null;
        }
        Optional<String> value = env.secret(name);
        if (value.isEmpty()) {
            return null; // env.secret recorded why (an unreadable _FILE, or both set)
        }
        // The value is a secret: say what is wrong with it, never echo it.
        return SecretBox.fromBase64(value.get()).orElseGet(() -> {
            env.problem(name + " must be base64 of exactly " + SecretBox.KEY_BYTES + " bytes (" + generate + ")");
            return null;
        });
    }

    /**
     * An origin as a browser sends it in the Origin header: scheme, lower-case host and the port
     * only when it is not the scheme's default. Empty when the text is not one.
     */
    static Optional<String> origin(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean web = scheme.equals("http") || scheme.equals("https");
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!web
                || uri.getHost() == null
                || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || !(path.isEmpty() || path.equals("/"))) {
            return Optional.empty();
        }
        int port = uri.getPort();
        boolean defaultPort =
                port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port));
    }

    @Override
    public String toString() {
        return "ApiConfig[port=" + port + ", adminApiKey=<redacted>, publicRouterUrl=" + publicRouterUrl
                + ", publicApiUrl=" + publicApiUrl + ", clickRetentionMonths=" + clickRetentionMonths
                + ", encryptionKey=<redacted>, webhooks=" + webhooks + ", database="
                + database + ", corsAllowedOrigins=" + corsAllowedOrigins + ", identifyAllowAnonymous="
                + identifyAllowAnonymous + ", identifyRateLimitPerMinute=" + identifyRateLimitPerMinute
                + ", trustedProxies=" + trustedProxies.size() + ", compatDefaultProgram="
                + compatDefaultProgram.orElse("none") + ", statsRollupInterval=" + statsRollupInterval + ", people="
                + people + ", liveStatsInterval=" + liveStatsInterval + "]";
    }
}
