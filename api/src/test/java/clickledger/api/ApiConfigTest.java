package clickledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiConfigTest {
    private static final String KEY = "an-admin-key-of-enough-length-123";
    private static final String SECRETS_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

    private static Map<String, String> valid() {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", "postgres://clickledger:secret@db.internal:5432/clickledger");
        env.put("ADMIN_API_KEY", KEY);
        env.put("SECRETS_ENCRYPTION_KEY", SECRETS_KEY);
        return env;
    }

    @Test
    void defaultsApplyWhenOnlyTheRequiredSettingsAreGiven() {
        ApiConfig config = ApiConfig.fromEnv(valid());

        assertThat(config.port()).isEqualTo(4601);
        assertThat(config.adminApiKey().reveal()).isEqualTo(KEY);
        assertThat(config.publicRouterUrl()).isEqualTo("http://localhost:4701");
        assertThat(config.publicApiUrl()).isEqualTo("http://localhost:4601");
        assertThat(config.clickRetentionMonths()).isZero();
        assertThat(config.database().poolSize()).isEqualTo(10);
        assertThat(config.database().primary().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/clickledger");
    }

    @Test
    void everyProblemIsReportedInOneException() {
        Map<String, String> env = new HashMap<>();
        env.put("API_PORT", "abc");
        env.put("PUBLIC_ROUTER_URL", "javascript:alert(1)");
        env.put("CLICK_RETENTION_MONTHS", "-1");

        assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .hasSize(6)
                        .anySatisfy(problem -> assertThat(problem).contains("DATABASE_URL is missing"))
                        .anySatisfy(problem -> assertThat(problem).contains("ADMIN_API_KEY is missing"))
                        .anySatisfy(problem -> assertThat(problem).contains("SECRETS_ENCRYPTION_KEY is missing"))
                        .anySatisfy(problem -> assertThat(problem).contains("API_PORT \"abc\" is not a port"))
                        .anySatisfy(problem -> assertThat(problem).contains("PUBLIC_ROUTER_URL"))
                        .anySatisfy(problem -> assertThat(problem).contains("CLICK_RETENTION_MONTHS")))
                .hasMessageStartingWith("Invalid configuration: ");
    }

    @Test
    void shortAdminKeyIsRefusedWithoutEchoingIt() {
        Map<String, String> env = valid();
        env.put("ADMIN_API_KEY", "short-secret");

        assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ADMIN_API_KEY must be at least 24 characters")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void secretsKeyThatIsNotBase64Of32BytesIsRefusedWithoutEchoingIt() {
        for (String bad : new String[] {"not-base64-at-all!", "c2hvcnQ=", SECRETS_KEY + SECRETS_KEY}) {
            Map<String, String> env = valid();
            env.put("SECRETS_ENCRYPTION_KEY", bad);

            assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("SECRETS_ENCRYPTION_KEY must be base64 of exactly 32 bytes")
                    .hasMessageNotContaining(bad);
        }
    }

    @Test
    void secretsKeyIsReadFromTheFileNamedBySecretsEncryptionKeyFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("secrets-key");
        Files.writeString(file, SECRETS_KEY + "\n");
        Map<String, String> env = valid();
        env.remove("SECRETS_ENCRYPTION_KEY");
        env.put("SECRETS_ENCRYPTION_KEY_FILE", file.toString());

        assertThat(ApiConfig.fromEnv(env).secrets()).isNotNull();
    }

    @Test
    void webhookSettingsHaveTheSpecDefaultsAndAreRead() {
        ApiConfig defaults = ApiConfig.fromEnv(valid());
        Map<String, String> env = valid();
        env.put("WEBHOOK_RETRY_BASE_SECONDS", "2");
        env.put("WEBHOOK_RETRY_CAP_SECONDS", "60");
        env.put("WEBHOOK_MAX_ATTEMPTS", "3");
        env.put("WEBHOOK_ALLOW_PRIVATE", "true");

        ApiConfig config = ApiConfig.fromEnv(env);

        assertThat(defaults.webhooks().retryBase()).hasSeconds(30);
        assertThat(defaults.webhooks().retryCap()).hasHours(6);
        assertThat(defaults.webhooks().maxAttempts()).isEqualTo(20);
        assertThat(defaults.webhooks().concurrency()).isEqualTo(64);
        assertThat(defaults.webhooks().endpointConcurrency()).isEqualTo(8);
        assertThat(defaults.webhooks().timeout()).hasSeconds(10);
        assertThat(defaults.webhooks().allowPrivate()).isFalse();
        assertThat(config.webhooks().retryBase()).hasSeconds(2);
        assertThat(config.webhooks().retryCap()).hasSeconds(60);
        assertThat(config.webhooks().maxAttempts()).isEqualTo(3);
        assertThat(config.webhooks().allowPrivate()).isTrue();
    }

    @Test
    void eventGroupCommitIsOnWithOneWriterUnlessSetAndBadValuesAreNamed() {
        ApiConfig defaults = ApiConfig.fromEnv(valid());
        Map<String, String> env = valid();
        env.put("EVENT_GROUP_COMMIT", "false");
        env.put("EVENT_GROUP_COMMIT_WRITERS", "2");

        ApiConfig config = ApiConfig.fromEnv(env);

        assertThat(defaults.eventGroupCommit().enabled()).isTrue();
        assertThat(defaults.eventGroupCommit().writers()).isEqualTo(1);
        assertThat(config.eventGroupCommit().enabled()).isFalse();
        assertThat(config.eventGroupCommit().writers()).isEqualTo(2);
        Map<String, String> bad = valid();
        bad.put("EVENT_GROUP_COMMIT", "sometimes");
        bad.put("EVENT_GROUP_COMMIT_WRITERS", "0");
        assertThatThrownBy(() -> ApiConfig.fromEnv(bad))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("EVENT_GROUP_COMMIT ")
                .hasMessageContaining("EVENT_GROUP_COMMIT_WRITERS");
    }

    @Test
    void webhookCapBelowBaseIsAProblem() {
        Map<String, String> env = valid();
        env.put("WEBHOOK_RETRY_BASE_SECONDS", "100");
        env.put("WEBHOOK_RETRY_CAP_SECONDS", "10");

        assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("WEBHOOK_RETRY_CAP_SECONDS (10) is below WEBHOOK_RETRY_BASE_SECONDS (100)");
    }

    @Test
    void adminKeyIsReadFromTheFileNamedByAdminApiKeyFile(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("admin-key");
        Files.writeString(file, KEY + "-from-file\n");
        Map<String, String> env = valid();
        env.remove("ADMIN_API_KEY");
        env.put("ADMIN_API_KEY_FILE", file.toString());

        assertThat(ApiConfig.fromEnv(env).adminApiKey().reveal()).isEqualTo(KEY + "-from-file");
    }

    @Test
    void publicUrlsMustBeAbsoluteHttpUrls() {
        for (String bad :
                new String[] {"go.example.com", "ftp://go.example.com", "https://", "https://go.example.com/?a=b"}) {
            Map<String, String> env = valid();
            env.put("PUBLIC_ROUTER_URL", bad);
            env.put("PUBLIC_API_URL", bad);

            assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                    .as(bad)
                    .isInstanceOfSatisfying(
                            ConfigException.class, e -> assertThat(e.problems()).hasSize(2));
        }
    }

    @Test
    void trailingSlashOfPublicUrlsIsDropped() {
        Map<String, String> env = valid();
        env.put("PUBLIC_ROUTER_URL", "https://go.example.com/");
        env.put("PUBLIC_API_URL", "https://api.example.com/base/");

        ApiConfig config = ApiConfig.fromEnv(env);

        assertThat(config.publicRouterUrl()).isEqualTo("https://go.example.com");
        assertThat(config.publicApiUrl()).isEqualTo("https://api.example.com/base");
    }

    @Test
    void retentionAndPortAreRead() {
        Map<String, String> env = valid();
        env.put("API_PORT", "9000");
        env.put("CLICK_RETENTION_MONTHS", "24");

        ApiConfig config = ApiConfig.fromEnv(env);

        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.publicApiUrl()).isEqualTo("http://localhost:9000");
        assertThat(config.clickRetentionMonths()).isEqualTo(24);
    }

    @Test
    void toStringNeverShowsTheAdminKeyOrDatabasePassword() {
        String text = ApiConfig.fromEnv(valid()).toString();

        assertThat(text)
                .doesNotContain(KEY)
                .doesNotContain(SECRETS_KEY)
                // the database password of valid(); "secrets" is the name of a component
                .doesNotContain("=secret")
                .doesNotContain(":secret")
                .contains("adminApiKey=<redacted>")
                .contains("password=<redacted>");
    }
}
