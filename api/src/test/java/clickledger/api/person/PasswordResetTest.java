package clickledger.api.person;

import static clickledger.db.jooq.Tables.PERSON_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.auth.ApiKeyFormat;
import clickledger.api.mail.Mails;
import clickledger.api.onboarding.Onboard;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Password reset by mail for admins and partners: the same answer whether or not the address has
 * an account, a link that works once for an hour, stored only as a hash, and every other session
 * of the person ended when it is used.
 */
class PasswordResetTest {
    private static final String RESET = Onboard.PORTAL + "/reset-password/";
    private static final String NEW_PASSWORD = "a whole new pass phrase";
    private static final Map<String, String> ENV = Map.of(
            "MAIL_WORKER_ENABLED", "false",
            "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000",
            "PASSWORD_RESET_RATE_LIMIT_PER_HOUR", "1000");

    private static TestApi.Response request(TestApi api, String email) {
        return api.send("POST", "/v1/password-resets", "{\"email\":\"%s\"}".formatted(email), null);
    }

    private static TestApi.Response confirm(TestApi api, String token, String password) {
        return api.send(
                "POST",
                "/v1/password-resets/confirm",
                "{\"token\":\"%s\",\"password\":\"%s\"}".formatted(token, password),
                null);
    }

    @Test
    void anAdminResetsThePasswordFromTheMailedLinkAndEveryOtherSessionEnds() {
        try (TestApi api = TestApi.start(ENV)) {
            String before = People.installAndSignIn(api);

            assertThat(request(api, People.FIRST_ADMIN.toUpperCase(java.util.Locale.ROOT))
                            .expect(202)
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("requested");
            assertThat(Mails.kinds(api, People.FIRST_ADMIN)).containsExactly("password_reset");
            String token = Mails.token(api, People.FIRST_ADMIN, "password_reset", RESET);
            assertThat(token).startsWith("ck_rst_");
            assertThat(api.dsl().fetchCount(PERSON_TOKEN, PERSON_TOKEN.TOKEN_HASH.eq(ApiKeyFormat.hash(token))))
                    .isEqualTo(1);

            JsonNode preview = api.send("GET", "/v1/password-resets/" + token, null, null)
                    .expect(200)
                    .json();
            assertThat(preview.get("email").asText()).isEqualTo(People.FIRST_ADMIN);
            assertThat(preview.get("expiresAt").asText()).startsWith("2030-01-15T11:00:00");

            assertThat(confirm(api, token, "short").expect(400).errorFields()).containsExactly("password");
            JsonNode session = confirm(api, token, NEW_PASSWORD).expect(201).json();
            assertThat(session.at("/principal/role").asText()).isEqualTo("admin");
            api.send("GET", "/v1/sessions/current", null, session.get("token").asText())
                    .expect(200);

            // Whoever held the old password, or a session made with it, is out.
            assertThat(api.send("GET", "/v1/sessions/current", null, before).status())
                    .isEqualTo(401);
            assertThat(People.signIn(api, People.FIRST_ADMIN, People.PASSWORD).status())
                    .isEqualTo(401);
            People.token(api, People.FIRST_ADMIN, NEW_PASSWORD);
            // And the link worked once.
            JsonNode used =
                    confirm(api, token, "yet another pass phrase").expect(404).json();
            assertThat(used.get("code").asText()).isEqualTo("reset_invalid");
            assertThat(used.get("detail").asText()).contains("already used");
        }
    }

    @Test
    void aPartnerResetsItsPasswordTheSameWay() {
        try (TestApi api = TestApi.start(ENV)) {
            Onboard.SignedInPartner pat = Onboard.partner(api, api.createProgram());

            request(api, pat.email()).expect(202);
            String token = Mails.token(api, pat.email(), "password_reset", RESET);
            JsonNode session = confirm(api, token, NEW_PASSWORD).expect(201).json();

            assertThat(session.at("/principal/role").asText()).isEqualTo("partner");
            assertThat(session.at("/principal/partnerId").asText()).isEqualTo(pat.partnerId());
            assertThat(api.send("GET", "/v1/me", null, pat.session()).status()).isEqualTo(401);
            api.send("GET", "/v1/me", null, session.get("token").asText()).expect(200);
        }
    }

    @Test
    void anUnknownAddressGetsTheSameAnswerAndNoMail() {
        try (TestApi api = TestApi.start(ENV)) {
            People.install(api);

            assertThat(request(api, "nobody@example.com")
                            .expect(202)
                            .json()
                            .get("status")
                            .asText())
                    .isEqualTo("requested");

            assertThat(Mails.kinds(api, "nobody@example.com")).isEmpty();
            assertThat(request(api, "not an email").expect(400).errorFields()).containsExactly("email");
        }
    }

    @Test
    void expiredTamperedAndReplacedLinksAreRefusedWithTheReason() {
        try (TestApi api = TestApi.start(ENV)) {
            People.install(api);
            request(api, People.FIRST_ADMIN).expect(202);
            String first = Mails.token(api, People.FIRST_ADMIN, "password_reset", RESET);
            request(api, People.FIRST_ADMIN).expect(202);
            String second = Mails.token(api, People.FIRST_ADMIN, "password_reset", RESET);
            assertThat(second).isNotEqualTo(first);

            assertThat(api.send("GET", "/v1/password-resets/" + first, null, null)
                            .expect(404)
                            .json()
                            .get("detail")
                            .asText())
                    .contains("replaced by a newer one");
            String tampered = second.substring(0, second.length() - 2) + "xx";
            assertThat(confirm(api, tampered, NEW_PASSWORD)
                            .expect(404)
                            .json()
                            .get("detail")
                            .asText())
                    .contains("unknown");
            assertThat(api.send("GET", "/v1/password-resets/ck_rst_short", null, null)
                            .expect(404)
                            .json()
                            .get("code")
                            .asText())
                    .isEqualTo("reset_invalid");

            api.clock().advance(Duration.ofHours(1).plusSeconds(1));
            assertThat(confirm(api, second, NEW_PASSWORD)
                            .expect(404)
                            .json()
                            .get("detail")
                            .asText())
                    .contains("expired at 2030-01-15T11:00:00");
            People.token(api, People.FIRST_ADMIN, People.PASSWORD);
        }
    }

    @Test
    void aRevokedPartnersPersonGetsNoResetMail() {
        try (TestApi api = TestApi.start(ENV)) {
            Onboard.SignedInPartner pat = Onboard.partner(api, api.createProgram());
            api.post("/v1/partners/" + pat.partnerId() + "/revoke", null).expect(200);

            request(api, pat.email()).expect(202);

            assertThat(Mails.kinds(api, pat.email())).containsExactly("partner_invitation");
        }
    }

    @Test
    void requestsAreLimitedPerAddressAndPerEmail() {
        try (TestApi api =
                TestApi.start(Map.of("MAIL_WORKER_ENABLED", "false", "PASSWORD_RESET_RATE_LIMIT_PER_HOUR", "2"))) {
            People.install(api);
            request(api, People.FIRST_ADMIN).expect(202);
            request(api, "other@example.com").expect(202);

            TestApi.Response limited = request(api, People.FIRST_ADMIN);

            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.json().get("code").asText()).isEqualTo("rate_limited");
            assertThat(limited.header("Retry-After")).isNotBlank();
            assertThat(Mails.kinds(api, People.FIRST_ADMIN)).containsExactly("password_reset");
        }
    }
}
