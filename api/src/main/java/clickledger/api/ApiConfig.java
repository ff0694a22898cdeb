package clickledger.api;

import static java.util.Objects.requireNonNull;

import clickledger.api.event.EventGroupCommit;
import clickledger.api.mail.MailConfig;
import clickledger.api.maintenance.OutboxRetention;
import clickledger.api.person.PeopleConfig;
import clickledger.api.secret.SecretBox;
import clickledger.api.storage.StorageConfig;
import clickledger.api.webhook.WebhookConfig;
import clickledger.common.config.EnvReader;
import clickledger.common.config.Secret;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
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
import java.util.stream.Stream;

/**
 * Everything the api reads from its environment, each variable declared once below (with the
 * shared ones in {@link SharedSettings}, {@link DatabaseConfig} and {@link WebhookConfig}).
 * {@link #fromEnv} reports every problem at once so a bad deployment is fixed in one round trip.
 * Secrets are {@link Secret}s, so the record's own toString never shows them.
 *
 * @param publicRouterUrl base of the shareable link URLs, without a trailing slash
 * @param publicApiUrl where clients reach this api, without a trailing slash (advertised in
 *     /openapi.json); defaults to http://localhost:API_PORT
 * @param clickRetentionMonths detach click partitions older than this; 0 keeps every month
 * @param corsAllowedOrigins exact origins ({@code https://shop.example.com}) whose pages may call
 *     the api from a browser; normalised to lower case without a default port, as browsers send them
 * @param identifyAllowAnonymous whether {@code POST /attribution/identify} accepts calls without a
 *     key (OpenPartner's browser client sends none); off unless asked for, see docs/openpartner.md
 * @param identifyRateLimitPerMinute anonymous identify calls per client address per minute
 * @param trustedProxies addresses whose {@code X-Forwarded-For} names the client
 * @param compatDefaultProgram id or slug of the program that OpenPartner-compatible events go to
 *     when the key is not bound to a program and the body names none
 * @param secrets SECRETS_ENCRYPTION_KEY: encrypts the secrets the api stores (webhook and Stripe signing secrets)
 * @param statsRollupInterval how often the click rollups of today and yesterday are rebuilt
 * @param people PORTAL_URL, sessions and sign-in limits
 * @param liveStatsInterval LIVE_STATS_SECONDS: how stale the live click counter may be, and so how
 *     often at most it queries PostgreSQL per program
 * @param storage STORAGE_KIND and its settings: where uploads (program logos) and click archives go
 * @param clickArchive CLICK_ARCHIVE: detached click months are archived to the storage, then dropped
 * @param mail SMTP_* and MAIL_*: where mail goes and how it is retried
 * @param eventGroupCommit EVENT_GROUP_COMMIT*: whether {@code POST /v1/events} is recorded in groups, by how many writers
 * @param identifyGroupCommit IDENTIFY_GROUP_COMMIT: {@code POST /v1/identify} writes the stitches of
 *     concurrent requests together, one transaction per batch (docs/decisions/0031)
 * @param retention WEBHOOK_LOG_RETENTION_DAYS and MAIL_LOG_RETENTION_DAYS: when finished deliveries and mail are deleted
 */
