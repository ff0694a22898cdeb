package clickledger.db;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Secret;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the database is. {@code DATABASE_URL} carries the pooled traffic (possibly through a
 * transaction-mode PgBouncer, flagged by {@code pgbouncer=true}); {@code DATABASE_URL_DIRECT} goes
 * straight to PostgreSQL for migrations, LISTEN/NOTIFY and advisory locks, which a transaction
 * pooler breaks; {@code DATABASE_READ_URL} is an optional replica for analytics.
 */
public record DatabaseConfig(
        Endpoint primary, Endpoint direct, Optional<Endpoint> read, int poolSize, boolean migrateOnStart) {

    public static final Setting DATABASE_URL = Setting.required(
                    "DATABASE_URL",
                    "`postgres://user:pass@host:port/db?…` or `jdbc:postgresql://…`; `pgbouncer=true` marks a"
                            + " transaction-mode pooler (no server-side prepared statements)")
            .shownAs("required (`make run`: the embedded database)")
            .asSecret();
    public static final Setting DATABASE_URL_DIRECT = Setting.computed(
                    "DATABASE_URL_DIRECT",
                    "`DATABASE_URL` (required with `pgbouncer=true`)",
                    "straight to PostgreSQL: migrations, LISTEN/NOTIFY, advisory locks")
            .asSecret();
    public static final Setting DATABASE_READ_URL = Setting.optional(
                    "DATABASE_READ_URL", "optional read replica for analytics queries (stats)")
            .asSecret();
    public static final Setting DB_POOL_SIZE =
            Setting.computed("DB_POOL_SIZE", "api `10`, router `4`", "fixed connection pool size per process (1–500)");
    public static final Setting MIGRATE_ON_START = Setting.withDefault(
            "MIGRATE_ON_START",
            "true",
            "apply pending Flyway migrations at start (Flyway's lock makes concurrent starts safe)");
    public static final Setting CLICK_RETENTION_MONTHS = Setting.withDefault(
                    "CLICK_RETENTION_MONTHS", "0", "detach click partitions older than this many months (0–1200)")
            .shownAs("`0` (keep all)");
    /** What {@link #fromEnv} reads, for a service's list of settings. */
    public static final List<Setting> SETTINGS =
            List.of(DATABASE_URL, DATABASE_URL_DIRECT, DATABASE_READ_URL, DB_POOL_SIZE, MIGRATE_ON_START);

    /**
     * Every setting of a service that opens the database: logging, {@link #SETTINGS}, click
     * retention (the service's partition maintenance), then the service's own.
     */
    public static List<Setting> serviceSettings(List<Setting> own) {
        List<Setting> settings = new ArrayList<>(SharedSettings.LOGGING);
        settings.addAll(SETTINGS);
        settings.add(CLICK_RETENTION_MONTHS);
        settings.addAll(own);
        return List.copyOf(settings);
    }

    /**
     * A JDBC URL plus credentials; {@code pgbouncer} turns off server-side prepared statements. The
     * password is a {@link Secret}, so an endpoint can be logged as it is.
     */
    public record Endpoint(String jdbcUrl, String user, Secret password, boolean pgbouncer) {}

    public static DatabaseConfig fromEnv(EnvReader env, int defaultPoolSize) {
        Optional<Endpoint> primary = parse(env, DATABASE_URL, true);
        Optional<Endpoint> direct = parse(env, DATABASE_URL_DIRECT, false);
        Optional<Endpoint> read = parse(env, DATABASE_READ_URL, false);
        int poolSize = env.integer(DB_POOL_SIZE, defaultPoolSize, 1, 500);
        boolean migrate = env.bool(MIGRATE_ON_START);
        if (primary.isEmpty()) {
            return new DatabaseConfig(new Endpoint("", "", new Secret(""), false), null, read, poolSize, migrate);
        }
        Endpoint directEndpoint = direct.orElse(primary.get());
        if (direct.isEmpty() && primary.get().pgbouncer()) {
            env.problem("DATABASE_URL_DIRECT is missing; it is required when DATABASE_URL goes through PgBouncer "
                    + "(pgbouncer=true), because migrations and LISTEN need a direct connection");
        }
        return new DatabaseConfig(primary.get(), directEndpoint, read, poolSize, migrate);
    }

    private static Optional<Endpoint> parse(EnvReader env, Setting setting, boolean required) {
        Optional<Secret> value = env.secret(setting);
        if (value.isEmpty()) {
            if (required) {
                env.problem(setting.name() + " is missing");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(parseUrl(value.get().reveal()));
        } catch (IllegalArgumentException e) {
            // The message says what is wrong with the URL, never the URL: it may hold a password.
            env.problem(setting.name() + " " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Accepts {@code postgres://user:pass@host:port/db?params} or {@code jdbc:postgresql://...}. */
    public static Endpoint parseUrl(String url) {
        String user = "";
        String password = "";
        String hostPortDb;
        String query;
        if (url.startsWith("jdbc:postgresql://")) {
            int q = url.indexOf('?');
            hostPortDb = url.substring("jdbc:postgresql://".length(), q < 0 ? url.length() : q);
            query = q < 0 ? "" : url.substring(q + 1);
        } else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("is not a valid postgres:// URL");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("has no host");
            }
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : "";
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            hostPortDb = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path;
            query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        } else {
            throw new IllegalArgumentException("must start with postgres:// or jdbc:postgresql://");
        }
        boolean pgbouncer = false;
        List<String> kept = new ArrayList<>();
        for (String param : query.split("&")) {
            if (param.isEmpty()) {
                continue;
            }
            String key = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
            String value = param.contains("=") ? param.substring(param.indexOf('=') + 1) : "";
            switch (key) {
                case "pgbouncer" -> pgbouncer = value.equalsIgnoreCase("true");
                case "user" -> user = decode(value);
                case "password" -> password = decode(value);
                default -> kept.add(param);
            }
        }
        if (pgbouncer) {
            // Transaction pooling hands each transaction to any server connection, so a statement
            // prepared on one is unknown on the next: never prepare on the server.
            kept.removeIf(p -> p.startsWith("prepareThreshold="));
            kept.add("prepareThreshold=0");
        }
        String jdbc = "jdbc:postgresql://" + hostPortDb + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
        return new Endpoint(jdbc, user, new Secret(password), pgbouncer);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
