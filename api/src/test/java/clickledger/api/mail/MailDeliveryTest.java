package clickledger.api.mail;

import static clickledger.db.jooq.Tables.MAIL_MESSAGE;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import clickledger.api.TestApi;
import clickledger.api.person.People;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The mail outbox end to end: the real api queues messages in the transactions that cause them,
 * its worker sends them to GreenMail (an SMTP server in this JVM), or to .eml files without
 * SMTP_URL, and the mail log tells what happened.
 */
class MailDeliveryTest {
    private static final String PASSWORD = People.PASSWORD;

    private static String invite(TestApi api, String session, String email) {
        return api.send("POST", "/v1/admin-invitations", "{\"email\":\"%s\"}".formatted(email), session)
                .expect(201)
                .json()
                .get("acceptUrl")
                .asText();
    }

    private static int count(TestApi api, String status) {
        return api.dsl().fetchCount(MAIL_MESSAGE, MAIL_MESSAGE.STATUS.eq(status));
    }

    @Test
    void anInvitationArrivesOnceWithAWorkingLink() throws Exception {
        int port = Smtp.freePort();
        GreenMail smtp = Smtp.start(port);
        try (TestApi api = TestApi.start(Smtp.env(port))) {
            String session = People.installAndSignIn(api);
            String acceptUrl = invite(api, session, "grace@example.com");

            assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
            Smtp.await("the mail log to say sent", api, () -> count(api, "sent") == 1);
            MimeMessage message = smtp.getReceivedMessages()[0];
            assertThat(Smtp.recipients(smtp.getReceivedMessages())).containsExactly("grace@example.com");
            assertThat(message.getFrom()[0].toString()).isEqualTo("Acme Partners <" + Smtp.FROM + ">");
            assertThat(message.getSubject()).isEqualTo("You are invited to be an admin on clickledger");
            assertThat(message.getHeader("Message-ID")[0]).endsWith("@clickledger>");
            String link = Smtp.link(message, "http://localhost:8080/invitations/admin/");
            assertThat(link).isEqualTo(acceptUrl);
            assertThat(Smtp.part(message, "text/html")).contains("href=\"" + link + "\"");

            // The link in the mail is the working one: it shows who it is for, and accepts once.
            String token = link.substring(link.lastIndexOf('/') + 1);
            assertThat(api.send("GET", "/v1/admin-invitations/" + token, null, null)
                            .expect(200)
                            .json()
                            .get("email")
                            .asText())
                    .isEqualTo("grace@example.com");
            String accept = "{\"token\":\"%s\",\"name\":\"Grace\",\"password\":\"%s\"}".formatted(token, PASSWORD);
            api.send("POST", "/v1/admin-invitations/accept", accept, null).expect(201);

            JsonNode log = api.get("/v1/mail?to=GRACE@example.com").expect(200).json();
            assertThat(log.get("items")).hasSize(1);
            JsonNode entry = log.at("/items/0");
            assertThat(entry.get("kind").asText()).isEqualTo("admin_invitation");
            assertThat(entry.get("status").asText()).isEqualTo("sent");
            assertThat(entry.get("attempts").asInt()).isEqualTo(1);
            assertThat(entry.has("body")).isFalse();
            // Once sent, the body (and the token in it) is no longer stored.
            assertThat(api.dsl().fetchCount(MAIL_MESSAGE, MAIL_MESSAGE.BODY_ENC.isNotNull()))
                    .isZero();

            Thread.sleep(500);
            assertThat(smtp.getReceivedMessages()).hasSize(1);
        } finally {
            smtp.stop();
        }
    }