public record ApiConfig(
        int port,
        Secret adminApiKey,
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
        Duration liveStatsInterval,
        StorageConfig storage,
        boolean clickArchive,
        MailConfig mail,
        EventGroupCommit.Settings eventGroupCommit,
        boolean identifyGroupCommit,
        OutboxRetention.Settings retention) {
    public static final int DEFAULT_POOL_SIZE = 10;
    // 24 characters of a random key is well over 128 bits; shorter keys invite guessing.
    public static final int MIN_ADMIN_API_KEY_LENGTH = 24;
    private static final Pattern PROGRAM_REFERENCE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public static final Setting API_PORT = Setting.withDefault("API_PORT", "4601", "HTTP port");
    public static final Setting ADMIN_API_KEY = Setting.required(
                    "ADMIN_API_KEY", "bootstrap admin key (`Authorization: Bearer …`), 24 characters or more")
            .shownAs("required (`make run`: generated into `.data/admin-api-key`)")
            .asSecret();
    public static final Setting SECRETS_ENCRYPTION_KEY = Setting.required(
                    "SECRETS_ENCRYPTION_KEY",
                    "base64 of 32 random bytes (`head -c 32 /dev/urandom | base64`); encrypts the webhook and"
                            + " Stripe signing secrets stored in the database (AES-256-GCM). Back it up with the database:"
                            + " without it the stored secrets cannot be read (rotate each endpoint's secret and connect"
                            + " Stripe again to recover)")
            .shownAs("required (`make run`: generated into `.data/secrets-encryption-key`)")
            .asSecret();
    public static final Setting COMMISSION_APPROVAL_SECONDS = Setting.withDefault(
            "COMMISSION_APPROVAL_SECONDS", "60", "how often pending commissions past their hold are approved");
    // Stats of today lag the rollup by at most this (the rest is counted live); a day at most.
    public static final Setting STATS_ROLLUP_SECONDS = Setting.withDefault(
            "STATS_ROLLUP_SECONDS",
            "60",
            "how often the click rollups of today and yesterday are rebuilt (clicks after the last run are counted"
                    + " live)");
    public static final Setting CORS_ALLOWED_ORIGINS = Setting.optional(
            "CORS_ALLOWED_ORIGINS",
            "comma-separated exact origins (`https://shop.example.com`) whose pages may call the api from a browser;"
                    + " `*` is refused. The origin is echoed (never `*`), preflights are answered, credentials are"
                    + " not allowed (keys travel in a header, never a cookie)");
    public static final Setting IDENTIFY_ALLOW_ANONYMOUS = Setting.withDefault(
            "IDENTIFY_ALLOW_ANONYMOUS",
            "false",
            "accept `POST /attribution/identify` without a key, as OpenPartner's browser client sends it, from"
                    + " `CORS_ALLOWED_ORIGINS` pages; read [the risk](openpartner.md#anonymous-identify-and-its-risk)"
                    + " first");
    // A browser identifies a user at sign-up or login, a few times a visit; 20 a minute leaves room
    // for many people behind one NAT while capping how fast one address can probe crefs.
    public static final Setting IDENTIFY_RATE_LIMIT_PER_MINUTE = Setting.withDefault(
            "IDENTIFY_RATE_LIMIT_PER_MINUTE",
            "20",
            "keyless identify calls per client address (IPv6: per /64) per minute; beyond it, 429 with"
                    + " `Retry-After`");
    public static final Setting IDENTIFY_GROUP_COMMIT = Setting.withDefault(
            "IDENTIFY_GROUP_COMMIT",
            "true",
            "`POST /v1/identify` writes the stitches of concurrent requests in one transaction each batch, every"
                    + " request answered as if alone ([decision 0031](decisions/0031-identify-group-commit.md));"
                    + " `false`: one transaction per request");
    public static final Setting COMPAT_DEFAULT_PROGRAM = Setting.optional(
            "COMPAT_DEFAULT_PROGRAM",
            "id or slug of the program that `POST /attribution/events` records into when the key is bound to no"
                    + " program and the body names no `programId`, and that OpenPartner's Stripe webhook path"
                    + " `POST /webhooks/stripe` records into ([stripe.md](stripe.md))");

    public static final Setting LIVE_STATS_SECONDS = Setting.withDefault(
            "LIVE_STATS_SECONDS",
            "2",
            "how old the live click counter (`GET /v1/stats/live`) may be: at most one query per program per"
                    + " interval, however many dashboards watch");

    public static final Setting CLICK_ARCHIVE = Setting.withDefault(
            "CLICK_ARCHIVE",
            "false",
            "with `CLICK_RETENTION_MONTHS`: `true` writes each detached month to the storage (`STORAGE_KIND`) as"
                    + " `archive/click/click_yYYYYmMM.csv.gz`, checks its row count, then drops the table; `false`"
                    + " leaves detached months as tables");

    /** Every variable the api reads; docs/configuration.md is generated from these lists. */
    public static final List<Setting> SETTINGS = DatabaseConfig.serviceSettings(Stream.concat(
                    Stream.of(
                            SharedSettings.TRUSTED_PROXIES,
                            SharedSettings.PUBLIC_API_URL,
                            SharedSettings.PUBLIC_ROUTER_URL,
                            API_PORT,
                            ADMIN_API_KEY,
                            SECRETS_ENCRYPTION_KEY,
                            COMMISSION_APPROVAL_SECONDS,
                            STATS_ROLLUP_SECONDS,
                            CORS_ALLOWED_ORIGINS,
                            IDENTIFY_ALLOW_ANONYMOUS,
                            IDENTIFY_RATE_LIMIT_PER_MINUTE,
                            IDENTIFY_GROUP_COMMIT,
                            COMPAT_DEFAULT_PROGRAM,
                            LIVE_STATS_SECONDS,
                            CLICK_ARCHIVE),
                    Stream.of(
                                    PeopleConfig.SETTINGS,
                                    StorageConfig.SETTINGS,
                                    WebhookConfig.SETTINGS,
                                    MailConfig.SETTINGS,
                                    OutboxRetention.SETTINGS,
                                    EventGroupCommit.SETTINGS)
                            .flatMap(List::stream))
            .toList());

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
        requireNonNull(storage, "storage is null");
        requireNonNull(mail, "mail is null");
        requireNonNull(eventGroupCommit, "eventGroupCommit is null");
        requireNonNull(retention, "retention is null");
    }

    public static ApiConfig fromEnv(Map<String, String> environment) {
        EnvReader env = new EnvReader(environment, SETTINGS);
        int port = env.port(API_PORT);
        Secret adminApiKey = env.requiredSecret(ADMIN_API_KEY);
        if (!adminApiKey.isEmpty() && adminApiKey.reveal().length() < MIN_ADMIN_API_KEY_LENGTH) {
            // The value is a secret: say what is wrong with it, never echo it.
            env.problem("ADMIN_API_KEY must be at least " + MIN_ADMIN_API_KEY_LENGTH + " characters");
        }
        String publicRouterUrl = env.baseUrl(SharedSettings.PUBLIC_ROUTER_URL);
        // Unset, the api is where it listens; port 0 (pick a free one) has no useful URL to guess.
        String publicApiUrl = env.baseUrl(
                SharedSettings.PUBLIC_API_URL,
                "http://localhost:" + (port == 0 ? API_PORT.defaultValue() : Integer.toString(port)));
        int clickRetentionMonths = env.integer(DatabaseConfig.CLICK_RETENTION_MONTHS, 0, 1200);
        int approvalSeconds = env.integer(COMMISSION_APPROVAL_SECONDS, 1, 86_400);
        SecretBox secrets = secretsKey(env);
        WebhookConfig webhooks = WebhookConfig.fromEnv(env);
        DatabaseConfig database = DatabaseConfig.fromEnv(env, DEFAULT_POOL_SIZE);
        List<String> origins = new ArrayList<>();
        for (String entry : env.optional(CORS_ALLOWED_ORIGINS).orElse("").split(",")) {
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
        boolean identifyAllowAnonymous = env.bool(IDENTIFY_ALLOW_ANONYMOUS);
        int identifyRate = env.integer(IDENTIFY_RATE_LIMIT_PER_MINUTE, 1, 100_000);
        List<Cidr> trustedProxies = SharedSettings.trustedProxies(env);
        Optional<String> defaultProgram = env.optional(COMPAT_DEFAULT_PROGRAM);
        if (defaultProgram.isPresent()
                && !PROGRAM_REFERENCE.matcher(defaultProgram.get()).matches()) {
            env.problem("COMPAT_DEFAULT_PROGRAM \"" + defaultProgram.get() + "\" is not a program id or slug");
        }
        int statsRollupSeconds = env.integer(STATS_ROLLUP_SECONDS, 1, 86_400);
        PeopleConfig people = PeopleConfig.fromEnv(env);
        int liveStatsSeconds = env.integer(LIVE_STATS_SECONDS, 1, 3_600);
        StorageConfig storage = StorageConfig.fromEnv(env);
        boolean clickArchive = env.bool(CLICK_ARCHIVE);
        MailConfig mail = MailConfig.fromEnv(env);
        EventGroupCommit.Settings eventGroupCommit = EventGroupCommit.Settings.fromEnv(env);
        boolean identifyGroupCommit = env.bool(IDENTIFY_GROUP_COMMIT);
        OutboxRetention.Settings retention = OutboxRetention.Settings.fromEnv(env);
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
                Duration.ofSeconds(liveStatsSeconds),
                storage,
                clickArchive,
                mail,
                eventGroupCommit,
                identifyGroupCommit,
                retention);
    }

    // Required rather than generated at start: a key that changed with every restart would leave
    // every stored secret unreadable.
    private static SecretBox secretsKey(EnvReader env) {
        String name = SECRETS_ENCRYPTION_KEY.name();
        String generate = "generate one with: head -c 32 /dev/urandom | base64";
        if (!env.secretGiven(SECRETS_ENCRYPTION_KEY)) {
            env.problem(name + " is missing (" + generate + ")");
            return null;
        }
        Optional<Secret> value = env.secret(SECRETS_ENCRYPTION_KEY);
        if (value.isEmpty()) {
            return null; // env.secret recorded why (an unreadable _FILE, or both set)
        }
        // The value is a secret: say what is wrong with it, never echo it.
        return SecretBox.fromBase64(value.get().reveal()).orElseGet(() -> {
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
}
