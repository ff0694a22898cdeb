package clickledger.portal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.portal.api.Session;
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

    private static final Session.Me ADMIN = new Session.Me("admin", "01A", "a@example.com", "A", null);
    private static final Session.Me PARTNER = new Session.Me("partner", "01P", "p@example.com", "P", "01X");

    /** Each lands in their own part of the portal, whatever page sent them to sign in. */
    @Test
    void adminsAndPartnersLandOnTheirOwnSide() {
        assertThat(SignInRoutes.landing(ADMIN, "/partners?q=ada")).isEqualTo("/partners?q=ada");
        assertThat(SignInRoutes.landing(ADMIN, "/partner/links")).isEqualTo("/");
        assertThat(SignInRoutes.landing(ADMIN, "/partner")).isEqualTo("/");
        assertThat(SignInRoutes.landing(PARTNER, "/partner/links?programId=1")).isEqualTo("/partner/links?programId=1");
        assertThat(SignInRoutes.landing(PARTNER, "/")).isEqualTo("/partner");
        assertThat(SignInRoutes.landing(PARTNER, "/partners")).isEqualTo("/partner");
        assertThat(SignInRoutes.landing(PARTNER, "//evil.example/partner")).isEqualTo("/partner");
    }
}
