package clickledger.api.person;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static clickledger.db.jooq.Tables.PERSON;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The first-run wizard: once, race-safe, every field error named under its object. */
class InstallTest {
    private static final String PROGRAM =
            """
            {"slug":"acme","name":"Acme","destinationUrl":"https://acme.example/","currency":"EUR",
             "attributionModel":"linear","commissionRules":[{"trigger":"every","kind":"percent","amount":"10"}]}""";

    @Test
    void installCreatesTheFirstAdminAndProgramAndSignsIn() {
        try (TestApi api = TestApi.start()) {
            assertThat(api.send("GET", "/v1/install", null, null)
                            .expect(200)
                            .json()
                            .get("needed")
                            .asBoolean())
                    .isTrue();

            TestApi.Response response = api.send(
                    "POST",
                    "/v1/install",
                    """
                    {"admin":{"name":"Olive Owner","email":"Olive@Example.com","password":"%s"},"program":%s}"""
                            .formatted(People.PASSWORD, PROGRAM),
                    null);

            JsonNode answer = response.expect(201).json();
            assertThat(response.header("Cache-Control")).isEqualTo("no-store");
            assertThat(answer.at("/session/token").asText())
                    .startsWith("ck_sess_")
                    .hasSize(51);
            assertThat(answer.at("/session/principal/role").asText()).isEqualTo("admin");
            assertThat(answer.at("/session/principal/email").asText()).isEqualTo("Olive@Example.com");
            assertThat(answer.at("/session/principal/userId").asText())
                    .isEqualTo(answer.at("/admin/id").asText());
            assertThat(answer.at("/admin/name").asText()).isEqualTo("Olive Owner");
            assertThat(answer.at("/program/slug").asText()).isEqualTo("acme");
            assertThat(answer.at("/program/attributionModel").asText()).isEqualTo("linear");
            assertThat(answer.toString()).doesNotContain(People.PASSWORD);
            String token = answer.at("/session/token").asText();
            assertThat(api.send(
                                    "GET",
                                    "/v1/programs/" + answer.at("/program/id").asText(),
                                    null,
                                    token)
                            .expect(200)
                            .json()
                            .get("currency")
                            .asText())
                    .isEqualTo("EUR");
            assertThat(api.send("GET", "/v1/install", null, null)
                            .expect(200)
                            .json()
                            .get("needed")
                            .asBoolean())
                    .isFalse();
            String actor = "admin_user:" + answer.at("/admin/id").asText();
            assertThat(api.dsl()
                            .select(AUDIT_LOG.ACTION)
                            .from(AUDIT_LOG)
                            .where(AUDIT_LOG.ACTOR.eq(actor))
                            .fetch(AUDIT_LOG.ACTION))
                    .contains("installation.completed", "program.created");
            // The password is stored as an Argon2id hash, never as itself.
            assertThat(api.dsl().select(PERSON.PASSWORD_HASH).from(PERSON).fetchOne(PERSON.PASSWORD_HASH))
                    .startsWith("$argon2id$v=19$m=19456,t=2,p=1$")
                    .doesNotContain(People.PASSWORD);
        }
    }

    @Test
    void secondInstallIs409AndSignInStillWorks() {
        try (TestApi api = TestApi.start()) {
            People.install(api);

            TestApi.Response again =
                    api.send("POST", "/v1/install", People.installBody("intruder@example.com", People.PASSWORD), null);

            assertThat(again.status()).isEqualTo(409);
            assertThat(again.json().get("code").asText()).isEqualTo("already_installed");
            assertThat(People.signIn(api, "intruder@example.com", People.PASSWORD)
                            .status())
                    .isEqualTo(401);
            People.signIn(api, People.FIRST_ADMIN, People.PASSWORD).expect(201);
            // The environment's admin key keeps working for automation.
            api.get("/v1/programs").expect(200);
        }
    }

