package clickledger.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.common.config.EnvReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseConfigTest {
    @Test
    void parsesPostgresUrlsWithCredentialsAndParameters() {
        var endpoint =
                DatabaseConfig.parseUrl("postgres://app:p%3Ass@db.internal:6432/clicks?sslmode=require&pgbouncer=true");
        assertThat(endpoint.jdbcUrl())
                .isEqualTo("jdbc:postgresql://db.internal:6432/clicks?sslmode=require&prepareThreshold=0");
        assertThat(endpoint.user()).isEqualTo("app");
        assertThat(endpoint.password().reveal()).isEqualTo("p:ss");
        assertThat(endpoint.pgbouncer()).isTrue();
        assertThat(endpoint.toString()).doesNotContain("p:ss");
    }

    @Test
    void keepsJdbcUrlsAndTakesCredentialsOutOfTheQuery() {
        var endpoint = DatabaseConfig.parseUrl("jdbc:postgresql://localhost:5432/cl?user=u&password=pw&ssl=false");
        assertThat(endpoint.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/cl?ssl=false");
        assertThat(endpoint.user()).isEqualTo("u");
        assertThat(endpoint.password().reveal()).isEqualTo("pw");
        assertThat(endpoint.pgbouncer()).isFalse();
    }

    @Test
    void rejectsOtherSchemes() {
        assertThatThrownBy(() -> DatabaseConfig.parseUrl("mysql://x/y")).hasMessageContaining("postgres://");
    }

    @Test
    void directDefaultsToPrimaryAndReadIsOptional() {
        EnvReader env = new EnvReader(Map.of("DATABASE_URL", "postgres://localhost/cl"), DatabaseConfig.SETTINGS);
        DatabaseConfig config = DatabaseConfig.fromEnv(env, 7);
        env.finish();
        assertThat(config.direct()).isEqualTo(config.primary());
        assertThat(config.read()).isEmpty();
        assertThat(config.poolSize()).isEqualTo(7);
        assertThat(config.migrateOnStart()).isTrue();
    }
}
