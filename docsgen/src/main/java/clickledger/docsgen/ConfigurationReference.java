package clickledger.docsgen;

import clickledger.api.ApiConfig;
import clickledger.api.event.EventGroupCommit;
import clickledger.api.mail.MailConfig;
import clickledger.api.maintenance.OutboxRetention;
import clickledger.api.person.PeopleConfig;
import clickledger.api.storage.StorageConfig;
import clickledger.api.transfer.TransferCli;
import clickledger.api.webhook.WebhookConfig;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
import clickledger.db.DatabaseConfig;
import clickledger.portal.PortalConfig;
import clickledger.router.RouterConfig;
import clickledger.testkit.DevDatabaseMain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * docs/configuration.md, rendered from the settings each service declares: the services' own lists
 * say what is read, their declarations say the default and the meaning, so the reference cannot
 * drift from the code. ConfigurationReferenceTest fails when the committed file differs;
 * {@code make docs} rewrites it.
 */
public final class ConfigurationReference {
    /** A process and every variable it reads. */
    public record Service(String name, List<Setting> settings) {}

    /** A table of the reference. */
    public record Section(String title, String intro, List<Setting> settings) {}

    public static final List<Service> SERVICES = List.of(
            new Service("api", ApiConfig.SETTINGS),
            new Service("router", RouterConfig.SETTINGS),
            new Service("portal", PortalConfig.SETTINGS),
            new Service("dev database", DevDatabaseMain.SETTINGS),
            new Service("export/import CLI", TransferCli.SETTINGS));

    /** Variables that only the scripts behind `make` read; no service sees them. */
    public static final List<Setting> SCRIPT_SETTINGS = List.of(
            Setting.computed(
                    "JAVA_HOME",
                    "a JDK 21+ under `/usr/lib/jvm`",
                    "the JDK every `make` target runs on, used when it is 21 or newer (`scripts/find-jdk.sh`)"),
            Setting.optional("JAVA_OPTS", "extra JVM options for every process `make run` starts (`-Xmx512m`)"),
            Setting.computed(
                    "PG_DUMP", "an installed `pg_dump` of the server's major", "client binary `make backup` uses"),
            Setting.computed(
                    "PG_RESTORE",
                    "an installed `pg_restore` of the server's major",
                    "client binary `make restore` uses"),
            Setting.computed("PSQL", "an installed `psql` of the server's major", "client binary `make restore` uses"),
            Setting.optional("CONFIRM", "`yes`: `make restore` replaces the database without asking"),
            Setting.withDefault(
                    "CLICKLEDGER_DATA_DIR",
                    ".data",
                    "where `make run` keeps the embedded database; `make backup`, `restore`, `export` and `import`"
                            + " find its URL there when `DATABASE_URL` is unset"),
            Setting.computed(
                    "CLICKLEDGER_POSTGRES_DIR",
                    "`/tmp/clickledger-postgres-$version`",
                    "where `scripts/postgres-server.sh` unpacks and runs the PostgreSQL server it starts"),
            Setting.withDefault("BACKUP_DIR", "backups", "where `make backup` writes its dumps"),
            Setting.withDefault("FORMAT", "json", "`make export`: `json` (JSON Lines in a zip), `csv` or `sql`"),
            Setting.optional("TABLES", "`make export`: comma-separated tables (every table when unset)"),
            Setting.optional("PROGRAM", "`make export`: one program's id, to export only its rows"),
            Setting.computed("OUT", "`exports/clickledger-YYYYMMDD-HHMMSS.zip`", "`make export`: the file to write"));

