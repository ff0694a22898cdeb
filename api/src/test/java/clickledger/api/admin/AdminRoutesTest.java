package clickledger.api.admin;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.person.People;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Inviting admins by a one-time link, accepting, listing, removing (never the last). */
class AdminRoutesTest {
    private static final String PORTAL = "https://portal.example.test";
    private static TestApi api;
    private static String owner;
    private static String ownerId;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("PORTAL_URL", PORTAL + "/", "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000"));
        JsonNode installed = People.install(api);
        owner = installed.at("/session/token").asText();
        ownerId = installed.at("/admin/id").asText();
    }

    // Tests move the clock by days: each starts with a fresh session of its own.
    @BeforeEach
    void signIn() {
        owner = People.token(api, People.FIRST_ADMIN, People.PASSWORD);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode invite(String email) {
        TestApi.Response response = api.send("POST", "/v1/admin-invitations", "{\"email\":\"" + email + "\"}", owner);
        assertThat(response.header("Cache-Control")).isEqualTo("no-store");
        return response.expect(201).json();
    }

    private static TestApi.Response accept(String token, String name, String password) {
        return api.send(
                "POST",
                "/v1/admin-invitations/accept",
                "{\"token\":\"%s\",\"name\":\"%s\",\"password\":\"%s\"}".formatted(token, name, password),
                null);
    }

    private static void assertInvalid(TestApi.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("invitation_invalid");
    }

    @Test
    void anInvitedAdminAcceptsOnceAndIsSignedIn() {
        String email = TestApi.unique("ada") + "@example.com";
        JsonNode invitation = invite(email);
        String token = invitation.get("token").asText();

        assertThat(token).matches("ck_inv_[A-Za-z0-9_-]{43}");
        assertThat(invitation.get("acceptUrl").asText()).isEqualTo(PORTAL + "/invitations/admin/" + token);
        assertThat(invitation.get("email").asText()).isEqualTo(email);
        JsonNode preview = api.send("GET", "/v1/admin-invitations/" + token, null, null)
                .expect(200)
                .json();
        assertThat(preview.get("email").asText()).isEqualTo(email);
        assertThat(preview.get("expiresAt").asText())
                .isEqualTo(invitation.get("expiresAt").asText());
        assertThat(api.send("GET", "/v1/admin-invitations", null, owner)
                        .expect(200)
                        .json()
                        .get("items"))
                .extracting(item -> item.get("id").asText())
                .contains(invitation.get("id").asText());

        JsonNode session =
                accept(token, "Ada Lovelace", People.PASSWORD).expect(201).json();

        assertThat(session.at("/principal/role").asText()).isEqualTo("admin");
        assertThat(session.at("/principal/email").asText()).isEqualTo(email);
        api.send("GET", "/v1/programs", null, session.get("token").asText()).expect(200);
        assertInvalid(accept(token, "Ada Again", People.PASSWORD));
        assertInvalid(api.send("GET", "/v1/admin-invitations/" + token, null, null));
        assertThat(api.send("GET", "/v1/admins?limit=200", null, owner)
                        .expect(200)
                        .json()
                        .get("items"))
                .anySatisfy(admin -> {
                    assertThat(admin.get("email").asText()).isEqualTo(email);
                    assertThat(admin.get("name").asText()).isEqualTo("Ada Lovelace");
                    assertThat(admin.get("createdAt").asText()).isNotEmpty();
                    assertThat(admin.get("lastLoginAt").asText()).isNotEmpty();
                });
        People.signIn(api, email, People.PASSWORD).expect(201);
        assertThat(api.send("GET", "/v1/admin-invitations", null, owner).json().get("items"))
                .extracting(item -> item.get("id").asText())
                .doesNotContain(invitation.get("id").asText());
    }

    @Test
    void invitingAgainReplacesTheEarlierLink() {
        String email = TestApi.unique("grace") + "@example.com";
        String first = invite(email).get("token").asText();
        String second = invite(email).get("token").asText();

        assertInvalid(api.send("GET", "/v1/admin-invitations/" + first, null, null));
        api.send("GET", "/v1/admin-invitations/" + second, null, null).expect(200);
    }

    @Test
    void anInvitationExpiresAfterSevenDays() {
        String token =
                invite(TestApi.unique("late") + "@example.com").get("token").asText();

        api.clock().advance(Duration.ofDays(7).plusSeconds(1));

        assertInvalid(api.send("GET", "/v1/admin-invitations/" + token, null, null));
        assertInvalid(accept(token, "Late", People.PASSWORD));
    }

    @Test
    void aWithdrawnInvitationStopsWorking() {
        JsonNode invitation = invite(TestApi.unique("withdrawn") + "@example.com");

        api.send("DELETE", "/v1/admin-invitations/" + invitation.get("id").asText(), null, owner)
                .expect(204);

        assertInvalid(accept(invitation.get("token").asText(), "W", People.PASSWORD));
        assertThat(api.send(
                                "DELETE",
                                "/v1/admin-invitations/" + invitation.get("id").asText(),
                                null,
                                owner)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void invitingAnAdminIs409AndBadInputIs400NamingTheField() {
        TestApi.Response again = api.send("POST", "/v1/admin-invitations", "{\"email\":\"OWNER@example.com\"}", owner);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("already_admin");

        assertThat(api.send("POST", "/v1/admin-invitations", "{\"email\":\"nope\"}", owner)
                        .errorFields())
                .containsExactly("email");
        assertThat(api.send("POST", "/v1/admin-invitations", "{}", owner).errorFields())
                .containsExactly("email");
        assertThat(api.send("POST", "/v1/admin-invitations", "{\"email\":\"a@b.co\",\"role\":\"x\"}", owner)
                        .errorFields())
                .containsExactly("role");
        String token =
                invite(TestApi.unique("weak") + "@example.com").get("token").asText();
        assertThat(accept(token, "Weak", "password1234").errorFields()).containsExactly("password");
        assertThat(accept(token, "", People.PASSWORD).errorFields()).containsExactly("name");
        assertThat(api.send("POST", "/v1/admin-invitations/accept", "{\"name\":\"N\",\"password\":\"p\"}", null)
                        .errorFields())
                .containsExactly("token");
        assertInvalid(accept("ck_inv_short", "N", People.PASSWORD));
        assertInvalid(api.send("GET", "/v1/admin-invitations/" + "x".repeat(5000), null, null));
        // The weak attempts left the invitation usable.
        accept(token, "Strong", People.PASSWORD).expect(201);
    }

    @Test
    void twoAcceptsOfOneLinkMakeOneAdmin() throws Exception {
        String token =
                invite(TestApi.unique("twice") + "@example.com").get("token").asText();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<TestApi.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return accept(token, "Twice", People.PASSWORD);
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<TestApi.Response> answer : answers) {
                statuses.add(answer.get().status());
            }

            assertThat(statuses)
                    .containsOnly(201, 404)
                    .filteredOn(status -> status == 201)
                    .hasSize(1);
        }
    }

    @Test
    void removingAnAdminEndsTheirSessionsButNeverTheLastAdmin() {
        String email = TestApi.unique("leaving") + "@example.com";
        String token = invite(email).get("token").asText();
        JsonNode session = accept(token, "Leaving", People.PASSWORD).expect(201).json();
        String leaving = session.get("token").asText();
        String leavingId = session.at("/principal/userId").asText();

        api.send("DELETE", "/v1/admins/" + leavingId, null, owner).expect(204);

        assertThat(api.send("GET", "/v1/programs", null, leaving).status()).isEqualTo(401);
        assertThat(People.signIn(api, email, People.PASSWORD).status()).isEqualTo(401);
        assertThat(api.send("DELETE", "/v1/admins/" + leavingId, null, owner).status())
                .isEqualTo(404);
        assertThat(api.dsl()
                        .select(AUDIT_LOG.ACTOR)
                        .from(AUDIT_LOG)
                        .where(AUDIT_LOG.ACTION.eq("admin.removed"))
                        .and(AUDIT_LOG.ENTITY_ID.eq(leavingId))
                        .fetch(AUDIT_LOG.ACTOR))
                .containsExactly("admin_user:" + ownerId);
        assertThat(api.send("DELETE", "/v1/admins/not-an-id", null, owner).errorFields())
                .containsExactly("id");
    }

    @Test
    void theLastAdminCannotBeRemoved() {
        try (TestApi alone = TestApi.start()) {
            JsonNode installed = People.install(alone);

            TestApi.Response response = alone.send(
                    "DELETE", "/v1/admins/" + installed.at("/admin/id").asText(), null, TestApi.ADMIN_KEY);

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.json().get("code").asText()).isEqualTo("last_admin");
            alone.send(
                            "GET",
                            "/v1/sessions/current",
                            null,
                            installed.at("/session/token").asText())
                    .expect(200);
        }
    }
}
