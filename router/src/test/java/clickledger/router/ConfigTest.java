package clickledger.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.common.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {
    @Test
    void badConfigurationNamesEveryProblemInOneMessage() {
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(
                        "ROUTER_PORT", "abc",
                        "DB_POOL_SIZE", "0",
                        "TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal",
                        "COOKIE_DOMAIN", "bad domain",
                        "CLICK_VELOCITY_LIMIT", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Invalid configuration: ")
                .hasMessageContaining("ROUTER_PORT \"abc\" is not a port")
                .hasMessageContaining("DATABASE_URL is missing")
                .hasMessageContaining("DB_POOL_SIZE \"0\"")
                .hasMessageContaining("TRUSTED_PROXIES entry \"proxy.internal\"")
                .hasMessageContaining("COOKIE_DOMAIN \"bad domain\"")
                .hasMessageContaining("CLICK_VELOCITY_LIMIT \"-1\"");
    }

    @Test
    void theTimelineSampleAndTheSelectorsAreBoundedAndDefaultToTheTimelineOnAndTwoSelectors() {
        RouterConfig defaults = RouterConfig.fromEnv(Map.of("DATABASE_URL", "postgres://u:p@db:5432/cl"));
        assertThat(defaults.timelineSample()).isEqualTo(64);
        assertThat(defaults.selectors()).as("two lanes of group commit").isEqualTo(2);
        RouterConfig set = RouterConfig.fromEnv(Map.of(
                "DATABASE_URL", "postgres://u:p@db:5432/cl", "CLICK_TIMELINE_SAMPLE", "0", "ROUTER_SELECTORS", "3"));
        assertThat(set.timelineSample()).isZero();
        assertThat(set.selectors()).isEqualTo(3);
        assertThatThrownBy(() -> RouterConfig.fromEnv(Map.of(
                        "DATABASE_URL", "postgres://u:p@db:5432/cl",
                        "CLICK_TIMELINE_SAMPLE", "-1",
                        "ROUTER_SELECTORS", "0")))
                .hasMessageContaining("CLICK_TIMELINE_SAMPLE \"-1\"")
                .hasMessageContaining("ROUTER_SELECTORS \"0\"");
    }

    @Test
    void pgbouncerNeedsADirectUrl() {
        assertThatThrownBy(
                        () -> RouterConfig.fromEnv(Map.of("DATABASE_URL", "postgres://u:p@db:6432/cl?pgbouncer=true")))
                .hasMessageContaining("DATABASE_URL_DIRECT is missing");
    }

    @Test
    void acceptsBothUrlFormsAndDefaults() {
        RouterConfig config = RouterConfig.fromEnv(Map.of(
                "DATABASE_URL", "postgres://app:s%40cret@db:6432/cl?pgbouncer=true&sslmode=disable",
                "DATABASE_URL_DIRECT", "jdbc:postgresql://db:5432/cl?user=app&password=x"));
        assertThat(config.port()).isEqualTo(4701);
        assertThat(config.database().primary().jdbcUrl())
                .isEqualTo("jdbc:postgresql://db:6432/cl?sslmode=disable&prepareThreshold=0");
        assertThat(config.database().primary().password().reveal()).isEqualTo("s@cret");
        assertThat(config.database().primary().pgbouncer()).isTrue();
        assertThat(config.database().direct().jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/cl");
        assertThat(config.database().direct().user()).isEqualTo("app");
        assertThat(config.database().poolSize()).isEqualTo(RouterConfig.DEFAULT_POOL_SIZE);
    }
}
