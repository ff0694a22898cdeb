package clickledger.api.onboarding;

import static clickledger.db.jooq.Tables.INVITATION;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.auth.ApiKeyFormat;
import clickledger.api.mail.Mails;
import clickledger.api.person.People;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An admin invites a partner by email to programs; the partner opens the mailed link, sets a
 * password and is signed in as that partner. The mail worker is off: each message stays in the
 * outbox, where {@link Mails} reads it.
 */
class PartnerInvitationTest {
    private static final Map<String, String> NO_MAIL_WORKER =
            Map.of("MAIL_WORKER_ENABLED", "false", "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000");
    private static TestApi api;
    private static String shop;
    private static String outlet;

    @BeforeAll
    static void start() {
        api = TestApi.start(NO_MAIL_WORKER);
        People.install(api);
        shop = api.createProgram();
        outlet = api.createProgram();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String email() {
        return TestApi.unique("invitee") + "@example.com";
    }

    private static TestApi.Response preview(String token) {
        return api.send("GET", "/v1/partner-invitations/" + token, null, null);
    }

    private static List<String> programIds(JsonNode me) {
        List<String> ids = new ArrayList<>();
        me.get("programs").forEach(program -> ids.add(program.get("programId").asText()));
        return ids;
    }

    @Test
    void anInvitedPartnerSetsAPasswordFromTheMailedLinkAndIsSignedInAsThePartner() {
        String email = email();
        JsonNode invited = api.post(
                        "/v1/partner-invitations",
                        "{\"email\":\"%s\",\"name\":\"Pat Partner\",\"programIds\":[\"%s\"]}".formatted(email, shop))
                .expect(201)
                .json();
        String partnerId = invited.at("/partner/id").asText();
        assertThat(invited.at("/partner/status").asText()).isEqualTo("invited");
        assertThat(invited.at("/partner/name").asText()).isEqualTo("Pat Partner");
        assertThat(invited.get("programIds")).extracting(node -> node.asText()).containsExactly(shop);
        String token = invited.at("/invitation/token").asText();
        assertThat(token).startsWith("ck_inv_");
        assertThat(invited.at("/invitation/acceptUrl").asText())
                .isEqualTo(Onboard.PORTAL + "/invitations/partner/" + token);
        assertThat(invited.at("/invitation/expiresAt").asText()).startsWith("2030-01-22T10:00:00");

        // One mail, to the partner, with the same link; the token is stored only as its hash.
        assertThat(Mails.kinds(api, email)).containsExactly("partner_invitation");
        assertThat(Mails.token(api, email, "partner_invitation", Onboard.PORTAL + "/invitations/partner/"))
                .isEqualTo(token);
        assertThat(api.dsl().fetchCount(INVITATION, INVITATION.TOKEN_HASH.eq(ApiKeyFormat.hash(token))))
                .isEqualTo(1);
        assertThat(api.dsl().fetchCount(INVITATION, INVITATION.TOKEN_HASH.eq(token.getBytes(StandardCharsets.UTF_8))))
                .isZero();
        assertThat(api.get("/v1/partner-invitations?partnerId=" + partnerId)
                        .expect(200)
                        .json()
                        .get("items"))
                .hasSize(1);

        JsonNode shown = preview(token).expect(200).json();
        assertThat(shown.get("email").asText()).isEqualTo(email);
        assertThat(shown.get("partnerName").asText()).isEqualTo("Pat Partner");
        assertThat(shown.at("/programs/0/id").asText()).isEqualTo(shop);

        JsonNode session =
                Onboard.accept(api, token, People.PASSWORD).expect(201).json();
        assertThat(session.at("/principal/role").asText()).isEqualTo("partner");
        assertThat(session.at("/principal/partnerId").asText()).isEqualTo(partnerId);
        String sessionToken = session.get("token").asText();
        JsonNode me = api.send("GET", "/v1/me", null, sessionToken).expect(200).json();
        assertThat(me.get("id").asText()).isEqualTo(partnerId);
        assertThat(me.get("status").asText()).isEqualTo("active");
        assertThat(programIds(me)).containsExactly(shop);
        // The partner signs in with its password from now on, and reaches no admin route.
        People.token(api, email, People.PASSWORD);
        assertThat(api.send("GET", "/v1/partners", null, sessionToken).status()).isEqualTo(403);
        assertThat(api.get("/v1/partner-invitations?partnerId=" + partnerId)
                        .expect(200)
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void reInvitingAPartnerWhoSignsInAddsTheProgramWithoutANewLink() {
        Onboard.SignedInPartner pat = Onboard.partner(api, shop);

        JsonNode again = Onboard.invite(api, pat.email().toUpperCase(java.util.Locale.ROOT), outlet)
                .expect(200)
                .json();

        assertThat(again.get("invitation").isNull()).isTrue();
        assertThat(again.at("/partner/id").asText()).isEqualTo(pat.partnerId());
        assertThat(programIds(api.send("GET", "/v1/me", null, pat.session())
                        .expect(200)
                        .json()))
                .containsExactlyInAnyOrder(shop, outlet);
        assertThat(Mails.kinds(api, pat.email())).containsExactly("partner_invitation", "program_added");
        assertThat(Mails.text(api, pat.email(), "program_added")).contains(Onboard.PORTAL + "/sign-in");
    }

    @Test
    void aNewInvitationReplacesThePendingOneAndOnlyTheNewestLinkWorks() {
        String email = email();
        String first = Onboard.invite(api, email, shop)
                .expect(201)
                .json()
                .at("/invitation/token")
                .asText();
        String second = Onboard.invite(api, email, outlet)
                .expect(201)
                .json()
                .at("/invitation/token")
                .asText();

        JsonNode refused = preview(first).expect(404).json();
        assertThat(refused.get("code").asText()).isEqualTo("invitation_invalid");
        assertThat(refused.get("detail").asText()).contains("replaced by a newer one");
        JsonNode shown = preview(second).expect(200).json();
        assertThat(shown.get("programs"))
                .extracting(program -> program.get("id").asText())
                .containsExactlyInAnyOrder(shop, outlet);
        Onboard.accept(api, first, People.PASSWORD).expect(404);
        Onboard.accept(api, second, People.PASSWORD).expect(201);
    }

    @Test
    void usedTamperedAndMalformedLinksAreRefusedWithAClearReason() {
        String token = Onboard.invite(api, email(), shop)
                .expect(201)
                .json()
                .at("/invitation/token")
                .asText();
        char last = token.charAt(token.length() - 1);
        String tampered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

        JsonNode unknown = preview(tampered).expect(404).json();
        assertThat(unknown.get("code").asText()).isEqualTo("invitation_invalid");
        assertThat(unknown.get("detail").asText()).contains("unknown");
        assertThat(preview("not-a-token").expect(404).json().get("code").asText())
                .isEqualTo("invitation_invalid");
        Onboard.accept(api, tampered, People.PASSWORD).expect(404);

        Onboard.accept(api, token, People.PASSWORD).expect(201);
        JsonNode used = Onboard.accept(api, token, People.PASSWORD).expect(404).json();
        assertThat(used.get("detail").asText()).contains("already used");
        assertThat(preview(token).expect(404).json().get("detail").asText()).contains("already used");
    }

    @Test
    void anExpiredLinkIsRefusedAndSaysWhenItExpired() {
        try (TestApi own = TestApi.start(NO_MAIL_WORKER)) {
            String program = own.createProgram();
            String token = Onboard.invite(own, email(), program)
                    .expect(201)
                    .json()
                    .at("/invitation/token")
                    .asText();
            own.clock().advance(Duration.ofDays(7).plusSeconds(1));

            JsonNode expired = own.send("GET", "/v1/partner-invitations/" + token, null, null)
                    .expect(404)
                    .json();
            assertThat(expired.get("detail").asText()).contains("expired at 2030-01-22T10:00:00");
            Onboard.accept(own, token, People.PASSWORD).expect(404);
        }
    }

    @Test
    void badInvitationsNameTheField() {
        assertThat(Onboard.invite(api, "not-an-email", shop).expect(400).errorFields())
                .contains("email");
        assertThat(Onboard.invite(api, email()).expect(400).errorFields()).contains("programIds");
        assertThat(Onboard.invite(api, email(), shop, "01JZZZZZZZZZZZZZZZZZZZZZZZ")
                        .expect(400)
                        .errorFields())
                .containsExactly("programIds[1]");
        assertThat(api.post("/v1/partner-invitations", "{\"email\":\"a@example.com\",\"programIds\":\"x\"}")
                        .expect(400)
                        .errorFields())
                .contains("programIds");
        // An admin's address is not a partner's.
        assertThat(Onboard.invite(api, People.FIRST_ADMIN, shop)
                        .expect(409)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("email_taken");
    }

    @Test
    void aRevokedPartnerIsNotInvitedUntilAnAdminReactivatesIt() {
        String partnerId = api.createPartner();
        String email = api.get("/v1/partners/" + partnerId).json().get("email").asText();
        api.post("/v1/partners/" + partnerId + "/revoke", null).expect(200);

        assertThat(Onboard.invite(api, email, shop)
                        .expect(409)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("partner_revoked");
        assertThat(Mails.kinds(api, email)).isEmpty();

        api.patch("/v1/partners/" + partnerId, "{\"status\":\"active\"}").expect(200);
        JsonNode invited = Onboard.invite(api, email, shop).expect(201).json();
        assertThat(invited.at("/partner/id").asText()).isEqualTo(partnerId);
        Onboard.accept(api, invited.at("/invitation/token").asText(), People.PASSWORD)
                .expect(201);
    }

    @Test
    void aWithdrawnInvitationStopsWorking() {
        JsonNode invited = Onboard.invite(api, email(), shop).expect(201).json();
        String id = invited.at("/invitation/id").asText();

        api.send("DELETE", "/v1/partner-invitations/" + id, null, TestApi.ADMIN_KEY)
                .expect(204);

        assertThat(preview(invited.at("/invitation/token").asText())
                        .expect(404)
                        .json()
                        .get("detail")
                        .asText())
                .contains("withdrawn");
        api.send("DELETE", "/v1/partner-invitations/" + id, null, TestApi.ADMIN_KEY)
                .expect(404);
    }
}
