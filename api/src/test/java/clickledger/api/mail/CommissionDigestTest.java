package clickledger.api.mail;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Approved commissions reach their partner as one mail a day (at MAIL_DIGEST_HOUR, 8 UTC by
 * default), not one mail per commission, and each commission is announced once.
 */
class CommissionDigestTest {
    @Test
    void approvedCommissionsComeAsOneMailPerPartnerADay() throws Exception {
        int port = Smtp.freePort();
        GreenMail smtp = Smtp.start(port);
        try (TestApi api = TestApi.start(Smtp.env(port))) {
            Ledger ledger = new Ledger(api);
            String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
            Ledger.Partner ada = ledger.partner(program);
            Ledger.Partner bob = ledger.partner(program);
            Instant clicked = api.clock().instant().minusSeconds(3_600);
            List<String> adaCommissions = new ArrayList<>();
            adaCommissions.add(sale(api, ledger, program, ada, "a1", "49.00", clicked));
            adaCommissions.add(sale(api, ledger, program, ada, "a2", "20.00", clicked));
            String bobCommission = sale(api, ledger, program, bob, "b1", "100.00", clicked);
            String later = sale(api, ledger, program, ada, "a3", "5.00", clicked);

            // Approved at 10:00 on the 15th: after that day's digest (8:00), so due on the 16th.
            approve(api, adaCommissions.get(0), adaCommissions.get(1), bobCommission);
            assertThat(api.app().mail().digest().runOnce()).isZero();

            api.clock().set(Instant.parse("2030-01-16T08:00:01Z"));
            assertThat(api.app().mail().digest().runOnce()).isEqualTo(2);
            // A second run, or another replica's, finds nothing left to announce.
            assertThat(api.app().mail().digest().runOnce()).isZero();
            approve(api, later);

            assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
            String adaEmail = partnerEmail(api, ada.id());
            String bobEmail = partnerEmail(api, bob.id());
            List<MimeMessage> toAda = Smtp.to(smtp, adaEmail);
            assertThat(toAda).hasSize(1);
            assertThat(Smtp.subject(toAda.getFirst())).isEqualTo("Commissions approved: 6.90 USD");
            String text = Smtp.part(toAda.getFirst(), "text/plain");
            assertThat(text)
                    .contains("2 of your commissions were approved")
                    .contains("4.90 USD")
                    .contains("2.00 USD");
            assertThat(text).doesNotContain("0.50 USD");
            assertThat(Smtp.link(toAda.getFirst(), "http://localhost:8080/partner/commissions"))
                    .isEqualTo("http://localhost:8080/partner/commissions");
            assertThat(Smtp.subject(Smtp.to(smtp, bobEmail).getFirst())).isEqualTo("Commissions approved: 10.00 USD");

            // The commission approved on the 16th goes on the 17th, alone.
            api.clock().set(Instant.parse("2030-01-17T09:00:00Z"));
            assertThat(api.app().mail().digest().runOnce()).isEqualTo(1);
            assertThat(smtp.waitForIncomingEmail(10_000, 3)).isTrue();
            assertThat(Smtp.to(smtp, adaEmail)).hasSize(2);
            assertThat(Smtp.to(smtp, adaEmail).stream().map(Smtp::subject)).contains("Commissions approved: 0.50 USD");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void aCommissionRejectedBeforeTheDigestIsNotAnnounced() {
        try (TestApi api = TestApi.start(java.util.Map.of("MAIL_WORKER_ENABLED", "false"))) {
            Ledger ledger = new Ledger(api);
            String program = ledger.program("EUR", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
            Ledger.Partner ada = ledger.partner(program);
            String commission = sale(
                    api,
                    ledger,
                    program,
                    ada,
                    "r1",
                    "10.00",
                    api.clock().instant().minusSeconds(60));
            approve(api, commission);
            api.post("/v1/commissions/" + commission + "/reject", null).expect(200);

            api.clock().set(Instant.parse("2030-01-16T08:30:00Z"));
            assertThat(api.app().mail().digest().runOnce()).isZero();
            assertThat(api.get("/v1/mail?kind=commission_digest").json().get("items"))
                    .isEmpty();
            api.clock().set(Instant.parse("2030-01-17T08:30:00Z"));
            assertThat(api.app().mail().digest().runOnce()).isZero();
        }
    }

    /** A click, identify and purchase for the partner; returns the commission's id. */
    private static String sale(
            TestApi api,
            Ledger ledger,
            String program,
            Ledger.Partner partner,
            String key,
            String value,
            Instant clicked) {
        String cref = ledger.click(program, partner, clicked);
        ledger.identify(cref, "user-" + key).expect(201);
        JsonNode event = ledger.event(program, key, "user-" + key, value, clicked.plusSeconds(60))
                .expect(201)
                .json();
        return event.at("/commissions/0/id").asText();
    }

    private static void approve(TestApi api, String... ids) {
        api.post("/v1/commissions/bulk", "{\"action\":\"approve\",\"ids\":[\"" + String.join("\",\"", ids) + "\"]}")
                .expect(200);
    }

    private static String partnerEmail(TestApi api, String partnerId) {
        return api.get("/v1/partners/" + partnerId)
                .expect(200)
                .json()
                .get("email")
                .asText();
    }
}
