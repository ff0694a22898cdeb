package clickledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Main as an operator meets it: a separate JVM started with a bad environment. */
class MainTest {

    @Test
    void badConfigurationPrintsEveryProblemOnOneLineAndExitsWith2() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder =
                new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName());
        Map<String, String> env = builder.environment();
        env.keySet()
                .removeIf(name -> name.startsWith("DATABASE_")
                        || name.startsWith("ADMIN_API_KEY")
                        || name.startsWith("SECRETS_ENCRYPTION_KEY"));
        env.put("API_PORT", "abc");
        Process process = builder.start();

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();

        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(stderr)
                .isEqualTo("Invalid configuration: API_PORT \"abc\" is not a port; ADMIN_API_KEY is missing; "
                        + "SECRETS_ENCRYPTION_KEY is missing (generate one with: head -c 32 /dev/urandom | base64); "
                        + "DATABASE_URL is missing");
    }
}
