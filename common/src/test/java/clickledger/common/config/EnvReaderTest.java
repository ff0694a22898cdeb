package clickledger.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvReaderTest {
    @Test
    void reportsEveryProblemInOneMessage() {
        EnvReader env = new EnvReader(Map.of("ROUTER_PORT", "abc", "DB_POOL_SIZE", "0", "FLAG", "maybe"));
        env.required("DATABASE_URL");
        env.port("ROUTER_PORT", 4701);
        env.integer("DB_POOL_SIZE", 8, 1, 200);
        env.bool("FLAG", false);
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
        EnvReader env = new EnvReader(Map.of("ADMIN_API_KEY_FILE", file.toString()));
        assertThat(env.requiredSecret("ADMIN_API_KEY")).isEqualTo("s3cret");
        env.finish();
    }

    @Test
    void defaultsApplyWhenUnset() {
        EnvReader env = new EnvReader(Map.of());
        assertThat(env.port("API_PORT", 4601)).isEqualTo(4601);
        assertThat(env.bool("X", true)).isTrue();
        env.finish();
    }
}
