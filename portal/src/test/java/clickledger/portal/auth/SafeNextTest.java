package clickledger.portal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeNextTest {
    @Test
    void pathsOfThePortalAreKept() {
        assertThat(SignInRoutes.safeNext("/partners?q=ada")).isEqualTo("/partners?q=ada");
        assertThat(SignInRoutes.safeNext("/")).isEqualTo("/");
    }

    @Test
    void anythingThatCouldLeaveThePortalBecomesTheDashboard() {
        for (String next : new String[] {
            null,
            "",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/ok\r\nSet-Cookie: x=y",
            "/a\\b",
            "/" + "x".repeat(3000)
        }) {
            assertThat(SignInRoutes.safeNext(next)).as(String.valueOf(next)).isEqualTo("/");
        }
    }
}
