package clickledger.api.me;

import static clickledger.db.jooq.Tables.PAYOUT_DETAILS;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.branding.Images;
import clickledger.api.mail.Mails;
import clickledger.api.onboarding.Onboard;
import clickledger.api.payout.PayoutDetailsRepository;
import clickledger.api.person.People;
import clickledger.api.secret.SecretBox;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The partner's own pages through /v1/me: its stats and balances, its commissions (with what
 * earned them, never the merchant's user id), its payouts, its payout details (encrypted, shown
 * masked) and its profile; with its session and with its partner key alike.
 */
class MeRoutesTest {
    private static TestApi api;
    private static String program;
    private static Earner ada;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of(
                "MAIL_WORKER_ENABLED", "false",
                "LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR", "1000",
                "LOGIN_RATE_LIMIT_PER_MINUTE", "1000"));
        program = Earner.program(api);
        ada = Earner.in(api, program);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode get(String path, String credential) {
        return api.send("GET", path, null, credential).expect(200).json();
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void statsShowThePartnersOwnFiguresForEveryDayAndItsBalances() {
        for (String credential : List.of(ada.session(), ada.key())) {
            JsonNode stats = get("/v1/me/stats?from=2030-01-13&to=2030-01-15", credential);

            assertThat(stats.get("from").asText()).isEqualTo("2030-01-13");
            assertThat(stats.get("to").asText()).isEqualTo("2030-01-15");
            JsonNode mine = stats.at("/programs/0");
            assertThat(stats.get("programs")).hasSize(1);
            assertThat(mine.get("programId").asText()).isEqualTo(program);
            assertThat(mine.get("currency").asText()).isEqualTo("USD");
            assertThat(mine.get("days"))
                    .extracting(day -> day.get("day").asText())
                    .containsExactly("2030-01-13", "2030-01-14", "2030-01-15");
            JsonNode today = mine.at("/days/2");
            assertThat(today.get("clicks").asLong()).isEqualTo(3);
            assertThat(today.get("conversions").asLong()).isEqualTo(2);
            assertThat(today.get("commissions").asText()).isEqualTo("6.90");
            assertThat(mine.at("/days/0/clicks").asLong()).isZero();
            assertThat(mine.at("/totals/clicks").asLong()).isEqualTo(3);
            assertThat(mine.at("/totals/commissions").asText()).isEqualTo("6.90");

            JsonNode balance = stats.at("/balances/0");
            assertThat(stats.get("balances")).hasSize(1);
            assertThat(balance.get("currency").asText()).isEqualTo("USD");
            assertThat(balance.get("pending").asText()).isEqualTo("4.90");
            assertThat(balance.get("approved").asText()).isEqualTo("0.00");
            assertThat(balance.get("paid").asText()).isEqualTo("2.00");
            assertThat(balance.get("reversed").asText()).isEqualTo("0.00");
        }
        assertThat(api.send("GET", "/v1/me/stats?from=2030-01-15&to=2030-01-01", null, ada.key())
                        .expect(400)
                        .errorFields())
                .isNotEmpty();
        // The default range is the last 30 days, ending today.
        JsonNode recent = get("/v1/me/stats", ada.key());
        assertThat(recent.get("to").asText()).isEqualTo("2030-01-15");
        assertThat(recent.at("/programs/0/days")).hasSize(30);
    }

    @Test
    void statsByLinkGiveEachLinksFiguresForTheLinksPage() {
        JsonNode stats = get("/v1/me/stats?from=2030-01-15&to=2030-01-15&groupBy=link", ada.session());

        JsonNode links = stats.at("/programs/0/links");
        assertThat(links).hasSize(1);
        assertThat(links.at("/0/linkId").asText()).isEqualTo(ada.linkId());
        assertThat(links.at("/0/clicks").asLong()).isEqualTo(3);
        assertThat(links.at("/0/conversions").asLong()).isEqualTo(2);
        assertThat(links.at("/0/commissions").asText()).isEqualTo("6.90");
        assertThat(get("/v1/me/stats", ada.session()).at("/programs/0").has("links"))
                .isFalse();
        assertThat(api.send("GET", "/v1/me/stats?groupBy=partner", null, ada.key())
                        .expect(400)
                        .errorFields())
                .containsExactly("groupBy");
    }

    @Test
    void commissionsShowWhatEarnedThemButNeverTheMerchantsUser() {
        TestApi.Response response =
                api.send("GET", "/v1/me/commissions", null, ada.session()).expect(200);
        JsonNode items = response.json().get("items");

        assertThat(ids(items)).containsExactlyInAnyOrder(ada.pendingCommission(), ada.paidCommission());
        JsonNode paid = get("/v1/me/commissions/" + ada.paidCommission(), ada.key());
        assertThat(paid.get("amount").asText()).isEqualTo("2.00");
        assertThat(paid.get("currency").asText()).isEqualTo("USD");
        assertThat(paid.get("status").asText()).isEqualTo("paid");
        assertThat(paid.get("eventType").asText()).isEqualTo("purchase");
        assertThat(paid.get("eventValue").asText()).isEqualTo("20.00");
        assertThat(paid.get("payoutId").asText()).isEqualTo(ada.payoutId());
        assertThat(paid.has("holdUntil")).isTrue();
        assertThat(response.body()).doesNotContain("user-").doesNotContain("order-");
        assertThat(paid.has("userId")).isFalse();
        assertThat(paid.has("eventId")).isFalse();

        assertThat(ids(get("/v1/me/commissions?status=pending", ada.key()).get("items")))
                .containsExactly(ada.pendingCommission());
        assertThat(api.send("GET", "/v1/me/commissions?status=maybe", null, ada.key())
                        .expect(400)
                        .errorFields())
                .containsExactly("status");
        assertThat(ids(get("/v1/me/commissions?limit=1", ada.key()).get("items")))
                .hasSize(1);
    }

    @Test
    void payoutsListTheirCommissions() {
        JsonNode payouts = get("/v1/me/payouts", ada.session());

        assertThat(ids(payouts.get("items"))).containsExactly(ada.payoutId());
        JsonNode payout = get("/v1/me/payouts/" + ada.payoutId(), ada.key());
        assertThat(payout.get("amount").asText()).isEqualTo("2.00");
        assertThat(payout.get("status").asText()).isEqualTo("paid");
        assertThat(payout.get("commissionCount").asInt()).isEqualTo(1);
        assertThat(payout.get("commissionIds"))
                .extracting(node -> node.asText())
                .containsExactly(ada.paidCommission());
        assertThat(payout.get("partnerId").asText()).isEqualTo(ada.partnerId());
    }

    @Test
    void payoutDetailsAreStoredEncryptedShownMaskedAndTheChangeIsMailed() {
        Earner bea = Earner.in(api, program);
        assertThat(get("/v1/me/payout-details", bea.key()).get("method").isNull())
                .isTrue();

        JsonNode paypal = api.send(
                        "PUT",
                        "/v1/me/payout-details",
                        "{\"method\":\"paypal\",\"paypalEmail\":\"bea.money@paypal.example\"}",
                        bea.session())
                .expect(200)
                .json();

        assertThat(paypal.get("method").asText()).isEqualTo("paypal");
        assertThat(paypal.get("masked").asText()).isEqualTo("b•••@paypal.example");
        byte[] sealed = api.dsl()
                .select(PAYOUT_DETAILS.DETAILS_ENC)
                .from(PAYOUT_DETAILS)
                .where(PAYOUT_DETAILS.PARTNER_ID.eq(Earner.uuid(bea.partnerId())))
                .fetchSingle(PAYOUT_DETAILS.DETAILS_ENC);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("bea.money");
        SecretBox secrets = SecretBox.fromBase64(TestApi.SECRETS_KEY).orElseThrow();
        assertThat(PayoutDetailsRepository.reveal(api.dsl(), secrets, Earner.uuid(bea.partnerId()))
                        .orElseThrow()
                        .value())
                .isEqualTo("bea.money@paypal.example");
        assertThat(get("/v1/me/payout-details", bea.key()).toString()).doesNotContain("bea.money");
        assertThat(Mails.kinds(api, bea.email())).contains("payout_details_changed");
        assertThat(Mails.text(api, bea.email(), "payout_details_changed"))
                .contains(Onboard.PORTAL + "/partner/payout-details")
                .doesNotContain("bea.money");

        JsonNode wise = api.send(
                        "PUT",
                        "/v1/me/payout-details",
                        "{\"method\":\"wise\",\"bankDetails\":\"Bea Bank, IBAN DE89 3704 0044 0532 0130 00\"}",
                        bea.key())
                .expect(200)
                .json();
        assertThat(wise.get("masked").asText()).isEqualTo("•••• 3000");

        assertThat(api.send("PUT", "/v1/me/payout-details", "{\"method\":\"cheque\"}", bea.key())
                        .expect(400)
                        .errorFields())
                .containsExactly("method");
        assertThat(api.send(
                                "PUT",
                                "/v1/me/payout-details",
                                "{\"method\":\"paypal\",\"paypalEmail\":\"nope\"}",
                                bea.key())
                        .expect(400)
                        .errorFields())
                .containsExactly("paypalEmail");
        assertThat(api.send(
                                "PUT",
                                "/v1/me/payout-details",
                                "{\"method\":\"wise\",\"bankDetails\":\"%s\"}".formatted("1".repeat(2_001)),
                                bea.key())
                        .expect(400)
                        .errorFields())
                .containsExactly("bankDetails");
        assertThat(get("/v1/me/payout-details", bea.key()).get("masked").asText())
                .isEqualTo("•••• 3000");
    }

    @Test
    void theProfileRenamesThePartnerAndTheSignedInPerson() {
        Earner cal = Earner.in(api, program);
        JsonNode withSession = get("/v1/me/profile", cal.session());
        assertThat(withSession.get("partnerId").asText()).isEqualTo(cal.partnerId());
        assertThat(withSession.get("email").asText()).isEqualTo(cal.email());
        assertThat(withSession.at("/person/email").asText()).isEqualTo(cal.email());
        assertThat(get("/v1/me/profile", cal.key()).get("person").isNull()).isTrue();

        JsonNode renamed = api.send("PATCH", "/v1/me/profile", "{\"name\":\"Cal Partner\"}", cal.session())
                .expect(200)
                .json();

        assertThat(renamed.get("name").asText()).isEqualTo("Cal Partner");
        assertThat(renamed.at("/person/name").asText()).isEqualTo("Cal Partner");
        assertThat(api.get("/v1/partners/" + cal.partnerId()).json().get("name").asText())
                .isEqualTo("Cal Partner");
        assertThat(api.send("PATCH", "/v1/me/profile", "{\"name\":\"\"}", cal.key())
                        .expect(400)
                        .errorFields())
                .containsExactly("name");
    }

    @Test
    void changingTheEmailWaitsForTheLinkMailedToTheNewAddress() {
        Earner dee = Earner.in(api, program);
        String newEmail = TestApi.unique("dee.new") + "@example.com";
        String body = "{\"email\":\"%s\",\"currentPassword\":\"%s\"}";

        JsonNode keyRefused = api.send(
                        "POST", "/v1/me/profile/email", body.formatted(newEmail, People.PASSWORD), dee.key())
                .expect(403)
                .json();
        assertThat(keyRefused.get("code").asText()).isEqualTo("session_required");
        assertThat(api.send("POST", "/v1/me/profile/email", body.formatted(newEmail, "wrong password"), dee.session())
                        .expect(400)
                        .errorFields())
                .containsExactly("currentPassword");
        assertThat(api.send("POST", "/v1/me/profile/email", body.formatted(ada.email(), People.PASSWORD), dee.session())
                        .expect(409)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("email_taken");
        JsonNode pending = api.send(
                        "POST", "/v1/me/profile/email", body.formatted(newEmail, People.PASSWORD), dee.session())
                .expect(202)
                .json();
        assertThat(pending.get("pendingEmail").asText()).isEqualTo(newEmail);
        assertThat(get("/v1/me/profile", dee.session()).get("pendingEmail").asText())
                .isEqualTo(newEmail);
        // Nothing changed yet.
        assertThat(get("/v1/me/profile", dee.session()).get("email").asText()).isEqualTo(dee.email());

        String token = Mails.token(api, newEmail, "email_change", Onboard.PORTAL + "/confirm-email/");
        assertThat(token).startsWith("ck_eml_");
        JsonNode preview = api.send("GET", "/v1/email-changes/" + token, null, null)
                .expect(200)
                .json();
        assertThat(preview.get("email").asText()).isEqualTo(newEmail);
        assertThat(get("/v1/me/profile", dee.session()).get("email").asText()).isEqualTo(dee.email());

        JsonNode confirmed = api.send("POST", "/v1/email-changes/confirm", "{\"token\":\"%s\"}".formatted(token), null)
                .expect(200)
                .json();

        assertThat(confirmed.get("email").asText()).isEqualTo(newEmail);
        assertThat(api.get("/v1/partners/" + dee.partnerId())
                        .json()
                        .get("email")
                        .asText())
                .isEqualTo(newEmail);
        People.token(api, newEmail, People.PASSWORD);
        assertThat(People.signIn(api, dee.email(), People.PASSWORD).status()).isEqualTo(401);
        assertThat(Mails.kinds(api, dee.email())).contains("email_changed");
        assertThat(Mails.text(api, dee.email(), "email_changed")).contains(newEmail);
        assertThat(api.send("POST", "/v1/email-changes/confirm", "{\"token\":\"%s\"}".formatted(token), null)
                        .expect(404)
                        .json()
                        .get("detail")
                        .asText())
                .contains("already used");
        assertThat(api.send("GET", "/v1/email-changes/" + token, null, null)
                        .expect(404)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("email_change_invalid");
    }

    @Test
    void thePasswordChangesOnlyWithTheSessionAndTheCurrentPassword() {
        Earner eve = Earner.in(api, program);
        String body = "{\"currentPassword\":\"%s\",\"newPassword\":\"another long pass phrase\"}";

        assertThat(api.send("POST", "/v1/me/profile/password", body.formatted(People.PASSWORD), eve.key())
                        .expect(403)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("session_required");
        api.send("POST", "/v1/me/profile/password", body.formatted("not it"), eve.session())
                .expect(400);
        api.send("POST", "/v1/me/profile/password", body.formatted(People.PASSWORD), eve.session())
                .expect(204);

        People.token(api, eve.email(), "another long pass phrase");
    }

    @Test
    void aPartnersLinksShowTheShortUrlOfTheProgramsPrimaryDomain() {
        String shop = Earner.program(api);
        Earner gus = Earner.in(api, shop);
        String host = TestApi.unique("go").toLowerCase(Locale.ROOT) + ".partner-shop.example";
        api.post("/v1/domains", "{\"programId\":\"%s\",\"hostname\":\"%s\",\"primary\":true}".formatted(shop, host))
                .expect(201);

        JsonNode created = api.send("POST", "/v1/me/links", "{\"programId\":\"%s\"}".formatted(shop), gus.key())
                .expect(201)
                .json();

        String slug = created.get("slug").asText();
        assertThat(created.get("url").asText()).isEqualTo("https://" + host + "/r/" + slug);
        JsonNode listed = get("/v1/me/links?programId=" + shop, gus.key()).get("items");
        assertThat(listed).anySatisfy(link -> {
            assertThat(link.get("slug").asText()).isEqualTo(slug);
            assertThat(link.get("url").asText()).isEqualTo("https://" + host + "/r/" + slug);
        });
    }

    @Test
    void aProgramMayGiveItsPartnersGeneratedSlugsOnly() {
        String strict = Earner.program(api);
        Earner fay = Earner.in(api, strict);
        assertThat(api.get("/v1/programs/" + strict)
                        .json()
                        .get("allowCustomSlugs")
                        .asBoolean())
                .isTrue();
        String custom = "{\"programId\":\"%s\",\"slug\":\"%s\"}";
        api.send("POST", "/v1/me/links", custom.formatted(strict, TestApi.unique("fay-")), fay.key())
                .expect(201);

        JsonNode patched = api.patch("/v1/programs/" + strict, "{\"allowCustomSlugs\":false}")
                .expect(200)
                .json();

        assertThat(patched.get("allowCustomSlugs").asBoolean()).isFalse();
        assertThat(get("/v1/me", fay.session())
                        .at("/programs/0/allowCustomSlugs")
                        .asBoolean())
                .isFalse();
        assertThat(api.send("POST", "/v1/me/links", custom.formatted(strict, TestApi.unique("fay-")), fay.session())
                        .expect(400)
                        .errorFields())
                .containsExactly("slug");
        JsonNode generated = api.send("POST", "/v1/me/links", "{\"programId\":\"%s\"}".formatted(strict), fay.session())
                .expect(201)
                .json();
        assertThat(generated.get("slug").asText()).isNotBlank();
        assertThat(api.patch("/v1/programs/" + strict, "{\"allowCustomSlugs\":null}")
                        .expect(400)
                        .errorFields())
                .containsExactly("allowCustomSlugs");
        assertThat(api.post(
                                "/v1/programs",
                                """
                                {"slug":"%s","name":"Strict","destinationUrl":"https://shop.example.com/","currency":"USD",
                                 "allowCustomSlugs":false}"""
                                        .formatted(TestApi.unique("strict-")))
                        .expect(201)
                        .json()
                        .get("allowCustomSlugs")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void meCarriesTheLogoUrlOfThePartnersOwnProgramsOnly() {
        String branded = Earner.program(api);
        String plain = Earner.program(api);
        String foreign = Earner.program(api);
        Onboard.SignedInPartner gil = Onboard.partner(api, branded, plain);
        String key = api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"partner\",\"name\":\"p\",\"partnerId\":\"%s\"}".formatted(gil.partnerId()))
                .expect(201)
                .json()
                .get("key")
                .asText();
        String brandedLogo = uploadLogo(branded);
        String foreignLogo = uploadLogo(foreign);

        for (String credential : List.of(gil.session(), key)) {
            JsonNode programs = get("/v1/me", credential).get("programs");
            Map<String, JsonNode> byId = new java.util.HashMap<>();
            programs.forEach(program -> byId.put(program.get("programId").asText(), program));
            assertThat(byId.keySet()).containsExactlyInAnyOrder(branded, plain);
            assertThat(byId.get(branded).get("logoUrl").asText()).isEqualTo(brandedLogo);
            assertThat(byId.get(plain).get("logoUrl").isNull()).isTrue();
            assertThat(programs.toString()).doesNotContain(foreign).doesNotContain(foreignLogo);
        }
        // The logo it points to is served without a key, as mail clients and the portal fetch it.
        assertThat(api.getBytes(brandedLogo, null, Map.of()).statusCode()).isEqualTo(200);
    }

    private static String uploadLogo(String programId) {
        return api.sendBytes(
                        "PUT",
                        "/v1/programs/" + programId + "/logo",
                        Images.image("png", 64, 32),
                        "image/png",
                        TestApi.ADMIN_KEY)
                .expect(200)
                .json()
                .get("url")
                .asText();
    }

    @Test
    void aPartnerSeesItsOwnLinksQrCode() {
        TestApi.Response qr = api.send("GET", "/v1/me/links/" + ada.linkId() + "/qr?format=svg", null, ada.session())
                .expect(200);
        assertThat(qr.body()).contains("<svg").contains("</svg>");
    }
}
