package clickledger.api.person;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Changing one's own password: the current one is checked, the new one meets the rule, other sessions end. */
class PasswordChangeTest {
    private static final String NEW_PASSWORD = "a much better pass phrase";

    private static TestApi.Response change(TestApi api, String token, String current, String next) {
        return api.send(
                "POST",
                "/v1/account/password",
                "{\"currentPassword\":\"%s\",\"newPassword\":\"%s\"}".formatted(current, next),
                token);
    }

    @Test
    void changingThePasswordEndsEveryOtherSession() {
        try (TestApi api = TestApi.start(Map.of("LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "100"))) {
            String here = People.installAndSignIn(api);
            String elsewhere = People.token(api, People.FIRST_ADMIN, People.PASSWORD);

            change(api, here, People.PASSWORD, NEW_PASSWORD).expect(204);

            api.send("GET", "/v1/sessions/current", null, here).expect(200);
            assertThat(api.send("GET", "/v1/sessions/current", null, elsewhere).status())
                    .isEqualTo(401);
            assertThat(People.signIn(api, People.FIRST_ADMIN, People.PASSWORD).status())
                    .isEqualTo(401);
            People.signIn(api, People.FIRST_ADMIN, NEW_PASSWORD).expect(201);
        }
    }

    @Test
    void wrongCurrentOrWeakNewPasswordIs400NamingTheField() {
        try (TestApi api = TestApi.start(Map.of("LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "100"))) {
            String token = People.installAndSignIn(api);

            assertThat(change(api, token, "not the password", NEW_PASSWORD).errorFields())
                    .containsExactly("currentPassword");
            assertThat(change(api, token, People.PASSWORD, "short").errorFields())
                    .containsExactly("newPassword");
            assertThat(change(api, token, People.PASSWORD, "qwerty123456").errorFields())
                    .containsExactly("newPassword");
            assertThat(change(api, token, People.PASSWORD, People.FIRST_ADMIN).errorFields())
                    .containsExactly("newPassword");
            assertThat(change(api, token, People.PASSWORD, People.PASSWORD).errorFields())
                    .containsExactly("newPassword");
            assertThat(api.send("POST", "/v1/account/password", "{\"currentPassword\":1}", token)
                            .errorFields())
                    .containsExactly("currentPassword");
            // A key has no account of its own.
            TestApi.Response withKey = change(api, TestApi.ADMIN_KEY, People.PASSWORD, NEW_PASSWORD);
            assertThat(withKey.status()).isEqualTo(404);
            assertThat(withKey.json().get("code").asText()).isEqualTo("no_session");
            People.signIn(api, People.FIRST_ADMIN, People.PASSWORD).expect(201);
        }
    }
}
