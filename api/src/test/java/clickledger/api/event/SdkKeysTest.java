package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SdkKeysTest {
    private static final Instant NOW = TestApi.START;
    private static TestApi api;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        ledger = new Ledger(api);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String key(String kind, String programId) {
        return api.post(
                        "/v1/api-keys",
                        """
                        {"kind":"%s","programId":"%s","name":"shop backend"}"""
                                .formatted(kind, programId))
                .expect(201)
                .json()
                .get("key")
                .asText();
    }

    @Test
    void secretKeyIdentifiesAndPostsEventsInItsProgramWithoutNamingIt() {
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner partner = ledger.partner(program);
        String secret = key("secret", program);
        String cref = ledger.click(program, partner, NOW.minus(Duration.ofDays(1)));
        api.send("POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u_42\"}".formatted(cref), secret)
                .expect(201);
        TestApi.Response event = api.send(
                "POST",
                "/v1/events",
                "{\"eventId\":\"inv_1\",\"userId\":\"u_42\",\"type\":\"purchase\",\"value\":\"49.00\"}",
                secret);
        event.expect(201);
        assertThat(event.json().at("/commissions/0/amount").asText()).isEqualTo("4.90");
    }

    @Test
    void openPartnerRoutesTakeTheProgramFromASecretKeyAndRefusePublishableKeysForEvents() {
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner partner = ledger.partner(program);
        String secret = key("secret", program);
        String cref = ledger.click(program, partner, NOW.minus(Duration.ofDays(1)));
        api.send("POST", "/attribution/identify", "{\"cref\":\"%s\",\"userId\":\"op_1\"}".formatted(cref), secret)
                .expect(201);
        TestApi.Response event = api.send(
                "POST", "/attribution/events", "{\"userId\":\"op_1\",\"type\":\"purchase\",\"value\":20}", secret);
        event.expect(201);
        assertThat(event.json().at("/attribution/status").asText()).isEqualTo("attributed");
        TestApi.Response publishable = api.send(
                "POST",
                "/attribution/events",
                "{\"userId\":\"op_1\",\"type\":\"purchase\"}",
                key("publishable", program));
        assertThat(publishable.status()).isEqualTo(403);
    }

    @Test
    void publishableKeyMayIdentifyButNeverPostEvents() {
        String program = ledger.program("USD", "last_click", "[]");
        Ledger.Partner partner = ledger.partner(program);
        String publishable = key("publishable", program);
        String cref = ledger.click(program, partner, NOW.minus(Duration.ofDays(1)));
        api.send("POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u_1\"}".formatted(cref), publishable)
                .expect(201);
        TestApi.Response event = api.send(
                "POST",
                "/v1/events",
                "{\"eventId\":\"inv_1\",\"userId\":\"u_1\",\"type\":\"purchase\",\"value\":\"1.00\"}",
                publishable);
        assertThat(event.status()).isEqualTo(403);
    }

    @Test
    void aProgramKeyCannotIdentifyClicksOrPostEventsOfAnotherProgram() {
        String mine = ledger.program("USD", "last_click", "[]");
        String theirs = ledger.program("USD", "last_click", "[]");
        Ledger.Partner partner = ledger.partner(theirs);
        String secret = key("secret", mine);
        String theirCref = ledger.click(theirs, partner, NOW.minus(Duration.ofDays(1)));
        assertThat(api.send("POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u\"}".formatted(theirCref), secret)
                        .status())
                .isEqualTo(404);
        assertThat(api.send(
                                "POST",
                                "/v1/events",
                                "{\"programId\":\"%s\",\"eventId\":\"x\",\"userId\":\"u\",\"type\":\"purchase\"}"
                                        .formatted(theirs),
                                secret)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void partnerKeysCannotReachCommissionsOrRederivation() {
        String program = ledger.program("USD", "last_click", "[]");
        Ledger.Partner partner = ledger.partner(program);
        String partnerKey = api.post(
                        "/v1/api-keys",
                        """
                        {"kind":"partner","partnerId":"%s","name":"ada"}"""
                                .formatted(partner.id()))
                .expect(201)
                .json()
                .get("key")
                .asText();
        assertThat(api.send("GET", "/v1/commissions", null, partnerKey).status())
                .isEqualTo(403);
        assertThat(api.send("POST", "/v1/attribution/rederive", "{\"programId\":\"%s\"}".formatted(program), partnerKey)
                        .status())
                .isEqualTo(403);
        assertThat(api.send("GET", "/v1/commissions", null, key("secret", program))
                        .status())
                .isEqualTo(403);
    }
}
