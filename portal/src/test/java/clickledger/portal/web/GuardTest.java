package clickledger.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.portal.api.Session;
import org.junit.jupiter.api.Test;

class GuardTest {
    private static final Session.Me ADMIN = new Session.Me("admin", "01A", "a@example.com", "A", null);
    private static final Session.Me PARTNER = new Session.Me("partner", "01P", "p@example.com", "P", "01X");

    @Test
    void adminsReachTheAdminPagesButNotThePartnerPortal() {
        assertThat(Guard.allowed(ADMIN, "/")).isTrue();
        assertThat(Guard.allowed(ADMIN, "/commissions/{id}/{action}")).isTrue();
        assertThat(Guard.allowed(ADMIN, "/partner")).isFalse();
        assertThat(Guard.allowed(ADMIN, "/partner/links")).isFalse();
    }

    /** Issue 15's partner sessions: their own portal and signing out, nothing of the admin's. */
    @Test
    void partnersReachOnlyThePartnerPortal() {
        assertThat(Guard.allowed(PARTNER, "/partner")).isTrue();
        assertThat(Guard.allowed(PARTNER, "/partner/links")).isTrue();
        assertThat(Guard.allowed(PARTNER, "/sign-out")).isTrue();
        for (String admin : new String[] {"/", "/programs", "/partners", "/partners/{id}", "/api-keys", "/admins"}) {
            assertThat(Guard.allowed(PARTNER, admin)).as(admin).isFalse();
        }
        assertThat(Guard.allowed(PARTNER, "/partnerships")).isFalse();
    }
}
