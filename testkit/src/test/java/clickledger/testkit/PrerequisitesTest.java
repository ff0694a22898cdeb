package clickledger.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {
    @Test
    void missingPrerequisiteSkipsOnADevelopersMachine() {
        assertThatThrownBy(() -> Prerequisites.require(false, "chromium is absent", Map.of()))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("chromium is absent");
    }

    @Test
    void missingPrerequisiteFailsInCi() {
        assertThatThrownBy(() -> Prerequisites.require(false, "node is not installed", Map.of("CI", "true")))
                .isInstanceOf(AssertionError.class)
                .isNotInstanceOf(TestAbortedException.class)
                .hasMessageContaining("CI=true")
                .hasMessageContaining("node is not installed");
    }

    @Test
    void presentPrerequisiteLetsTheTestRun() {
        assertThatCode(() -> Prerequisites.require(true, "unused", Map.of("CI", "true")))
                .doesNotThrowAnyException();
    }
}
