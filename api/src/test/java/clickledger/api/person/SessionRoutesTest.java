package clickledger.api.person;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static clickledger.db.jooq.Tables.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.auth.SessionSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signing in and out, the current session, expiry by the injected clock, password change. */
class SessionRoutesTest {
    private static TestApi api;
    private static String adminId;

    @BeforeAll
    static void start() {
        // Generous limits: the rate limits have a test of their own.
        api = TestApi.start(Map.of("LOGIN_RATE_LIMIT_PER_MINUTE", "1000", "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000"));
        adminId = People.install(api).at("/admin/id").asText();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void signInAnswersASessionWithTheRoleAndExpiries() {
        TestApi.Response response = People.signIn(api, "OWNER@example.com", People.PASSWORD);

        JsonNode session = response.expect(201).json();
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        assertThat(session.get("token").asText()).matches("ck_sess_[A-Za-z0-9_-]{43}");
        assertThat(session.at("/principal/role").asText()).isEqualTo("admin");
        assertThat(session.at("/principal/userId").asText()).isEqualTo(adminId);
        assertThat(session.at("/principal/email").asText()).isEqualTo(People.FIRST_ADMIN);
        assertThat(session.at("/principal").has("partnerId")).isFalse();
        assertThat(session.get("expiresAt").asText()).isNotEmpty();
        assertThat(session.get("idleExpiresAt").asText()).isNotEmpty();

        JsonNode current = api.send(
                        "GET",
                        "/v1/sessions/current",
                        null,
                        session.get("token").asText())
                .expect(200)
                .json();
        assertThat(current.has("token")).isFalse();
        assertThat(current.at("/principal/userId").asText()).isEqualTo(adminId);
        assertThat(current.get("expiresAt").asText())
                .isEqualTo(session.get("expiresAt").asText());
    }

    @Test
    void theTokenIsStoredOnlyAsItsHash() {
        String token = People.token(api, People.FIRST_ADMIN, People.PASSWORD);

        assertThat(api.dsl().select(SESSION.TOKEN_HASH).from(SESSION).fetch(SESSION.TOKEN_HASH))
                .allSatisfy(hash -> assertThat(hash).hasSize(32))
                .noneSatisfy(hash -> assertThat(new String(hash, java.nio.charset.StandardCharsets.ISO_8859_1))
                        .contains(token.substring(8)));
    }

    @Test
    void unknownEmailAndWrongPasswordGetTheSame401() {
        TestApi.Response unknown = People.signIn(api, "nobody@example.com", People.PASSWORD);
        TestApi.Response wrong = People.signIn(api, People.FIRST_ADMIN, People.PASSWORD + "!");

        for (TestApi.Response response : new TestApi.Response[] {unknown, wrong}) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.json().get("code").asText()).isEqualTo("invalid_credentials");
            assertThat(response.json().get("detail").asText()).isEqualTo("email or password is wrong");
            assertThat(response.body()).doesNotContain(People.PASSWORD);
        }
        JsonNode unknownBody = ((ObjectNode) unknown.json()).without("requestId");
        JsonNode wrongBody = ((ObjectNode) wrong.json()).without("requestId");
        assertThat(unknownBody).isEqualTo(wrongBody);
    }

    @Test
    void malformedSignInsGet400NamingTheField() {
        assertThat(api.send("POST", "/v1/sessions", "{\"email\":\"x@example.com\"}", null)
                        .errorFields())
                .containsExactly("password");
        assertThat(api.send("POST", "/v1/sessions", "{\"password\":\"x\"}", null)
                        .errorFields())
                .containsExactly("email");
        assertThat(api.send("POST", "/v1/sessions", "{\"email\":\"x@example.com\",\"password\":7}", null)
                        .errorFields())
                .containsExactly("password");
        assertThat(api.send(
                                "POST",
                                "/v1/sessions",
                                "{\"email\":\"x@example.com\",\"password\":\"%s\"}".formatted("p".repeat(100_000)),
                                null)
                        .errorFields())
                .containsExactly("password");
        assertThat(api.send("POST", "/v1/sessions", "[]", null).status()).isEqualTo(400);
    }

    @Test
    void signOutEndsTheTokenEverywhere() {
        String token = People.token(api, People.FIRST_ADMIN, People.PASSWORD);
        api.send("GET", "/v1/programs", null, token).expect(200);

        api.send("DELETE", "/v1/sessions/current", null, token).expect(204);

        assertThat(api.send("GET", "/v1/programs", null, token).status()).isEqualTo(401);
        assertThat(api.send("GET", "/v1/sessions/current", null, token).status())
                .isEqualTo(401);
        assertThat(api.send("DELETE", "/v1/sessions/current", null, token).status())
                .isEqualTo(401);
        assertThat(api.dsl()
                        .select(AUDIT_LOG.ACTION)
                        .from(AUDIT_LOG)
                        .where(AUDIT_LOG.ACTOR.eq("admin_user:" + adminId))
                        .fetch(AUDIT_LOG.ACTION))
                .contains("person.signed_in", "person.signed_out");
    }

    @Test
    void aKeyHasNoSession() {
        for (String method : new String[] {"GET", "DELETE"}) {
            TestApi.Response response = api.send(method, "/v1/sessions/current", null, TestApi.ADMIN_KEY);

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.json().get("code").asText()).isEqualTo("no_session");
        }
        assertThat(api.send("GET", "/v1/sessions/current", null, null).status()).isEqualTo(401);
    }

    @Test
    void forgedAndMalformedTokensGet401() {
        String token = People.token(api, People.FIRST_ADMIN, People.PASSWORD);
        char last = token.charAt(token.length() - 1);
        String forged = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

        for (String bad : new String[] {forged, token + "x", "ck_sess_", "ck_sess_" + "!".repeat(43)}) {
            assertThat(api.send("GET", "/v1/programs", null, bad).status())
                    .as(bad)
                    .isEqualTo(401);
        }
    }

    @Test
    void anAdminSessionActsAsTheAdminAndIsAudited() {
        String token = People.token(api, People.FIRST_ADMIN, People.PASSWORD);

        JsonNode partner = api.send("POST", "/v1/partners", "{\"email\":\"p1@example.com\",\"name\":\"P\"}", token)
                .expect(201)
                .json();

        assertThat(api.dsl()
                        .select(AUDIT_LOG.ACTOR)
                        .from(AUDIT_LOG)
                        .where(AUDIT_LOG.ENTITY.eq("partner"))
                        .and(AUDIT_LOG.ENTITY_ID.eq(partner.get("id").asText()))
                        .fetch(AUDIT_LOG.ACTOR))
                .containsExactly("admin_user:" + adminId);
    }

    @Test
    void anIdleSessionExpiresAndUseKeepsItAlive() {
        String idle = People.token(api, People.FIRST_ADMIN, People.PASSWORD);
        String used = People.token(api, People.FIRST_ADMIN, People.PASSWORD);
        Duration step = SessionSettings.defaults().idle().minusMinutes(30);

        api.clock().advance(step);
        api.send("GET", "/v1/sessions/current", null, used).expect(200);
        api.clock().advance(Duration.ofMinutes(31));

        assertThat(api.send("GET", "/v1/sessions/current", null, idle).status()).isEqualTo(401);
        api.send("GET", "/v1/sessions/current", null, used).expect(200);
    }

    @Test
    void aSessionEndsAtItsAbsoluteLimitHoweverMuchItIsUsed() {
        String token = People.token(api, People.FIRST_ADMIN, People.PASSWORD);
        Duration max = SessionSettings.defaults().max();
        Duration step = SessionSettings.defaults().idle().dividedBy(2);

        for (Duration lived = Duration.ZERO; lived.plus(step).compareTo(max) < 0; lived = lived.plus(step)) {
            api.clock().advance(step);
            api.send("GET", "/v1/sessions/current", null, token).expect(200);
        }
        api.clock().advance(step);

        assertThat(api.send("GET", "/v1/sessions/current", null, token).status())
                .isEqualTo(401);
    }

    @Test
    void lastSeenIsWrittenAtMostOnceAMinute() {
        String token = People.token(api, People.FIRST_ADMIN, People.PASSWORD);
        java.time.OffsetDateTime before = lastSeen();

        for (int i = 0; i < 5; i++) {
            api.send("GET", "/v1/sessions/current", null, token).expect(200);
        }
        assertThat(lastSeen()).isEqualTo(before);
        api.clock().advance(Duration.ofMinutes(2));
        api.send("GET", "/v1/sessions/current", null, token).expect(200);

        assertThat(lastSeen()).isAfter(before);
    }

    private static java.time.OffsetDateTime lastSeen() {
        return api.dsl()
                .select(SESSION.LAST_SEEN_AT)
                .from(SESSION)
                .orderBy(SESSION.ID.desc())
                .limit(1)
                .fetchOne(SESSION.LAST_SEEN_AT);
    }
}