    public static final List<Section> SECTIONS = List.of(
            new Section("Logging", "Read by logback in every process.", SharedSettings.LOGGING),
            new Section(
                    "Database",
                    "The api and the router each open their own pools; the portal never connects to PostgreSQL.",
                    concat(
                            DatabaseConfig.SETTINGS,
                            List.of(DatabaseConfig.CLICK_RETENTION_MONTHS, ApiConfig.CLICK_ARCHIVE))),
            new Section(
                    "Public addresses and proxies",
                    "",
                    List.of(
                            SharedSettings.PUBLIC_API_URL,
                            SharedSettings.PUBLIC_ROUTER_URL,
                            SharedSettings.TRUSTED_PROXIES)),
            new Section(
                    "Router",
                    "",
                    List.of(
                            RouterConfig.ROUTER_PORT,
                            RouterConfig.ROUTER_DEFAULT_HOSTS,
                            RouterConfig.COOKIE_DOMAIN,
                            RouterConfig.CLICK_VELOCITY_LIMIT,
                            RouterConfig.CLICK_VELOCITY_WINDOW_SECONDS,
                            RouterConfig.LINK_RELOAD_SECONDS,
                            RouterConfig.CLICK_WRITER_THREADS,
                            RouterConfig.CLICK_QUEUE_CAPACITY,
                            RouterConfig.CLICK_BATCH_MAX,
                            RouterConfig.CLICK_TIMELINE_SAMPLE,
                            RouterConfig.ROUTER_SELECTORS,
                            RouterConfig.CLICK_SPOOL_DIR,
                            RouterConfig.CLICK_DB_BUDGET_MS,
                            RouterConfig.GEOIP_DB_PATH,
                            RouterConfig.GEOIP_CHECK_SECONDS)),
            new Section(
                    "Api",
                    "",
                    List.of(
                            ApiConfig.API_PORT,
                            ApiConfig.ADMIN_API_KEY,
                            ApiConfig.SECRETS_ENCRYPTION_KEY,
                            ApiConfig.COMMISSION_APPROVAL_SECONDS,
                            ApiConfig.STATS_ROLLUP_SECONDS,
                            ApiConfig.CORS_ALLOWED_ORIGINS,
                            ApiConfig.IDENTIFY_ALLOW_ANONYMOUS,
                            ApiConfig.IDENTIFY_RATE_LIMIT_PER_MINUTE,
                            ApiConfig.IDENTIFY_GROUP_COMMIT,
                            ApiConfig.COMPAT_DEFAULT_PROGRAM,
                            ApiConfig.LIVE_STATS_SECONDS,
                            EventGroupCommit.ENABLED,
                            EventGroupCommit.WRITERS)),
            new Section(
                    "People and sessions",
                    "Sign-in, sessions and invitations in the api: [people-and-sessions.md](people-and-sessions.md).",
                    List.of(
                            PeopleConfig.SESSION_IDLE_MINUTES,
                            PeopleConfig.SESSION_MAX_HOURS,
                            PeopleConfig.LOGIN_RATE_LIMIT_PER_MINUTE,
                            PeopleConfig.LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR,
                            PeopleConfig.PASSWORD_RESET_RATE_LIMIT_PER_HOUR,
                            PeopleConfig.APPLICATION_RATE_LIMIT_PER_HOUR)),
            new Section(
                    "Webhooks",
                    "How the api delivers webhooks: [webhooks.md](webhooks.md).",
                    concat(WebhookConfig.SETTINGS, List.of(OutboxRetention.WEBHOOK_LOG_RETENTION_DAYS))),
            new Section(
                    "Storage",
                    "Where the api keeps program logos and archived click months: [operations.md](operations.md#uploads-and-storage).",
                    StorageConfig.SETTINGS),
            new Section(
                    "Mail",
                    "How the api sends mail (invitations, password resets, digests): [partners-and-mail.md](partners-and-mail.md).",
                    concat(MailConfig.SETTINGS, List.of(OutboxRetention.MAIL_LOG_RETENTION_DAYS))),
            new Section(
                    "Portal",
                    "",
                    List.of(
                            PortalConfig.PORTAL_PORT,
                            PortalConfig.PORTAL_URL,
                            PortalConfig.API_URL,
                            PortalConfig.PORTAL_LIVE_SECONDS)),
            new Section("The embedded database of `make run`", "", List.of(DevDatabaseMain.DEV_DB_PORT)));

    private ConfigurationReference() {}

    /** The whole of docs/configuration.md. */
    public static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration\n\n");
        out.append("<!-- Generated from the settings the services declare (docsgen ConfigurationReference);"
                + " edit those, then run `make docs`. -->\n\n");
        out.append("Every service reads its settings from the environment once, at start. A bad or missing value"
                + " stops the process with one message naming every problem (exit status 2), such as\n"
                + "`Invalid configuration: DATABASE_URL is missing; ROUTER_PORT \"abc\" is not a port`.\n"
                + "A secret (marked *secret* below) is never logged, and may come from a file instead:"
                + " `ADMIN_API_KEY_FILE=/run/secrets/admin_key`.\n\n");
        out.append("`make run` sets what a fresh clone needs: the embedded database's `DATABASE_URL`, a generated"
                + " `ADMIN_API_KEY` and `SECRETS_ENCRYPTION_KEY` (kept in `.data/`), `LOG_FORMAT=text`. In production"
                + " set at least those, the `PUBLIC_*` addresses and `PORTAL_URL` (`.env.example` lists them for"
                + " Compose).\n\n");
        for (Section section : SECTIONS) {
            out.append("## ").append(section.title()).append("\n\n");
            if (!section.intro().isEmpty()) {
                out.append(section.intro()).append("\n\n");
            }
            table(out, section.settings(), true);
        }
        out.append("## Only for the scripts\n\n");
        out.append("Read by `make run`, `make backup`, `make restore`, `make export` and `make import`, not by the"
                + " services.\n\n");
        table(out, SCRIPT_SETTINGS, false);
        out.append("Named by the spec, not read yet (they arrive with their features):"
                + " `STORAGE_KIND=fs|s3` with `STORAGE_FS_DIR` / `STORAGE_S3_*`.\n");
        return out.toString();
    }

    /** Which services read each variable, in the order of {@link #SERVICES}. */
    public static Map<String, List<String>> readers() {
        Map<String, List<String>> readers = new LinkedHashMap<>();
        for (Service service : SERVICES) {
            for (Setting setting : service.settings()) {
                readers.computeIfAbsent(setting.name(), name -> new ArrayList<>())
                        .add(service.name());
            }
        }
        return readers;
    }

    private static void table(StringBuilder out, List<Setting> settings, boolean withReaders) {
        Map<String, List<String>> readers = readers();
        out.append(
                withReaders
                        ? "| variable | default | read by | meaning |\n| --- | --- | --- | --- |\n"
                        : "| variable | default | meaning |\n| --- | --- | --- |\n");
        for (Setting setting : settings) {
            out.append("| `").append(setting.name()).append("` | ").append(cell(setting.defaultText()));
            if (withReaders) {
                List<String> names = readers.getOrDefault(setting.name(), List.of());
                out.append(" | ").append(names.size() == SERVICES.size() ? "all" : String.join(", ", names));
            }
            out.append(" | ").append(cell(setting.description()));
            if (setting.secret()) {
                out.append("; *secret*, or from the file named by `")
                        .append(setting.fileVariable())
                        .append("`");
            }
            out.append(" |\n");
        }
        out.append("\n");
    }

    // A pipe inside a table cell ends the cell unless escaped.
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static List<Setting> concat(List<Setting> first, List<Setting> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }
}