    @Test
    void mailQueuedWhileSmtpIsDownArrivesOnceEachWhenItReturnsThroughTwoReplicas() {
        int messages = 12;
        try (Smtp.Down down = new Smtp.Down();
                TestApi api = TestApi.start(Smtp.env(down.port()));
                TestApi replica = api.replica(Map.of())) {
            String session = People.installAndSignIn(api);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < messages; i++) {
                String email = "outage" + i + "@example.com";
                invite(i % 2 == 0 ? api : replica, session, email);
                expected.add(email);
            }
            // Every message was tried and failed, and waits for its next attempt.
            Smtp.await(
                    "every message to fail once",
                    api,
                    () -> api.dsl()
                                    .fetchCount(
                                            MAIL_MESSAGE,
                                            MAIL_MESSAGE
                                                    .STATUS
                                                    .eq("pending")
                                                    .and(MAIL_MESSAGE.ATTEMPTS.ge(1))
                                                    .and(MAIL_MESSAGE.LAST_ERROR.isNotNull()))
                            == messages);
            JsonNode failing =
                    api.get("/v1/mail?status=pending&limit=1").expect(200).json();
            assertThat(failing.at("/items/0/lastError").asText()).containsIgnoringCase("connect");

            GreenMail smtp = down.start();
            try {
                Smtp.await("every message to be sent", api, () -> count(api, "sent") == messages);
                assertThat(smtp.waitForIncomingEmail(10_000, messages)).isTrue();
                Thread.sleep(1_000);
                // None lost, none doubled, though two workers took turns at them.
                assertThat(Smtp.recipients(smtp.getReceivedMessages())).containsExactlyInAnyOrderElementsOf(expected);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                smtp.stop();
            }
        }
    }

    @Test
    void withoutSmtpUrlEachMessageIsAnEmlFileAndItsLinksAreLogged(@TempDir Path directory) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(FileTransport.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (TestApi api = TestApi.start(Map.of("MAIL_DIR", directory.toString(), "MAIL_POLL_INTERVAL_MS", "50"))) {
            String session = People.installAndSignIn(api);
            String acceptUrl = invite(api, session, "files@example.com");

            Smtp.await("the message to be written", api, () -> count(api, "sent") == 1);
            List<Path> files;
            try (Stream<Path> list = Files.list(directory)) {
                files = list.toList();
            }
            assertThat(files).hasSize(1);
            assertThat(files.getFirst().getFileName().toString())
                    .endsWith("-admin_invitation-"
                            + api.get("/v1/mail").json().at("/items/0/id").asText() + ".eml");
            MimeMessage message;
            try (InputStream in = Files.newInputStream(files.getFirst())) {
                message = new MimeMessage(Session.getInstance(new Properties()), in);
            }
            assertThat(Smtp.recipients(new MimeMessage[] {message})).containsExactly("files@example.com");
            assertThat(Smtp.link(message, "http://localhost:8080/invitations/admin/"))
                    .isEqualTo(acceptUrl);

            assertThat(logged.list).anySatisfy(event -> {
                Map<String, Object> fields = new HashMap<>();
                event.getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
                assertThat(fields.get("to")).isEqualTo("files@example.com");
                assertThat(fields.get("subject")).isEqualTo("You are invited to be an admin on clickledger");
                assertThat((String) fields.get("links")).contains(acceptUrl);
            });
            JsonNode status = api.get("/v1/mail/status").expect(200).json();
            assertThat(status.get("transport").asText()).isEqualTo("files");
            assertThat(status.get("directory").asText())
                    .isEqualTo(directory.toAbsolutePath().toString());
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void aMessageWhoseLinksExpiredWhileSmtpWasDownIsNeverSent() throws InterruptedException {
        try (Smtp.Down down = new Smtp.Down();
                TestApi api = TestApi.start(Smtp.env(down.port()))) {
            String session = People.installAndSignIn(api);
            invite(api, session, "late@example.com");
            Smtp.await(
                    "a failed attempt",
                    api,
                    () -> api.get("/v1/mail").json().at("/items/0/attempts").asInt() >= 1);

            api.clock().advance(Duration.ofDays(8));
            GreenMail smtp = down.start();
            try {
                Smtp.await("the message to expire", api, () -> count(api, "expired") == 1);
                Thread.sleep(500);
                assertThat(smtp.getReceivedMessages()).isEmpty();
                assertThat(api.dsl().fetchCount(MAIL_MESSAGE, MAIL_MESSAGE.BODY_ENC.isNotNull()))
                        .isZero();
                String id = api.get("/v1/mail").json().at("/items/0/id").asText();
                // An expired message is not sent again by hand either.
                assertThat(api.post("/v1/mail/" + id + "/resend", null).status())
                        .isEqualTo(409);
            } finally {
                smtp.stop();
            }
        }
    }

    @Test
    void aDeadMessageIsSentAgainByHandOnceTheServerIsBack() {
        Smtp.Down down = new Smtp.Down();
        Map<String, String> env = new HashMap<>(Smtp.env(down.port()));
        env.put("MAIL_MAX_ATTEMPTS", "1");
        try (down;
                TestApi api = TestApi.start(env)) {
            String session = People.installAndSignIn(api);
            invite(api, session, "dead@example.com");
            Smtp.await("the message to die", api, () -> count(api, "dead") == 1);
            JsonNode dead = api.get("/v1/mail?status=dead").expect(200).json().at("/items/0");
            String id = dead.get("id").asText();
            assertThat(dead.get("nextAttemptAt").isNull()).isTrue();
            assertThat(api.get("/v1/mail/status").json().get("dead").asInt()).isEqualTo(1);

            GreenMail smtp = down.start();
            try {
                JsonNode queued =
                        api.post("/v1/mail/" + id + "/resend", null).expect(202).json();
                assertThat(queued.get("status").asText()).isEqualTo("pending");
                assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
                Smtp.await("the message to be sent", api, () -> count(api, "sent") == 1);
                assertThat(Smtp.recipients(smtp.getReceivedMessages())).containsExactly("dead@example.com");
                assertThat(api.post("/v1/mail/" + id + "/resend", null).status())
                        .isEqualTo(409);
            } finally {
                smtp.stop();
            }
        }
    }

    @Test
    void aWebhookEndpointDisabledAfterFailingForHoursIsMailedToEveryAdmin() {
        int port = Smtp.freePort();
        GreenMail smtp = Smtp.start(port);
        Map<String, String> env = new HashMap<>(Smtp.env(port));
        env.putAll(Map.of(
                "WEBHOOK_ALLOW_PRIVATE", "true",
                "WEBHOOK_DISABLE_AFTER_HOURS", "1",
                "WEBHOOK_BREAKER_THRESHOLD", "10000",
                "WEBHOOK_RETRY_BASE_SECONDS", "1",
                "WEBHOOK_RETRY_CAP_SECONDS", "1",
                "WEBHOOK_MAX_ATTEMPTS", "100",
                "WEBHOOK_POLL_INTERVAL_MS", "50"));
        try (TestApi api = TestApi.start(env)) {
            String session = People.installAndSignIn(api);
            String acceptUrl = invite(api, session, "second.admin@example.com");
            String token = acceptUrl.substring(acceptUrl.lastIndexOf('/') + 1);
            api.send(
                            "POST",
                            "/v1/admin-invitations/accept",
                            "{\"token\":\"%s\",\"name\":\"Sam\",\"password\":\"%s\"}".formatted(token, PASSWORD),
                            null)
                    .expect(201);
            String endpointId = api.post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:" + Smtp.freePort() + "/gone\"}")
                    .expect(201)
                    .json()
                    .get("id")
                    .asText();
            api.post("/v1/webhooks/" + endpointId + "/test", null).expect(202);
            Smtp.await("a failed delivery", api, () -> !api.get("/v1/webhooks/" + endpointId)
                    .json()
                    .get("failingSince")
                    .isNull());
            api.clock().advance(Duration.ofHours(2));
            Smtp.await("the endpoint to be disabled", api, () -> !api.get("/v1/webhooks/" + endpointId)
                    .json()
                    .get("enabled")
                    .asBoolean());

            // One mail per admin, sent one after the other: wait for both (under load the second
            // can trail the first by seconds), then check neither came twice.
            List<String> admins = List.of(People.FIRST_ADMIN, "second.admin@example.com");
            Smtp.await("the disabled-endpoint mail to every admin", api, () -> admins.stream()
                    .allMatch(admin -> !disabledMails(smtp, admin).isEmpty()));
            for (String admin : admins) {
                List<MimeMessage> mails = disabledMails(smtp, admin);
                assertThat(mails).as(admin).hasSize(1);
                assertThat(Smtp.link(mails.getFirst(), "http://localhost:8080/webhooks/"))
                        .isEqualTo("http://localhost:8080/webhooks/" + endpointId);
            }
        } finally {
            smtp.stop();
        }
    }

    private static List<MimeMessage> disabledMails(GreenMail smtp, String admin) {
        return Smtp.to(smtp, admin).stream()
                .filter(mail -> Smtp.subject(mail).equals("A webhook endpoint was disabled"))
                .toList();
    }
}
