package clickledger.api.compat;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenPartner's JSON export ({@code GET /export.json}, schema version 2, raw rows of its tables, as
 * its apps/api/src/export.ts writes them) imports as far as the shapes map: clicks keep their cref,
 * attribution and commissions are derived here under the imported rules (with the partner's own
 * rate), OpenPartner's paid status is carried over, and what cannot map is said.
 */
class OpenPartnerImportTest {
    private static TestApi api;
    private static final Instant CLICKED = TestApi.START.minus(Duration.ofDays(10));
    private static final String CLICK = Ulid.encode(Ulid.newUuidV7(CLICKED.toEpochMilli()));
    private static final String OTHER_CLICK =
            Ulid.encode(Ulid.newUuidV7(CLICKED.plusSeconds(60).toEpochMilli()));
    private static final Map<String, String> IDS = new HashMap<>();

    @BeforeAll
    static void start() {
        api = TestApi.start();
        for (String name : new String[] {
            "ada",
            "bob",
            "program",
            "grant",
            "linkA",
            "linkB",
            "identity",
            "event",
            "attribution",
            "commission",
            "payout"
        }) {
            IDS.put(name, Ulid.encode(Ulid.newUuidV7(CLICKED.minusSeconds(3600).toEpochMilli())));
        }
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void openPartnerExportImportsWithItsCrefsAndItsPaidCommissions() {
        TestApi.Response response = upload(export()).expect(200);
        JsonNode report = response.json();

        assertThat(report.get("source").asText()).isEqualTo("openpartner");
        Map<String, Long> imported = new HashMap<>();
        report.get("tables")
                .forEach(table -> imported.put(
                        table.get("table").asText(), table.get("imported").asLong()));
        assertThat(imported)
                .containsEntry("program", 1L)
                .containsEntry("partner", 2L)
                .containsEntry("link", 2L)
                .containsEntry("click", 2L)
                .containsEntry("identity", 1L)
                .containsEntry("event", 1L);
        assertThat(report.get("notMapped").toString()).contains("Coupon", "Payout");

        // The old cref still finds its click, and a new sign-up can still be identified with it.
        assertThat(api.get("/v1/clicks/" + CLICK).expect(200).json().get("id").asText())
                .isEqualTo(CLICK);
        assertThat(api.get("/v1/clicks/" + CLICK)
                        .expect(200)
                        .json()
                        .get("referrerDomain")
                        .asText())
                .as("the stats' referrer, from OpenPartner's referer")
                .isEqualTo("news.example");
        assertThat(api.get("/v1/clicks/" + OTHER_CLICK)
                        .expect(200)
                        .json()
                        .get("referrerDomain")
                        .isNull())
                .isTrue();
        api.post("/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u-new\"}".formatted(OTHER_CLICK))
                .expect(201);

        JsonNode program =
                api.get("/v1/programs/" + IDS.get("program")).expect(200).json();
        assertThat(program.get("currency").asText()).isEqualTo("USD");
        assertThat(program.get("lookbackDays").asInt()).isEqualTo(45);
        assertThat(program.get("commissionRules").toString()).contains("\"kind\":\"percent\"", "\"amount\":\"20\"");
        assertThat(api.get("/v1/partners/" + IDS.get("bob"))
                        .expect(200)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("revoked");

        // Derived here: Ada's own rate (25 % of 200.00), and paid, as OpenPartner had it.
        JsonNode commissions = api.get("/v1/commissions?partnerId=" + IDS.get("ada") + "&kind=commission")
                .expect(200)
                .json()
                .get("items");
        assertThat(commissions).hasSize(1);
        assertThat(commissions.get(0).get("amount").asText()).isEqualTo("50.00");
        assertThat(commissions.get(0).get("status").asText()).isEqualTo("paid");
        assertThat(report.at("/partners/0/openPartner").asText()).isEqualTo("40.00");
        assertThat(report.at("/partners/0/clickledger").asText()).isEqualTo("50.00");

        // The same export again adds nothing.
        JsonNode again = upload(export()).expect(200).json();
        again.get("tables").forEach(table -> {
            if (!table.get("table").asText().equals("commission")) {
                assertThat(table.get("imported").asLong())
                        .as(table.get("table").asText())
                        .isZero();
            }
        });
    }

    @Test
    void somethingElseIsRefusedNamingTheFile() {
        assertThat(upload("{\"tables\":{}}").expect(400).errorFields()).containsExactly("file");
        assertThat(upload("{\"schemaVersion\":9,\"tables\":{}}").expect(400).body())
                .contains("schema version 9");
        assertThat(upload("{\"schemaVersion\":2,\"tables\":").expect(400).errorFields())
                .containsExactly("file");
    }

    private static TestApi.Response upload(String body) {
        return api.send(HttpRequest.newBuilder(URI.create(api.url("/v1/import")))
                .header("Authorization", "Bearer " + TestApi.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** An OpenPartner v2 bundle: the raw rows of its tables, camelCase columns, ULID ids. */
    private static String export() {
        Instant paid = TestApi.START.minus(Duration.ofDays(2));
        return """
                {"exportedAt":"2030-01-14T00:00:00.000Z","schemaVersion":2,"tables":{
                 "Partner":[
                  {"id":"%1$s","tenantId":"default","email":"ada@creators.example","name":"Ada","stripeConnectAccountId":null,
                   "metadata":{},"createdAt":"2029-12-01T00:00:00.000Z","updatedAt":"2029-12-01T00:00:00.000Z",
                   "activatedAt":"2029-12-01T00:00:00.000Z","revokedAt":null,"revokeReason":null},
                  {"id":"%2$s","tenantId":"default","email":"bob@creators.example","name":"Bob","stripeConnectAccountId":null,
                   "metadata":{},"createdAt":"2029-12-01T00:00:00.000Z","updatedAt":"2029-12-01T00:00:00.000Z",
                   "activatedAt":"2029-12-01T00:00:00.000Z","revokedAt":"2029-12-20T00:00:00.000Z","revokeReason":"spam"}],
                 "Program":[{"id":"%3$s","tenantId":"default","name":"Acme Pro","commissionRule":[{"trigger":"every","type":"percent","value":20}],
                   "attributionWindowDays":45,"attributionModel":"last_click","destinationUrl":"https://acme.example/pricing",
                   "deepLinkAllowedDomains":null,"holdbackDays":null,"startsAt":null,"endsAt":null,"customerReward":null,
                   "shareOnNetwork":false,"categories":["saas"],"createdAt":"2029-11-01T00:00:00.000Z"}],
                 "PartnerProgram":[{"id":"pc_%4$s","tenantId":"default","partnerId":"%1$s","programId":"%3$s","source":"admin",
                   "createdAt":"2029-12-01T00:00:00.000Z"}],
                 "PartnerCommission":[{"partnerId":"%1$s","tenantId":"default","commissionType":"percent","commissionValue":"25.0000",
                   "recurring":true,"holdbackDays":30,"source":"approval"}],
                 "Coupon":[{"id":"%4$s","tenantId":"default","partnerId":"%1$s","programId":"%3$s","code":"ADA15"}],
                 "Link":[{"id":"%5$s","tenantId":"default","linkKey":"ada","partnerId":"%1$s","programId":"%3$s","destinationUrl":null,
                   "createdAt":"2029-12-01T00:00:00.000Z"},
                  {"id":"%6$s","tenantId":"default","linkKey":"bob.special","partnerId":"%2$s","programId":"%3$s","destinationUrl":null,
                   "createdAt":"2029-12-01T00:00:00.000Z"}],
                 "Click":[{"id":"%7$s","tenantId":"default","linkId":"%5$s","partnerId":"%1$s","programId":"%3$s",
                   "landingUrl":"https://acme.example/pricing","ipHash":"9f86d081884c7d65","userAgent":"Mozilla/5.0","referer":"https://www.News.example:8080/post",
                   "fraudFlag":null,"ts":"%8$s"},
                  {"id":"%9$s","tenantId":"default","linkId":"%6$s","partnerId":"%2$s","programId":"%3$s",
                   "landingUrl":"https://acme.example/pricing","ipHash":null,"userAgent":null,"referer":null,"fraudFlag":null,"ts":"%10$s"}],
                 "Identity":[{"id":"%11$s","tenantId":"default","clickId":"%7$s","userId":"u-1","stitchedAt":"%10$s"}],
                 "Event":[{"id":"%12$s","tenantId":"default","userId":"u-1","type":"invoice_paid","value":"200.00","currency":"USD",
                   "externalEventId":"in_123","metadata":{"plan":"pro"},"ts":"%13$s"}],
                 "Attribution":[{"id":"%14$s","tenantId":"default","eventId":"%12$s","partnerId":"%1$s","programId":"%3$s",
                   "clickId":"%7$s","model":"last_click","weight":"1","computedAt":"%13$s"}],
                 "Commission":[{"id":"%15$s","tenantId":"default","attributionId":"%14$s","partnerId":"%1$s","amount":"40.00",
                   "currency":"USD","status":"paid","accruedAt":"%13$s","paidAt":"%13$s","payoutId":"%16$s"}],
                 "Payout":[{"id":"%16$s","tenantId":"default","partnerId":"%1$s","amount":"40.00","currency":"USD","method":"manual",
                   "stripeTransferId":null,"status":"paid","metadata":{},"createdAt":"%13$s","completedAt":"%13$s"}],
                 "PortalCustomDomain":[],"CommissionAdjustment":[]}}"""
                .formatted(
                        IDS.get("ada"),
                        IDS.get("bob"),
                        IDS.get("program"),
                        IDS.get("grant"),
                        IDS.get("linkA"),
                        IDS.get("linkB"),
                        CLICK,
                        CLICKED.plusMillis(3),
                        OTHER_CLICK,
                        CLICKED.plusSeconds(60),
                        IDS.get("identity"),
                        IDS.get("event"),
                        paid,
                        IDS.get("attribution"),
                        IDS.get("commission"),
                        IDS.get("payout"));
    }
}
