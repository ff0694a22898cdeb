package clickledger.docsgen;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.common.config.Setting;
import clickledger.testkit.Prerequisites;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * compose.yaml and the Dockerfile, checked without a Docker engine: Compose v2 itself parses and
 * resolves the file (scripts/compose.sh config), then the resolved model is held against what the
 * services declare they read, the routes they serve, and the jars `make build` makes.
 */
class ComposeTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** What .env must set (compose.yaml refuses to start without them), as .env.example says. */
    private static final Map<String, String> DOT_ENV = Map.of(
            "POSTGRES_PASSWORD", "a-database-password",
            "ADMIN_API_KEY", "an-admin-key-of-enough-length-123",
            "SECRETS_ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    /** The JVM reads these itself; no service declares them. */
    private static final Set<String> JVM = Set.of("JAVA_TOOL_OPTIONS");

    private static final Map<String, String> SERVICES = Map.of("api", "api", "router", "router", "portal", "portal");

    private static JsonNode model;

    @BeforeAll
    static void resolve() throws IOException, InterruptedException {
        Prerequisites.require(Files.isExecutable(ROOT.resolve("scripts/compose.sh")), "scripts/compose.sh is missing");
        ProcessBuilder builder = new ProcessBuilder(
                        ROOT.resolve("scripts/compose.sh").toString(),
                        "-f",
                        "compose.yaml",
                        "config",
                        "--format",
                        "json")
                .directory(ROOT.toFile());
        builder.environment().putAll(DOT_ENV);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process compose = builder.start();
        String output = new String(compose.getInputStream().readAllBytes(), UTF_8);
        assertThat(compose.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(compose.exitValue()).as("compose config:\n" + output).isZero();
        model = Json.MAPPER.readTree(output);
    }

    /**
     * One secret missing at a time: compose names the first missing variable it meets, and which one
     * that is when several are missing depends on map order, so each must be refused on its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"POSTGRES_PASSWORD", "ADMIN_API_KEY", "SECRETS_ENCRYPTION_KEY"})
    void composeRefusesToStartWithoutEachRequiredSecret(String missing) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        ROOT.resolve("scripts/compose.sh").toString(), "-f", "compose.yaml", "config", "--quiet")
                .directory(ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().keySet().removeAll(DOT_ENV.keySet());
        DOT_ENV.forEach((name, value) -> {
            if (!name.equals(missing)) {
                builder.environment().put(name, value);
            }
        });
        Process compose = builder.start();
        String output = new String(compose.getInputStream().readAllBytes(), UTF_8);
        assertThat(compose.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(compose.exitValue()).as(output).isNotZero();
        assertThat(output).contains("set " + missing);
    }

    @Test
    void everyVariableAServiceReadsIsSetOrHasADefaultAndNothingElseIsSet() {
        List<String> problems = new ArrayList<>();
        for (ConfigurationReference.Service service : ConfigurationReference.SERVICES) {
            String composeName = SERVICES.get(service.name());
            if (composeName == null) {
                continue;
            }
            Set<String> set = new TreeSet<>();
            model.at("/services/" + composeName + "/environment").fieldNames().forEachRemaining(set::add);
            Set<String> read = new TreeSet<>();
            for (Setting setting : service.settings()) {
                read.add(setting.name());
                boolean required =
                        setting.defaultValue() == null && setting.defaultText().startsWith("required");
                if (required && !set.contains(setting.name()) && !set.contains(setting.fileVariable())) {
                    problems.add(composeName + " needs " + setting.name() + " and compose.yaml does not set it");
                }
            }
            for (String name : set) {
                boolean known = read.contains(name)
                        || JVM.contains(name)
                        || (name.endsWith("_FILE") && read.contains(name.substring(0, name.length() - 5)));
                if (!known) {
                    problems.add(composeName + " is given " + name + ", which it never reads");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void eachHealthCheckCallsTheServicesOwnPortAndHealthRoute() {
        Map<String, String> ports = Map.of("api", "API_PORT", "router", "ROUTER_PORT", "portal", "PORTAL_PORT");
        Pattern url = Pattern.compile("http://localhost:(\\d+)(/\\S*)");
        for (var service : ports.entrySet()) {
            JsonNode node = model.at("/services/" + service.getKey());
            String test = node.at("/healthcheck/test").toString();
            Matcher matcher = url.matcher(test.replace("\"", " "));
            assertThat(matcher.find())
                    .as(service.getKey() + " health check " + test)
                    .isTrue();
            assertThat(matcher.group(1))
                    .as(service.getKey() + " checks the port it listens on")
                    .isEqualTo(node.at("/environment/" + service.getValue()).asText());
            // /healthz is what every service registers (WebApp for api and portal, RouterHandler for
            // the router); HealthRoutesTest-style checks of it live in each module's own tests.
            assertThat(matcher.group(2)).isEqualTo("/healthz");
        }
    }

    @Test
    void routerHeapAndSpoolVolumeAreExplicit() {
        JsonNode router = model.at("/services/router");
        assertThat(router.at("/environment/JAVA_TOOL_OPTIONS").asText()).containsPattern("-Xmx\\d+[mg]");
        assertThat(router.at("/mem_limit").isMissingNode()).isFalse();
        String spool = router.at("/environment/CLICK_SPOOL_DIR").asText();
        List<String> targets = new ArrayList<>();
        router.at("/volumes").forEach(volume -> {
            if (volume.at("/type").asText().equals("volume")) {
                targets.add(volume.at("/target").asText());
            }
        });
        assertThat(targets).as("a named volume at CLICK_SPOOL_DIR").contains(spool);
    }

    @Test
    void theApisStorageIsANamedVolume() {
        JsonNode api = model.at("/services/api");
        String directory = api.at("/environment/STORAGE_DIR").asText();
        assertThat(directory).isNotEmpty();
        List<String> targets = new ArrayList<>();
        api.at("/volumes").forEach(volume -> {
            if (volume.at("/type").asText().equals("volume")) {
                targets.add(volume.at("/target").asText());
            }
        });
        assertThat(targets).as("a named volume at STORAGE_DIR").contains(directory);
    }

    @Test
    void dockerfileBuildsAndShipsTheJarsMakeBuildMakes() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        String makefile = Files.readString(ROOT.resolve("Makefile"));
        String run = Files.readString(ROOT.resolve("scripts/run.sh"));
        assertThat(dockerfile).contains("./mvnw -B -q -pl api,router,portal -am package -DskipTests");
        assertThat(makefile).contains("./mvnw -B -q package -DskipTests");
        Matcher copies = Pattern.compile("COPY --from=build /src/([a-z]+)/target/([a-z]+)\\.jar")
                .matcher(dockerfile);
        List<String> shipped = new ArrayList<>();
        while (copies.find()) {
            String module = copies.group(1);
            String jar = copies.group(2);
            shipped.add(module);
            String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
            assertThat(pom).as(module + "/pom.xml names its jar").contains("<finalName>" + jar + "</finalName>");
            assertThat(run).as("make run starts the same jar").contains(module + "/target/" + jar + ".jar");
        }
        assertThat(shipped).containsExactlyInAnyOrder("api", "router", "portal");
        for (String service : SERVICES.keySet()) {
            assertThat(model.at("/services/" + service + "/build/target").asText())
                    .isEqualTo(service);
            assertThat(dockerfile).contains("FROM runtime AS " + service);
        }
    }
}
