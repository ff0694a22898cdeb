package clickledger.testkit;

import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from outside the JVM (Chromium, Node): on a developer's machine without it,
 * the test is skipped and says why, so a JDK alone still passes {@code make test}. Under
 * {@code CI=true} it fails instead: .ci/run installs these, and a green CI must mean the test ran.
 */
public final class Prerequisites {
    private Prerequisites() {}

    /** Call from {@code @BeforeEach}, so each test reports its own skip or failure with the reason. */
    public static void require(boolean present, String reason) {
        require(present, reason, System.getenv());
    }

    static void require(boolean present, String reason, Map<String, String> environment) {
        if (present) {
            return;
        }
        if ("true".equalsIgnoreCase(environment.get("CI"))) {
            throw new AssertionError("CI=true, so this test may not skip: " + reason);
        }
        Assumptions.abort("skipped: " + reason);
    }
}
