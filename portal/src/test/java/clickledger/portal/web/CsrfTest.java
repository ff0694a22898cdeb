package clickledger.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsrfTest {
    @Test
    void aTokenMatchesOnlyItsOwnSecret() {
        String token = Csrf.tokenFor("ck_sess_first");
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(Csrf.tokenFor("ck_sess_first")).isEqualTo(token);
        assertThat(Csrf.matches("ck_sess_first", token)).isTrue();
        assertThat(Csrf.matches("ck_sess_second", token)).isFalse();
    }

    @Test
    void missingOrEmptyTokensNeverMatch() {
        assertThat(Csrf.matches("ck_sess_first", null)).isFalse();
        assertThat(Csrf.matches("ck_sess_first", "")).isFalse();
        assertThat(Csrf.matches(null, Csrf.tokenFor("x"))).isFalse();
    }

    @Test
    void theTokenDoesNotContainTheSessionToken() {
        String session = "ck_sess_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        assertThat(Csrf.tokenFor(session)).doesNotContain(session.substring(8, 20));
    }
}
