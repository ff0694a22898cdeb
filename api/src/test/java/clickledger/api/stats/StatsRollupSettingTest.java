package clickledger.api.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import clickledger.api.ApiConfig;
import clickledger.common.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** STATS_ROLLUP_SECONDS, read with the api's other settings. */
class StatsRollupSettingTest {
    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", "postgres://clickledger:secret@db.internal:5432/clickledger");
        env.put("ADMIN_API_KEY", "an-admin-key-of-enough-length-123");
        env.put("SECRETS_ENCRYPTION_KEY", clickledger.api.TestApi.SECRETS_KEY);
        return env;
    }

    @Test
    void rollupRunsEveryMinuteUnlessTold() {
        assertThat(ApiConfig.fromEnv(environment()).statsRollupInterval()).isEqualTo(Duration.ofSeconds(60));

        Map<String, String> env = environment();
        env.put("STATS_ROLLUP_SECONDS", "15");
        assertThat(ApiConfig.fromEnv(env).statsRollupInterval()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void rollupIntervalOutsideOneSecondToADayIsAConfigurationProblem() {
        for (String bad : new String[] {"0", "86401", "often"}) {
            Map<String, String> env = environment();
            env.put("STATS_ROLLUP_SECONDS", bad);

            assertThatThrownBy(() -> ApiConfig.fromEnv(env))
                    .as(bad)
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                            .singleElement()
                            .asString()
                            .contains("STATS_ROLLUP_SECONDS"));
        }
    }
}
