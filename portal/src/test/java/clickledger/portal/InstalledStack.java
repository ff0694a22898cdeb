package clickledger.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * One {@link PortalStack} (no router) with clickledger installed, shared by the test classes that
 * talk HTTP to the portal: starting the api and the portal costs seconds, so they are started once
 * per test JVM and stopped when it ends. Sign-ins are limited to 5 a minute per address here; the
 * tests' {@link HttpBrowser}s each come from an address of their own.
 */
final class InstalledStack {
    static final String EMAIL = "root@example.com";
    static final String PASSWORD = "a long enough admin password 7";

    private static PortalStack stack;
    private static String programId;

    private InstalledStack() {}

    static synchronized PortalStack get() throws Exception {
        if (stack == null) {
            PortalStack started = PortalStack.start(
                    false,
                    Map.of("LOGIN_RATE_LIMIT_PER_MINUTE", "5", "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000"),
                    Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "portal-test-stack"));
            HttpResponse<String> installed = HttpBrowser.send(HttpRequest.newBuilder(
                            URI.create(started.apiUrl() + "/v1/install"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"admin\":{\"name\":\"Root\",\"email\":\"" + EMAIL
                            + "\",\"password\":\"" + PASSWORD + "\"},\"program\":{\"slug\":\"shop\",\"name\":\"Shop\","
                            + "\"currency\":\"EUR\",\"destinationUrl\":\"https://shop.example.com/\"}}")));
            assertThat(installed.statusCode()).as(installed.body()).isEqualTo(201);
            programId = installed.body().replaceFirst("(?s).*\"program\":\\{\"id\":\"([^\"]+)\".*", "$1");
            stack = started;
        }
        return stack;
    }

    static synchronized String programId() throws Exception {
        get();
        return programId;
    }
}
