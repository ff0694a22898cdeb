package clickledger.api.mail;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.branding.Images;
import clickledger.api.onboarding.Onboard;
import clickledger.api.person.People;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every message of the partner side through real SMTP (GreenMail), in one journey: each arrives
 * once, to the right people, naming the program, and its link works in the api.
 */
class PartnerMailTest {
    private static final String PORTAL = Onboard.PORTAL;

    private static String kind(MimeMessage message) {
        try {
            return message.getHeader("X-Clickledger-Mail")[0];
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The one message of this kind to this recipient; fails when there are none or several. */
    private static MimeMessage one(GreenMail smtp, String recipient, String kind) {
        List<MimeMessage> found = Smtp.to(smtp, recipient).stream()
                .filter(message -> kind(message).equals(kind))
                .toList();
        assertThat(found).as(kind + " to " + recipient).hasSize(1);
        return found.getFirst();
    }

    private static void awaitMessages(GreenMail smtp, TestApi api, int count) {
        Smtp.await(count + " messages", api, () -> smtp.getReceivedMessages().length >= count);
    }

    private static String token(String link) {
        return link.substring(link.lastIndexOf('/') + 1);
    }

    @Test
    void everyPartnerMessageArrivesOnceToTheRightPeopleWithAWorkingLink() throws Exception {
        int port = Smtp.freePort();
        GreenMail smtp = Smtp.start(port);
        Map<String, String> env = new HashMap<>(Smtp.env(port));
        env.put("LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000");
        try (TestApi api = TestApi.start(env)) {
            String owner = People.installAndSignIn(api);
            String second = "second.admin@example.com";
            String adminLink = api.send("POST", "/v1/admin-invitations", "{\"email\":\"%s\"}".formatted(second), owner)
                    .expect(201)
                    .json()
                    .get("acceptUrl")
                    .asText();
            api.send(
                            "POST",
                            "/v1/admin-invitations/accept",
                            "{\"token\":\"%s\",\"name\":\"Sam\",\"password\":\"%s\"}"
                                    .formatted(token(adminLink), People.PASSWORD),
                            null)
                    .expect(201);
            String program = api.post(
                            "/v1/programs",
                            """
                            {"slug":"%s","name":"Acme Coffee","destinationUrl":"https://shop.example.com/","currency":"USD"}"""
                                    .formatted(TestApi.unique("acme-")))
                    .expect(201)
                    .json()
                    .get("id")
                    .asText();
            String other = api.createProgram();
            String slug = api.get("/v1/programs/" + program).json().get("slug").asText();
            // Acme Coffee has a logo; the other program has none.
            String logoVersion = api.sendBytes(
                            "PUT",
                            "/v1/programs/" + program + "/logo",
                            Images.image("png", 120, 40),
                            "image/png",
                            TestApi.ADMIN_KEY)
                    .expect(200)
                    .json()
                    .get("url")
                    .asText()
                    .replaceFirst(".*\\?v=", "");
            String logoImg = "<img src=\"" + PORTAL + "/brand/programs/" + program + "/logo?v=" + logoVersion
                    + "\" alt=\"Acme Coffee\"";
            int sent = 1;

            // Invitation: the partner's link sets its password.
            String pat = TestApi.unique("pat") + "@example.com";
            Onboard.invite(api, pat, program).expect(201);
            awaitMessages(smtp, api, ++sent);
            MimeMessage invitation = one(smtp, pat, "partner_invitation");
            assertThat(Smtp.subject(invitation)).isEqualTo("You are invited to the Acme Coffee partner program");
            String invitationLink = Smtp.link(invitation, PORTAL + "/invitations/partner/");
            assertThat(Smtp.part(invitation, "text/html"))
                    .contains("href=\"" + invitationLink + "\"")
                    .contains(logoImg);
            assertThat(Smtp.part(invitation, "text/plain"))
                    .doesNotContain("/brand/")
                    .doesNotContain("logo");
            String patSession = Onboard.accept(api, token(invitationLink), People.PASSWORD)
                    .expect(201)
                    .json()
                    .get("token")
                    .asText();

            // Re-invited to another program: a note, no link to accept.
            Onboard.invite(api, pat, other).expect(200);
            awaitMessages(smtp, api, ++sent);
            MimeMessage added = one(smtp, pat, "program_added");
            assertThat(Smtp.link(added, PORTAL + "/sign-in")).isEqualTo(PORTAL + "/sign-in");
            assertThat(Smtp.part(added, "text/html")).as("no logo, no img").doesNotContain("<img");

            // An application: every admin is told; approval mails the applicant a working link.
            api.send(
                            "PUT",
                            "/v1/programs/" + program + "/application-form",
                            "{\"enabled\":true,\"terms\":\"Ok.\"}",
                            owner)
                    .expect(200);
            String ray = TestApi.unique("ray") + "@example.com";
            api.send("POST", "/v1/apply/" + slug, applicationOf("Ray", ray), null)
                    .expect(202);
            sent += 2;
            awaitMessages(smtp, api, sent);
            for (String admin : List.of(People.FIRST_ADMIN, second)) {
                MimeMessage received = one(smtp, admin, "application_received");
                assertThat(Smtp.subject(received)).isEqualTo("New partner application for Acme Coffee: Ray");
                assertThat(Smtp.link(received, PORTAL + "/applications")).isEqualTo(PORTAL + "/applications");
                assertThat(Smtp.part(received, "text/html")).contains(logoImg);
            }
            assertThat(Smtp.to(smtp, ray)).isEmpty();
            String rayApplication = api.get("/v1/applications?status=pending")
                    .json()
                    .at("/items/0/id")
                    .asText();
            api.post("/v1/applications/" + rayApplication + "/approve", null).expect(200);
            awaitMessages(smtp, api, ++sent);
            MimeMessage approved = one(smtp, ray, "application_approved");
            assertThat(Smtp.subject(approved)).isEqualTo("Welcome to the Acme Coffee partner program");
            String rayLink = Smtp.link(approved, PORTAL + "/invitations/partner/");
            Onboard.accept(api, token(rayLink), People.PASSWORD).expect(201);

            String tom = TestApi.unique("tom") + "@example.com";
            api.send("POST", "/v1/apply/" + slug, applicationOf("Tom", tom), null)
                    .expect(202);
            sent += 2;
            awaitMessages(smtp, api, sent);
            String tomApplication = api.get("/v1/applications?status=pending")
                    .json()
                    .at("/items/0/id")
                    .asText();
            api.post("/v1/applications/" + tomApplication + "/reject", "{\"reason\":\"Cooking blogs only.\"}")
                    .expect(200);
            awaitMessages(smtp, api, ++sent);
            assertThat(Smtp.part(one(smtp, tom, "application_rejected"), "text/plain"))
                    .contains("Acme Coffee")
                    .contains("Cooking blogs only.");

            // Password reset, for the partner.
            api.send("POST", "/v1/password-resets", "{\"email\":\"%s\"}".formatted(pat), null)
                    .expect(202);
            awaitMessages(smtp, api, ++sent);
            String resetLink = Smtp.link(one(smtp, pat, "password_reset"), PORTAL + "/reset-password/");
            api.send(
                            "POST",
                            "/v1/password-resets/confirm",
                            "{\"token\":\"%s\",\"password\":\"a new long pass phrase\"}".formatted(token(resetLink)),
                            null)
                    .expect(201);
            patSession = People.token(api, pat, "a new long pass phrase");

            // Payout details changed: told at the partner's address.
            api.send(
                            "PUT",
                            "/v1/me/payout-details",
                            "{\"method\":\"paypal\",\"paypalEmail\":\"pp@example.com\"}",
                            patSession)
                    .expect(200);
            awaitMessages(smtp, api, ++sent);
            assertThat(Smtp.link(one(smtp, pat, "payout_details_changed"), PORTAL + "/partner/payout-details"))
                    .isEqualTo(PORTAL + "/partner/payout-details");

            // Payout paid, as issue 16's mark-paid queues it.
            UUID partnerId = Ulid.parse(partnerIdOf(api, patSession)).orElseThrow();
            api.dsl().transaction(trx -> api.app()
                    .mail()
                    .mailer()
                    .payoutPaid(
                            trx.dsl(),
                            new Mailer.PayoutPaid(
                                    UUID.randomUUID(),
                                    partnerId,
                                    Ulid.parse(program).orElseThrow(),
                                    12_345,
                                    "USD",
                                    3,
                                    "paypal",
                                    "PAY-42",
                                    Instant.parse("2030-01-15T09:00:00Z"))));
            awaitMessages(smtp, api, ++sent);
            MimeMessage paid = one(smtp, pat, "payout_paid");
            assertThat(Smtp.subject(paid)).isEqualTo("Acme Coffee: your payout of 123.45 USD was paid");
            assertThat(Smtp.part(paid, "text/plain")).contains("PAY-42");
            assertThat(Smtp.part(paid, "text/html")).contains(logoImg);
            assertThat(Smtp.link(paid, PORTAL + "/partner/payouts")).isEqualTo(PORTAL + "/partner/payouts");

            // Email change: the link goes to the new address; the old one is told once it is made.
            String patNew = TestApi.unique("pat.new") + "@example.com";
            api.send(
                            "POST",
                            "/v1/me/profile/email",
                            "{\"email\":\"%s\",\"currentPassword\":\"a new long pass phrase\"}".formatted(patNew),
                            patSession)
                    .expect(202);
            awaitMessages(smtp, api, ++sent);
            String confirmLink = Smtp.link(one(smtp, patNew, "email_change"), PORTAL + "/confirm-email/");
            api.send("POST", "/v1/email-changes/confirm", "{\"token\":\"%s\"}".formatted(token(confirmLink)), null)
                    .expect(200);
            awaitMessages(smtp, api, ++sent);
            assertThat(Smtp.link(one(smtp, pat, "email_changed"), PORTAL + "/forgot-password"))
                    .isEqualTo(PORTAL + "/forgot-password");

            // Nothing more went, and nothing twice.
            Thread.sleep(500);
            assertThat(smtp.getReceivedMessages()).hasSize(sent);
            List<String> seen = new ArrayList<>();
            for (MimeMessage message : smtp.getReceivedMessages()) {
                seen.add(Smtp.recipients(new MimeMessage[] {message}).getFirst() + " " + Smtp.subject(message));
            }
            assertThat(seen).doesNotHaveDuplicates();
            JsonNode log = api.get("/v1/mail?status=sent&limit=100").expect(200).json();
            assertThat(log.get("items")).hasSize(sent);
        } finally {
            smtp.stop();
        }
    }

    private static String applicationOf(String name, String email) {
        return """
                {"name":"%s","email":"%s","promotion":"A newsletter","termsAccepted":true,"nickname":""}"""
                .formatted(name, email);
    }

    private static String partnerIdOf(TestApi api, String session) {
        return api.send("GET", "/v1/me", null, session)
                .expect(200)
                .json()
                .get("id")
                .asText();
    }
}
