package clickledger.api.onboarding;

import static clickledger.db.jooq.Tables.PARTNER_APPLICATION;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.mail.Mails;
import clickledger.api.person.People;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A program's public application page: switched on per program with its terms, protected by a
 * honeypot field and a rate limit, reviewed by admins, who approve (the applicant gets an
 * invitation link) or reject (the applicant is told). Mail stays in the outbox ({@link Mails}).
 */
class ApplicationTest {
    private static TestApi api;
    private static String program;
    private static String slug;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of(
                "MAIL_WORKER_ENABLED", "false",
                "APPLICATION_RATE_LIMIT_PER_HOUR", "1000",
                "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000"));
        People.install(api);
        program = api.createProgram();
        slug = api.get("/v1/programs/" + program).json().get("slug").asText();
        api.send(
                        "PUT",
                        "/v1/programs/" + program + "/application-form",
                        "{\"enabled\":true,\"terms\":\"Promote honestly; no paid search on our brand.\"}",
                        TestApi.ADMIN_KEY)
                .expect(200);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static String application(String name, String email, String nickname) {
        return """
                {"name":"%s","email":"%s","website":"https://%s.example","promotion":"A blog about coffee",
                 "termsAccepted":true,"nickname":"%s"}"""
                .formatted(name, email, name.toLowerCase(java.util.Locale.ROOT), nickname);
    }

    private static TestApi.Response apply(TestApi on, String programSlug, String body) {
        return on.send("POST", "/v1/apply/" + programSlug, body, null);
    }

    private static JsonNode pendingOf(String email) {
        for (JsonNode item : api.get("/v1/applications?programId=" + program + "&status=pending&limit=200")
                .expect(200)
                .json()
                .get("items")) {
            if (item.get("email").asText().equalsIgnoreCase(email)) {
                return item;
            }
        }
        throw new AssertionError("no pending application of " + email);
    }

    private static int storedFor(String email) {
        return api.dsl().fetchCount(PARTNER_APPLICATION, PARTNER_APPLICATION.EMAIL.equalIgnoreCase(email));
    }

    @Test
    void thePageIsOffUntilAnAdminSwitchesItOnWithTerms() {
        String other = api.createProgram();
        String otherSlug = api.get("/v1/programs/" + other).json().get("slug").asText();
        String form = "/v1/programs/" + other + "/application-form";

        JsonNode off = api.get(form).expect(200).json();
        assertThat(off.get("enabled").asBoolean()).isFalse();
        assertThat(off.get("terms").asText()).isEmpty();
        assertThat(off.get("url").asText()).isEqualTo(Onboard.PORTAL + "/apply/" + otherSlug);
        api.send("GET", "/v1/apply/" + otherSlug, null, null).expect(404);
        apply(api, otherSlug, application("Ann", "ann@example.com", "")).expect(404);

        assertThat(api.send("PUT", form, "{\"enabled\":true,\"terms\":\"  \"}", TestApi.ADMIN_KEY)
                        .expect(400)
                        .errorFields())
                .containsExactly("terms");
        assertThat(api.send(
                                "PUT",
                                form,
                                "{\"enabled\":true,\"terms\":\"%s\"}".formatted("x".repeat(20_001)),
                                TestApi.ADMIN_KEY)
                        .expect(400)
                        .errorFields())
                .containsExactly("terms");
        api.send("PUT", form, "{\"enabled\":true,\"terms\":\"Be nice.\"}", TestApi.ADMIN_KEY)
                .expect(200);
        JsonNode page = api.send("GET", "/v1/apply/" + otherSlug, null, null)
                .expect(200)
                .json();
        assertThat(page.get("programSlug").asText()).isEqualTo(otherSlug);
        assertThat(page.get("programName").asText()).isEqualTo("Program");
        assertThat(page.get("terms").asText()).isEqualTo("Be nice.");

        api.send("PUT", form, "{\"enabled\":false,\"terms\":\"Be nice.\"}", TestApi.ADMIN_KEY)
                .expect(200);
        api.send("GET", "/v1/apply/" + otherSlug, null, null).expect(404);
    }

    @Test
    void anApplicationIsStoredOnceAndEveryAdminIsToldOnce() {
        String email = TestApi.unique("ray") + "@example.com";
        apply(api, slug, application("Ray", email, "")).expect(202);
        // Applying again while the first waits stores nothing new, and answers the same.
        assertThat(apply(api, slug, application("Ray", email.toUpperCase(java.util.Locale.ROOT), ""))
                        .expect(202)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("received");

        assertThat(storedFor(email)).isEqualTo(1);
        JsonNode stored = pendingOf(email);
        assertThat(stored.get("name").asText()).isEqualTo("Ray");
        assertThat(stored.get("website").asText()).isEqualTo("https://ray.example");
        assertThat(stored.get("promotion").asText()).isEqualTo("A blog about coffee");
        assertThat(stored.get("programId").asText()).isEqualTo(program);
        String text = Mails.text(api, People.FIRST_ADMIN, "application_received");
        assertThat(text).contains("Ray (" + email + ")").contains(Onboard.PORTAL + "/applications");
        assertThat(Mails.kinds(api, email)).isEmpty();
    }

    @Test
    void aFilledHoneypotIsAnsweredLikeAnApplicationButStoresAndMailsNothing() {
        String email = TestApi.unique("bot") + "@example.com";
        int before = Mails.kinds(api, People.FIRST_ADMIN).size();

        assertThat(apply(api, slug, application("Bot", email, "http://spam.example"))
                        .expect(202)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("received");

        assertThat(storedFor(email)).isZero();
        assertThat(Mails.kinds(api, People.FIRST_ADMIN)).hasSize(before);
    }

    @Test
    void badApplicationsNameEveryField() {
        String body =
                """
                {"name":"","email":"nope","website":"ftp://files.example","promotion":"","termsAccepted":false}""";

        assertThat(apply(api, slug, body).expect(400).errorFields())
                .containsExactlyInAnyOrder("name", "email", "website", "promotion", "termsAccepted");
        assertThat(apply(api, slug, "{\"name\":\"Ray\",\"email\":\"r@example.com\",\"promotion\":\"x\"}")
                        .expect(400)
                        .errorFields())
                .containsExactly("termsAccepted");
        assertThat(apply(api, slug, "[1,2]").status()).isEqualTo(400);
        assertThat(apply(
                                api,
                                slug,
                                "{\"name\":\"%s\",\"email\":\"r@example.com\",\"promotion\":\"x\",\"termsAccepted\":true}"
                                        .formatted("n".repeat(300)))
                        .expect(400)
                        .errorFields())
                .containsExactly("name");
    }

    @Test
    void approvingMailsTheApplicantAnInvitationLinkThatSignsThemIn() {
        String email = TestApi.unique("sue") + "@example.com";
        apply(api, slug, application("Sue", email, "")).expect(202);
        String id = pendingOf(email).get("id").asText();

        JsonNode decided = api.post("/v1/applications/" + id + "/approve", null)
                .expect(200)
                .json();

        assertThat(decided.at("/application/status").asText()).isEqualTo("approved");
        assertThat(decided.at("/application/decidedBy").asText()).isEqualTo("admin_key:env");
        String partnerId = decided.at("/partner/id").asText();
        assertThat(decided.at("/application/partnerId").asText()).isEqualTo(partnerId);
        assertThat(Mails.kinds(api, email)).containsExactly("application_approved");
        String token = Mails.token(api, email, "application_approved", Onboard.PORTAL + "/invitations/partner/");
        assertThat(token).isEqualTo(decided.at("/invitation/token").asText());
        JsonNode session =
                Onboard.accept(api, token, People.PASSWORD).expect(201).json();
        assertThat(session.at("/principal/partnerId").asText()).isEqualTo(partnerId);
        JsonNode me = api.send("GET", "/v1/me", null, session.get("token").asText())
                .expect(200)
                .json();
        assertThat(me.at("/programs/0/programId").asText()).isEqualTo(program);
        assertThat(me.at("/programs/0/membershipStatus").asText()).isEqualTo("approved");

        assertThat(api.post("/v1/applications/" + id + "/approve", null)
                        .expect(409)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("already_decided");
        api.post("/v1/applications/" + id + "/reject", null).expect(409);
    }

    @Test
    void approvingSomeoneWhoAlreadySignsInSendsTheSignInLink() {
        Onboard.SignedInPartner pat = Onboard.partner(api, api.createProgram());
        apply(api, slug, application("Pat", pat.email(), "")).expect(202);
        String id = pendingOf(pat.email()).get("id").asText();

        JsonNode decided = api.post("/v1/applications/" + id + "/approve", null)
                .expect(200)
                .json();

        assertThat(decided.get("invitation").isNull()).isTrue();
        assertThat(decided.at("/partner/id").asText()).isEqualTo(pat.partnerId());
        assertThat(Mails.text(api, pat.email(), "application_approved")).contains(Onboard.PORTAL + "/sign-in");
        assertThat(api.send("GET", "/v1/me", null, pat.session())
                        .expect(200)
                        .json()
                        .get("programs"))
                .extracting(p -> p.get("programId").asText())
                .contains(program);
    }

    @Test
    void rejectingTellsTheApplicantWithTheReason() {
        String email = TestApi.unique("tom") + "@example.com";
        apply(api, slug, application("Tom", email, "")).expect(202);
        String id = pendingOf(email).get("id").asText();

        assertThat(api.post("/v1/applications/" + id + "/reject", "{\"reason\":\"%s\"}".formatted("r".repeat(2_001)))
                        .expect(400)
                        .errorFields())
                .containsExactly("reason");
        JsonNode rejected = api.post(
                        "/v1/applications/" + id + "/reject", "{\"reason\":\"We only take cooking blogs.\"}")
                .expect(200)
                .json();

        assertThat(rejected.get("status").asText()).isEqualTo("rejected");
        assertThat(rejected.get("reason").asText()).isEqualTo("We only take cooking blogs.");
        assertThat(Mails.kinds(api, email)).containsExactly("application_rejected");
        assertThat(Mails.text(api, email, "application_rejected")).contains("We only take cooking blogs.");
        assertThat(api.get("/v1/applications/" + id)
                        .expect(200)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("rejected");
        // Rejected, they may apply again later.
        apply(api, slug, application("Tom", email, "")).expect(202);
        assertThat(storedFor(email)).isEqualTo(2);
    }

    @Test
    void eachClientAddressAndEachEmailMayApplyOnlySoOftenAnHour() {
        try (TestApi limited =
                TestApi.start(Map.of("MAIL_WORKER_ENABLED", "false", "APPLICATION_RATE_LIMIT_PER_HOUR", "2"))) {
            String own = limited.createProgram();
            String ownSlug =
                    limited.get("/v1/programs/" + own).json().get("slug").asText();
            limited.send(
                            "PUT",
                            "/v1/programs/" + own + "/application-form",
                            "{\"enabled\":true,\"terms\":\"Ok.\"}",
                            TestApi.ADMIN_KEY)
                    .expect(200);

            apply(limited, ownSlug, application("One", "one@example.com", "")).expect(202);
            apply(limited, ownSlug, application("Two", "two@example.com", "")).expect(202);
            TestApi.Response third = apply(limited, ownSlug, application("Three", "three@example.com", ""));

            assertThat(third.status()).isEqualTo(429);
            assertThat(third.json().get("code").asText()).isEqualTo("rate_limited");
            assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 3_600L);
            assertThat(limited.dsl().fetchCount(PARTNER_APPLICATION)).isEqualTo(2);
        }
    }
}
