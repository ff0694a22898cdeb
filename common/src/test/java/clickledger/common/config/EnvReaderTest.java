package clickledger.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvReaderTest {
    private static final Setting DATABASE_URL = Setting.required("DATABASE_URL", "where the database is");
    private static final Setting PORT = Setting.withDefault("ROUTER_PORT", "4701", "HTTP port");
    private static final Setting POOL = Setting.withDefault("DB_POOL_SIZE", "8", "pool size");
    private static final Setting FLAG = Setting.withDefault("FLAG", "false", "a switch");
    private static final Setting KEY =
            Setting.required("ADMIN_API_KEY", "bootstrap key").asSecret();
    private static final List<Setting> DECLARED = List.of(DATABASE_URL, PORT, POOL, FLAG, KEY);

    @Test
    void reportsEveryProblemInOneMessage() {
        EnvReader env = new EnvReader(Map.of("ROUTER_PORT", "abc", "DB_POOL_SIZE", "0", "FLAG", "maybe"), DECLARED);
        env.required(DATABASE_URL);
        env.port(PORT);
        env.integer(POOL, 1, 200);
        env.bool(FLAG);
        assertThatThrownBy(env::finish)
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "Invalid configuration: DATABASE_URL is missing; ROUTER_PORT \"abc\" is not a port; "
                                + "DB_POOL_SIZE \"0\" is not a whole number between 1 and 200; FLAG \"maybe\" is not true or false");
    }

    @Test
    void readsSecretsFromFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "s3cret\n");
        EnvReader env = new EnvReader(Map.of("ADMIN_API_KEY_FILE", file.toString()), DECLARED);
        assertThat(env.requiredSecret(KEY).reveal()).isEqualTo("s3cret");
        env.finish();
    }

    @Test
    void declaredDefaultsApplyWhenUnset() {
        EnvReader env = new EnvReader(Map.of(), DECLARED);
        assertThat(env.port(PORT)).isEqualTo(4701);
        assertThat(env.integer(POOL, 1, 200)).isEqualTo(8);
        assertThat(env.bool(FLAG)).isFalse();
        env.finish();
    }

    @Test
    void readingAnUndeclaredSettingIsAProgrammingError() {
        EnvReader env = new EnvReader(Map.of("API_PORT", "4601"), List.of(PORT));

        assertThatThrownBy(() -> env.port(Setting.withDefault("API_PORT", "4601", "HTTP port")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("API_PORT is read but not declared");
    }

    @Test
    void aSecretIsReadOnlyThroughASecretDeclaration() {
        EnvReader env = new EnvReader(Map.of("DATABASE_URL", "postgres://u:p@h/d"), DECLARED);

        assertThatThrownBy(() -> env.secret(DATABASE_URL))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not declared as one");
    }

    @Test
    void secretNeverShowsItsValue() {
        Secret secret = new Secret("hunter2-hunter2");

        assertThat(secret).hasToString("<redacted>");
        assertThat(List.of(secret).toString()).doesNotContain("hunter2");
        assertThat(secret).isEqualTo(new Secret("hunter2-hunter2")).isNotEqualTo(new Secret("hunter3"));
    }
}
