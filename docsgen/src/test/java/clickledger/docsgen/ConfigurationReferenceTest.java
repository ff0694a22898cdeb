package clickledger.docsgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import clickledger.api.ApiConfig;
import clickledger.api.transfer.TransferCli;
import clickledger.common.config.Setting;
import clickledger.common.config.SharedSettings;
import clickledger.docsgen.ConfigurationReference.Service;
import clickledger.portal.PortalConfig;
import clickledger.router.RouterConfig;
import clickledger.testkit.DevDatabaseMain;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is what the declarations say, and the declarations are what the services
 * read. Run with {@code -Dclickledger.docs.write=true} ({@code make docs}) to rewrite the file.
 */
class ConfigurationReferenceTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path REFERENCE = ROOT.resolve("docs/configuration.md");
    private static final Set<String> LOGBACK = names(SharedSettings.LOGGING);

    /** How each service turns an environment into its configuration, as its Main does. */
    private static final Map<String, Function<Map<String, String>, Object>> READERS = Map.of(
            "api", ApiConfig::fromEnv,
            "router", RouterConfig::fromEnv,
            "portal", PortalConfig::fromEnv,
            "dev database", DevDatabaseMain::port,
            "export/import CLI", TransferCli::config);

    /** What every service needs to start, so a sample changes one thing and nothing fails. */
    private static final Map<String, String> REQUIRED = Map.of(
            "DATABASE_URL", "postgres://clickledger:pw@db.internal:5432/clickledger",
            "ADMIN_API_KEY", "an-admin-key-of-enough-length-123",
            "SECRETS_ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

    /** A valid value unlike the default, for every variable a service reads through its config. */
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("DATABASE_URL", "postgres://other:pw@db2.internal:5432/clickledger"),
            Map.entry("DATABASE_URL_DIRECT", "postgres://clickledger:pw@primary.internal:5432/clickledger"),
            Map.entry("DATABASE_READ_URL", "postgres://clickledger:pw@replica.internal:5432/clickledger"),
            Map.entry("DB_POOL_SIZE", "3"),
            Map.entry("MIGRATE_ON_START", "false"),
            Map.entry("CLICK_RETENTION_MONTHS", "12"),
            Map.entry("CLICK_ARCHIVE", "true"),
            Map.entry("STORAGE_KIND", "s3"),
            Map.entry("STORAGE_DIR", "/var/lib/clickledger/storage"),
            Map.entry("STORAGE_S3_BUCKET", "logos"),
            Map.entry("STORAGE_S3_REGION", "eu-central-1"),
            Map.entry("STORAGE_S3_ENDPOINT", "https://minio.example.com"),
            Map.entry("STORAGE_S3_ACCESS_KEY_ID", "AKIAEXAMPLE"),
            Map.entry("STORAGE_S3_SECRET_ACCESS_KEY", "example-secret"),
            Map.entry("STORAGE_S3_PATH_STYLE", "false"),
            Map.entry("STORAGE_S3_PREFIX", "clickledger/"),
            Map.entry("TRUSTED_PROXIES", "10.0.0.0/8"),
            Map.entry("PUBLIC_API_URL", "https://api.example.com"),
            Map.entry("PUBLIC_ROUTER_URL", "https://go.example.com"),
            Map.entry("ROUTER_DEFAULT_HOSTS", "links.example.com, go-old.example.com"),
            Map.entry("API_PORT", "4602"),
            Map.entry("ADMIN_API_KEY", "another-admin-key-of-enough-length"),
            Map.entry("SECRETS_ENCRYPTION_KEY", "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="),
            Map.entry("COMMISSION_APPROVAL_SECONDS", "30"),
            Map.entry("STATS_ROLLUP_SECONDS", "120"),
            Map.entry("LIVE_STATS_SECONDS", "5"),
            Map.entry("SESSION_IDLE_MINUTES", "60"),
            Map.entry("SESSION_MAX_HOURS", "24"),
            Map.entry("LOGIN_RATE_LIMIT_PER_MINUTE", "5"),
            Map.entry("LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "50"),
            Map.entry("CORS_ALLOWED_ORIGINS", "https://shop.example.com"),
            Map.entry("IDENTIFY_ALLOW_ANONYMOUS", "true"),
            Map.entry("IDENTIFY_RATE_LIMIT_PER_MINUTE", "5"),
            Map.entry("IDENTIFY_GROUP_COMMIT", "false"),
            Map.entry("COMPAT_DEFAULT_PROGRAM", "acme"),
            Map.entry("WEBHOOK_RETRY_BASE_SECONDS", "10"),
            Map.entry("WEBHOOK_RETRY_CAP_SECONDS", "3600"),
            Map.entry("WEBHOOK_MAX_ATTEMPTS", "5"),
            Map.entry("WEBHOOK_CONCURRENCY", "4"),
            Map.entry("WEBHOOK_ENDPOINT_CONCURRENCY", "1"),
            Map.entry("WEBHOOK_POLL_INTERVAL_MS", "500"),
            Map.entry("WEBHOOK_TIMEOUT_SECONDS", "5"),
            Map.entry("WEBHOOK_ALLOW_PRIVATE", "true"),
            Map.entry("WEBHOOK_BREAKER_THRESHOLD", "3"),
            Map.entry("WEBHOOK_BREAKER_COOLDOWN_SECONDS", "30"),
            Map.entry("WEBHOOK_DISABLE_AFTER_HOURS", "24"),
            Map.entry("WEBHOOK_WORKER_ENABLED", "false"),
            Map.entry("EVENT_GROUP_COMMIT", "false"),
            Map.entry("EVENT_GROUP_COMMIT_WRITERS", "2"),
            Map.entry("PASSWORD_RESET_RATE_LIMIT_PER_HOUR", "3"),
            Map.entry("APPLICATION_RATE_LIMIT_PER_HOUR", "10"),
            Map.entry("SMTP_URL", "smtps://partners%40acme.example:pw@smtp.acme.example:465"),
            Map.entry("SMTP_FROM", "Acme Partners <partners@acme.example>"),
            Map.entry("SMTP_STARTTLS", "false"),
            Map.entry("SMTP_TIMEOUT_SECONDS", "10"),
            Map.entry("MAIL_DIR", "/var/lib/clickledger/mail"),
            Map.entry("MAIL_RETRY_BASE_SECONDS", "10"),
            Map.entry("MAIL_RETRY_CAP_SECONDS", "600"),
            Map.entry("MAIL_MAX_ATTEMPTS", "5"),
            Map.entry("MAIL_CONCURRENCY", "2"),
            Map.entry("MAIL_POLL_INTERVAL_MS", "500"),
            Map.entry("MAIL_WORKER_ENABLED", "false"),
            Map.entry("MAIL_DIGEST_HOUR", "17"),
            Map.entry("MAIL_LOG_RETENTION_DAYS", "7"),
            Map.entry("WEBHOOK_LOG_RETENTION_DAYS", "30"),
            Map.entry("ROUTER_PORT", "4702"),
            Map.entry("COOKIE_DOMAIN", "example.com"),
            Map.entry("CLICK_VELOCITY_LIMIT", "20"),
            Map.entry("CLICK_VELOCITY_WINDOW_SECONDS", "30"),
            Map.entry("LINK_RELOAD_SECONDS", "30"),
            Map.entry("CLICK_WRITER_THREADS", "1"),
            Map.entry("CLICK_QUEUE_CAPACITY", "1000"),
            Map.entry("CLICK_BATCH_MAX", "100"),
            Map.entry("CLICK_TIMELINE_SAMPLE", "8"),
            Map.entry("ROUTER_SELECTORS", "3"),
            Map.entry("CLICK_SPOOL_DIR", "/var/lib/clickledger/spool"),
            Map.entry("CLICK_DB_BUDGET_MS", "100"),
            Map.entry("GEOIP_DB_PATH", "/var/lib/clickledger/geoip/country.mmdb"),
            Map.entry("GEOIP_CHECK_SECONDS", "300"),
            Map.entry("PORTAL_PORT", "8081"),
            Map.entry("PORTAL_URL", "https://partners.example.com"),
            Map.entry("API_URL", "http://api:4601"),
            Map.entry("PORTAL_LIVE_SECONDS", "9"),
            Map.entry("DEV_DB_PORT", "54330"));

    @Test
    void committedReferenceIsWhatTheDeclarationsSay() throws IOException {
        String generated = ConfigurationReference.render();
        if (Boolean.getBoolean("clickledger.docs.write")) {
            Files.writeString(REFERENCE, generated);
        }
        String committed = Files.exists(REFERENCE) ? Files.readString(REFERENCE) : "";

        assertThat(committed)
                .as("docs/configuration.md differs from the settings the services declare; run `make docs`")
                .isEqualTo(generated);
    }

    @Test
    void everyServiceReadsExactlyTheVariablesItDeclares() {
        for (Service service : ConfigurationReference.SERVICES) {
            RecordingEnvironment environment = new RecordingEnvironment(REQUIRED);
            READERS.get(service.name()).apply(environment);

            Set<String> declared = names(service.settings());
            declared.removeAll(LOGBACK);
            Set<String> read = new TreeSet<>();
            for (String name : environment.read) {
                read.add(
                        declaredSecretFile(service, name) ? name.substring(0, name.length() - "_FILE".length()) : name);
            }
            assertThat(read).as(service.name() + " reads").containsExactlyInAnyOrderElementsOf(declared);
        }
    }

    @Test
    void everyVariableChangesItsServicesConfiguration() {
        for (Service service : ConfigurationReference.SERVICES) {
            Function<Map<String, String>, Object> reader = READERS.get(service.name());
            Object defaults = reader.apply(new HashMap<>(REQUIRED));
            for (Setting setting : service.settings()) {
                if (LOGBACK.contains(setting.name())) {
                    continue;
                }
                String sample = SAMPLES.get(setting.name());
                assertThat(sample).as("a sample value for " + setting.name()).isNotNull();
                Map<String, String> environment = new HashMap<>(REQUIRED);
                environment.put(setting.name(), sample);

                assertThat(reader.apply(environment))
                        .as(service.name() + " with " + setting.name() + "=" + sample)
                        .isNotEqualTo(defaults);
            }
        }
    }

    @Test
    void logbackReadsOnlyTheLoggingSettings() throws IOException {
        String logback;
        try (InputStream in = SharedSettings.class.getResourceAsStream("/logback.xml")) {
            assertThat(in).as("logback.xml on the classpath").isNotNull();
            logback = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Set<String> read = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(logback);
        while (matcher.find()) {
            read.add(matcher.group(1));
        }

        assertThat(read).containsExactlyInAnyOrderElementsOf(LOGBACK);
        for (Service service : ConfigurationReference.SERVICES) {
            assertThat(names(service.settings())).as(service.name()).containsAll(LOGBACK);
        }
    }

    @Test
    void everyReadVariableIsInExactlyOneSection() {
        List<String> sectioned = ConfigurationReference.SECTIONS.stream()
                .flatMap(section -> section.settings().stream())
                .map(Setting::name)
                .toList();

        assertThat(sectioned).doesNotHaveDuplicates();
        assertThat(sectioned)
                .containsExactlyInAnyOrderElementsOf(
                        ConfigurationReference.readers().keySet());
    }

    @Test
    void scriptsReadOnlyDeclaredVariables() throws IOException {
        Set<String> declared = new TreeSet<>(ConfigurationReference.readers().keySet());
        declared.addAll(names(ConfigurationReference.SCRIPT_SETTINGS));
        declared.addAll(List.of("ADMIN_API_KEY_FILE", "SECRETS_ENCRYPTION_KEY_FILE", "SMTP_URL_FILE"));
        Pattern defaulted = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):?-");
        Pattern tool = Pattern.compile("pg_tool \\S+ ([A-Z][A-Z0-9_]*)");
        Set<String> read = new TreeSet<>();
        try (Stream<Path> scripts = Files.list(ROOT.resolve("scripts"))) {
            for (Path script :
                    scripts.filter(path -> path.toString().endsWith(".sh")).toList()) {
                // Comments name variables without reading them ("pg_tool NAME VARIABLE").
                String text = String.join(
                        "\n",
                        Files.readAllLines(script).stream()
                                .filter(line -> !line.stripLeading().startsWith("#"))
                                .toList());
                for (Pattern pattern : List.of(defaulted, tool)) {
                    Matcher matcher = pattern.matcher(text);
                    while (matcher.find()) {
                        read.add(matcher.group(1));
                    }
                }
            }
        }

        assertThat(read).isNotEmpty();
        assertThat(declared).containsAll(read);
    }

    private static boolean declaredSecretFile(Service service, String name) {
        return service.settings().stream()
                .anyMatch(setting -> setting.secret() && setting.fileVariable().equals(name));
    }

    private static Set<String> names(List<Setting> settings) {
        Set<String> names = new LinkedHashSet<>();
        settings.forEach(setting -> names.add(setting.name()));
        return names;
    }

    /** An environment that notes every name looked up, however the service looks it up. */
    private static final class RecordingEnvironment extends AbstractMap<String, String> {
        private final Map<String, String> values;
        private final Set<String> read = new TreeSet<>();

        RecordingEnvironment(Map<String, String> values) {
            this.values = Map.copyOf(values);
        }

        @Override
        public String get(Object key) {
            read.add((String) key);
            return values.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            read.add((String) key);
            return values.containsKey(key);
        }

        @Override
        public String getOrDefault(Object key, String defaultValue) {
            read.add((String) key);
            return values.getOrDefault(key, defaultValue);
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            // A service that walks the whole environment would escape the record: fail instead.
            fail("a service iterated over the whole environment instead of reading declared names");
            return Set.of();
        }
    }
}