    @Test
    void fieldErrorsAreNamedUnderTheirObjectAndNothingIsStored() {
        try (TestApi api = TestApi.start()) {
            TestApi.Response response = api.send(
                    "POST",
                    "/v1/install",
                    """
                    {"admin":{"name":"","email":"not-an-email","password":"short"},
                     "program":{"slug":"bad slug","name":"P","destinationUrl":"ftp://x","currency":"EURO"}}""",
                    null);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.errorFields())
                    .containsExactlyInAnyOrder(
                            "admin.name",
                            "admin.email",
                            "admin.password",
                            "program.slug",
                            "program.destinationUrl",
                            "program.currency");
            assertThat(response.body()).doesNotContain("\"short\"");
            assertThat(api.send("GET", "/v1/install", null, null)
                            .json()
                            .get("needed")
                            .asBoolean())
                    .isTrue();
        }
    }

    @Test
    void hostileBodiesGet400NamingTheField() {
        try (TestApi api = TestApi.start()) {
            assertThat(api.send("POST", "/v1/install", "{", null).errorFields()).containsExactly("body");
            assertThat(api.send("POST", "/v1/install", "{}", null).errorFields())
                    .containsExactly("admin");
            assertThat(api.send("POST", "/v1/install", "{\"admin\":{\"email\":42}}", null)
                            .errorFields())
                    .containsExactly("admin.email");
            assertThat(api.send("POST", "/v1/install", "{\"admin\":{},\"isAdmin\":true}", null)
                            .errorFields())
                    .containsExactly("isAdmin");
            String longPassword = "x".repeat(300);
            assertThat(api.send("POST", "/v1/install", People.installBody("a@example.com", longPassword), null)
                            .errorFields())
                    .containsExactly("admin.password");
            assertThat(api.send("POST", "/v1/install", People.installBody("a@example.com", "password1234"), null)
                            .json()
                            .at("/errors/0/message")
                            .asText())
                    .contains("common");
            assertThat(api.send(
                                    "POST",
                                    "/v1/install",
                                    People.installBody("long-enough@example.com", "Long-Enough@Example.com"),
                                    null)
                            .json()
                            .at("/errors/0/message")
                            .asText())
                    .contains("email");
        }
    }

    @Test
    void takenProgramSlugIs409NamingProgramSlugAndRollsBackTheAdmin() {
        try (TestApi api = TestApi.start()) {
            // Automation created a program with the admin key before anyone opened the wizard.
            api.post(
                            "/v1/programs",
                            "{\"slug\":\"acme\",\"name\":\"A\",\"destinationUrl\":\"https://a.example\",\"currency\":\"USD\"}")
                    .expect(201);

            TestApi.Response response = api.send(
                    "POST",
                    "/v1/install",
                    """
                    {"admin":{"name":"O","email":"o@example.com","password":"%s"},"program":%s}"""
                            .formatted(People.PASSWORD, PROGRAM),
                    null);

            assertThat(response.status()).isEqualTo(409);
            assertThat(response.errorFields()).containsExactly("program.slug");
            assertThat(api.dsl().fetchCount(PERSON)).isZero();
            assertThat(api.send("GET", "/v1/install", null, null)
                            .json()
                            .get("needed")
                            .asBoolean())
                    .isTrue();
        }
    }

    @Test
    void concurrentInstallsCreateExactlyOneAdmin() throws Exception {
        int browsers = 6;
        try (TestApi api = TestApi.start();
                ExecutorService pool = Executors.newFixedThreadPool(browsers)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<TestApi.Response>> answers = new ArrayList<>();
            for (int i = 0; i < browsers; i++) {
                String email = "racer" + i + "@example.com";
                Callable<TestApi.Response> install = () -> {
                    start.await();
                    return api.send("POST", "/v1/install", People.installBody(email, People.PASSWORD), null);
                };
                answers.add(pool.submit(install));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<TestApi.Response> answer : answers) {
                statuses.add(answer.get().status());
            }

            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses).filteredOn(status -> status == 201).hasSize(1);
            assertThat(api.dsl().fetchCount(PERSON)).isEqualTo(1);
        }
    }
}
