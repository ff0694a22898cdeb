package clickledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.event.Ledger;
import clickledger.api.stripe.StripeFixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document cannot drift from the api: every operation it lists is called on the real
 * app and answers with a documented status whose body validates against the documented schema
 * (accepted request bodies too), and every route the app registers is in the document.
 */
class OpenApiContractTest {
    private static final String UNKNOWN_ID = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
    // The database is new for this test; OpenPartner's /webhooks/stripe records into this program.
    private static final String PROGRAM_SLUG = "contract-shop";
    private static TestApi api;
    private static OpenApiContract contract;
    private static final List<String> problems = new ArrayList<>();

    @BeforeAll
    static void start() {
        // No delivery workers: the webhook and mail calls below must find their rows where they left them.
        api = TestApi.start(Map.of(
                "WEBHOOK_WORKER_ENABLED",
                "false",
                "WEBHOOK_ALLOW_PRIVATE",
                "true",
                "COMPAT_DEFAULT_PROGRAM",
                PROGRAM_SLUG,
                "MAIL_WORKER_ENABLED",
                "false"));
        contract = new OpenApiContract(api.get("/openapi.json").expect(200).body());
        exerciseEveryOperation();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void everyResponseIsWhatTheDocumentSays() {
        assertThat(problems).isEmpty();
    }

    @Test
    void everySuccessSchemaDescribesItsFields() {
        assertThat(contract.vacuousSuccessSchemas()).isEmpty();
    }

    @Test
    void everyOperationWasSeenSucceeding() {
        List<String> missing = new ArrayList<>();
        for (String operation : contract.operations()) {
            Set<Integer> statuses = contract.seen().getOrDefault(operation, Set.of());
            if (statuses.stream().noneMatch(status -> status / 100 == 2)) {
                missing.add(operation + " (seen: " + statuses + ")");
            }
        }
        assertThat(missing).as("operations never seen answering 2xx").isEmpty();
    }

    @Test
    void everyKeyedOperationWasSeenFailing() {
        List<String> missing = new ArrayList<>();
        for (String operation : contract.operations()) {
            Set<Integer> statuses = contract.seen().getOrDefault(operation, Set.of());
            if (contract.needsKey(operation) && statuses.stream().noneMatch(status -> status / 100 == 4)) {
                missing.add(operation + " (seen: " + statuses + ")");
            }
        }
        assertThat(missing).as("keyed operations never seen answering 4xx").isEmpty();
    }

    @Test
    void everyRouteTheAppServesIsDocumented() {
        Set<String> documented = contract.operations();
        Set<String> served = new TreeSet<>(api.app().endpoints());
        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> unserved = new TreeSet<>(documented);
        unserved.removeAll(served);

        assertThat(served).hasSizeGreaterThan(50);
        assertThat(undocumented)
                .as("routes the app serves that the document lacks")
                .isEmpty();
        assertThat(unserved)
                .as("operations the document lists that the app does not serve")
                .isEmpty();
    }

    // ------------------------------------------------------------------------------------------

    private static void exerciseEveryOperation() {
        String admin = TestApi.ADMIN_KEY;
        // Operations and documents
        call("GET", "/healthz", null, null, 200);
        call("GET", "/readyz", null, null, 200);
        call("GET", "/metrics", null, null, 200);
        call("GET", "/openapi.json", null, null, 200);
        call("GET", "/docs", null, null, 200);
        call("GET", "/docs/swagger-ui.css", null, null, 200);
        call("GET", "/docs/missing.js", null, null, 404);

        // Programs
        String programSlug = PROGRAM_SLUG;
        String programBody =
                """
                {"slug":"%s","name":"Contract shop","destinationUrl":"https://shop.example.com/?src=aff","currency":"USD",
                 "attributionModel":"last_click","lookbackDays":60,"holdbackDays":30,"cookieDays":90,
                 "commissionRules":[{"kind":"percent","amount":"10"}]}"""
                        .formatted(programSlug);
        String programId = id(call("POST", "/v1/programs", programBody, admin, 201));
        call("POST", "/v1/programs", programBody, admin, 409);
        call("POST", "/v1/programs", "{\"slug\":\"no spaces\",\"name\":\"\"}", admin, 400);
        call("GET", "/v1/programs?limit=2", null, admin, 200);
        call("GET", "/v1/programs?limit=0", null, admin, 400);
        call("GET", "/v1/programs/" + programId, null, admin, 200);
        call("GET", "/v1/programs/" + UNKNOWN_ID, null, admin, 404);
        call("GET", "/v1/programs/not-an-id", null, admin, 400);
        call("PATCH", "/v1/programs/" + programId, "{\"name\":\"Contract shop 2\",\"holdbackDays\":0}", admin, 200);
        call("PATCH", "/v1/programs/" + programId, "{\"currency\":\"EURO\"}", admin, 400);
        call("PATCH", "/v1/programs/" + UNKNOWN_ID, "{\"name\":\"x\"}", admin, 404);

        // Partners and memberships
        String email = TestApi.unique("ada") + "@example.com";
        String partnerBody = "{\"email\":\"%s\",\"name\":\"Ada\"}".formatted(email);
        String partnerId = id(call("POST", "/v1/partners", partnerBody, admin, 201));
        call("POST", "/v1/partners", partnerBody, admin, 409);
        call("POST", "/v1/partners", "{\"email\":\"not-an-email\"}", admin, 400);
        call("GET", "/v1/partners", null, admin, 200);
        call("GET", "/v1/partners/" + partnerId, null, admin, 200);
        call("GET", "/v1/partners/" + UNKNOWN_ID, null, admin, 404);
        call("PATCH", "/v1/partners/" + partnerId, "{\"name\":\"Ada L.\"}", admin, 200);
        call("PATCH", "/v1/partners/" + partnerId, "{\"email\":\"\"}", admin, 400);

        // Links (creating one makes the partner an approved member)
        String linkSlug = TestApi.unique("contract-link-");
        String linkBody =
                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\"}".formatted(programId, partnerId, linkSlug);
        String linkId = id(call("POST", "/v1/links", linkBody, admin, 201));
        call("POST", "/v1/links", linkBody, admin, 409);
        call("POST", "/v1/links", "{\"programId\":\"%s\"}".formatted(programId), admin, 400);
        call("GET", "/v1/links?programId=" + programId, null, admin, 200);
        call("GET", "/v1/links/" + linkId, null, admin, 200);
        call("GET", "/v1/links/" + UNKNOWN_ID, null, admin, 404);
        call("PATCH", "/v1/links/" + linkId, "{\"destinationUrl\":\"https://shop.example.com/ada\"}", admin, 200);
        call("PATCH", "/v1/links/" + linkId, "{\"destinationUrl\":\"javascript:alert(1)\"}", admin, 400);
        call("POST", "/v1/links/" + linkId + "/pause", null, admin, 200);
        call("POST", "/v1/links/" + linkId + "/resume", null, admin, 200);
        call("POST", "/v1/links/" + UNKNOWN_ID + "/pause", null, admin, 404);
        // Issue 19: tags, expiry, archive, delete.
        call(
                "PATCH",
                "/v1/links/" + linkId,
                "{\"tags\":[\"Spring\"],\"expiresAt\":\"2099-01-01T00:00:00Z\",\"expiredUrl\":\"https://shop.example.com/ended\"}",
                admin,
                200);
        call("PATCH", "/v1/links/" + linkId, "{\"tags\":[\"a,b\"]}", admin, 400);
        call("GET", "/v1/links?programId=" + programId + "&tag=spring&archived=true", null, admin, 200);
        call("POST", "/v1/links/" + linkId + "/archive", null, admin, 200);
        call("POST", "/v1/links/" + linkId + "/unarchive", null, admin, 200);
        call("POST", "/v1/links/" + UNKNOWN_ID + "/archive", null, admin, 404);
        String doomed = id(call(
                "POST",
                "/v1/links",
                "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(programId, partnerId),
                admin,
                201));
        call("DELETE", "/v1/links/" + doomed, null, admin, 204);
        call("DELETE", "/v1/links/" + doomed, null, admin, 404);

        // Custom domains (issue 19): one with a link on it cannot be removed, an empty one can
        String host = TestApi.unique("go").toLowerCase(Locale.ROOT) + ".contract.example";
        String domainBody = "{\"programId\":\"%s\",\"hostname\":\"%s\",\"dedicated\":true}".formatted(programId, host);
        String domainId = id(call("POST", "/v1/domains", domainBody, admin, 201));
        call("POST", "/v1/domains", domainBody, admin, 409);
        call(
                "POST",
                "/v1/domains",
                "{\"programId\":\"%s\",\"hostname\":\"127.0.0.1\"}".formatted(programId),
                admin,
                400);
        call("GET", "/v1/domains?programId=" + programId, null, admin, 200);
        call("GET", "/v1/domains?programId=nope", null, admin, 400);
        call("GET", "/v1/domains/" + domainId, null, admin, 200);
        call("GET", "/v1/domains/" + UNKNOWN_ID, null, admin, 404);
        call("PATCH", "/v1/domains/" + domainId, "{\"cookieDomain\":\"contract.example\"}", admin, 200);
        call("PATCH", "/v1/domains/" + domainId, "{\"cookieDomain\":\"evil.example\"}", admin, 400);
        call("PATCH", "/v1/domains/" + UNKNOWN_ID, "{\"dedicated\":false}", admin, 404);
        call(
                "POST",
                "/v1/links",
                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\",\"domainId\":\"%s\"}"
                        .formatted(programId, partnerId, linkSlug, domainId),
                admin,
                201);
        call("DELETE", "/v1/domains/" + domainId, null, admin, 409);
        call("DELETE", "/v1/domains/" + UNKNOWN_ID, null, admin, 404);
        String emptyDomain = id(call(
                "POST",
                "/v1/domains",
                "{\"programId\":\"%s\",\"hostname\":\"empty.%s\"}".formatted(programId, host),
                admin,
                201));
        call("DELETE", "/v1/domains/" + emptyDomain, null, admin, 204);

        String membership = "/v1/programs/%s/partners/%s".formatted(programId, partnerId);
        call("GET", membership, null, admin, 200);
        call("GET", "/v1/programs/%s/partners/%s".formatted(programId, UNKNOWN_ID), null, admin, 404);
        call("PATCH", membership, "{\"commissionRules\":[{\"kind\":\"percent\",\"amount\":\"12.5\"}]}", admin, 200);
        call("PATCH", membership, "{\"status\":\"sleeping\"}", admin, 400);

        // Clicks, as the router stores them
        Ledger ledger = new Ledger(api);
        Ledger.Partner ada = new Ledger.Partner(partnerId, linkId);
        Instant clickTime = api.clock().instant().minusSeconds(3600);
        String cref = ledger.click(programId, ada, clickTime);
        String secondCref = ledger.click(programId, ada, clickTime.plusSeconds(60));
        call("DELETE", "/v1/links/" + linkId, null, admin, 409);
        call("GET", "/v1/clicks/" + cref, null, admin, 200);
        call("GET", "/v1/clicks/" + UNKNOWN_ID, null, admin, 404);
        call("GET", "/v1/clicks/not-a-cref", null, admin, 400);

        // SDK: identify and events
        call("POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u_1\"}".formatted(cref), admin, 201);
        call("POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u_1\"}".formatted(cref), admin, 200);
        call("POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u_1\"}".formatted(UNKNOWN_ID), admin, 404);
        call("POST", "/v1/identify", "{\"userId\":\"u_1\"}", admin, 400);
        String event =
                """
                {"programId":"%s","eventId":"inv_1","userId":"u_1","type":"purchase","value":"49.00","currency":"USD",
                 "metadata":{"plan":"pro"}}"""
                        .formatted(programId);
        call("POST", "/v1/events", event, admin, 201);
        call("POST", "/v1/events", event, admin, 200);
        call("POST", "/v1/events", event.replace("49.00", "50.00"), admin, 409);
        call(
                "POST",
                "/v1/events",
                "{\"programId\":\"%s\",\"eventId\":\"x\",\"userId\":\"u\",\"value\":\"1.234\"}".formatted(programId),
                admin,
                400);
        String refund =
                """
                {"programId":"%s","eventId":"ref_1","userId":"u_1","type":"refund","refundOf":"inv_1","value":"9.00"}"""
                        .formatted(programId);
        call("POST", "/v1/events", refund, admin, 201);
        call("POST", "/v1/identify", "{\"cref\":\"%s\",\"userId\":\"u_2\"}".formatted(secondCref), admin, 201);
        String second =
                """
                {"programId":"%s","eventId":"inv_2","userId":"u_2","type":"purchase","value":"20.00"}"""
                        .formatted(programId);
        call("POST", "/v1/events", second, admin, 201);
        call(
                "POST",
                "/v1/events/batch",
                """
                {"events":[{"programId":"%1$s","eventId":"inv_3","userId":"u_2","type":"purchase","value":"5.00"},
                           {"programId":"%1$s","eventId":"inv_2","userId":"u_2","type":"purchase","value":"20.00"},
                           {"programId":"%1$s","eventId":"inv_4","userId":"u_2","type":"purchase","value":"1.001"}]}"""
                        .formatted(programId),
                admin,
                200);
        call("POST", "/v1/events/batch", "{\"events\":[]}", admin, 400);

        // Commissions
        JsonNode commissions = call(
                        "GET", "/v1/commissions?programId=" + programId + "&kind=commission", null, admin, 200)
                .json()
                .get("items");
        call("GET", "/v1/commissions?status=sleeping", null, admin, 400);
        String first = commissions.get(0).get("id").asText();
        String other = commissions.get(1).get("id").asText();
        call("GET", "/v1/commissions/" + first, null, admin, 200);
        call("GET", "/v1/commissions/" + UNKNOWN_ID, null, admin, 404);
        call("POST", "/v1/commissions/" + first + "/approve", null, admin, 200);
        call("POST", "/v1/commissions/" + first + "/reject", null, admin, 200);
        call("POST", "/v1/commissions/" + first + "/approve", null, admin, 409);
        call("POST", "/v1/commissions/" + UNKNOWN_ID + "/reject", null, admin, 404);
        call(
                "POST",
                "/v1/commissions/bulk",
                "{\"action\":\"approve\",\"ids\":[\"%s\",\"%s\"]}".formatted(other, first),
                admin,
                200);
        call("POST", "/v1/commissions/bulk", "{\"action\":\"pay\",\"ids\":[]}", admin, 400);

        // Re-derivation
        call(
                "POST",
                "/v1/attribution/rederive",
                "{\"programId\":\"%s\",\"model\":\"linear\"}".formatted(programId),
                admin,
                200);
        call(
                "POST",
                "/v1/attribution/rederive",
                "{\"programId\":\"%s\",\"model\":\"linear\",\"dryRun\":false}".formatted(programId),
                admin,
                200);
        call("POST", "/v1/attribution/rederive", "{\"programId\":\"%s\"}".formatted(UNKNOWN_ID), admin, 404);
        call("POST", "/v1/attribution/rederive", "{\"model\":\"best\"}", admin, 400);

        // Stats
        call(
                "GET",
                "/v1/stats?programId=%s&from=2030-01-01&to=2030-01-31&groupBy=day".formatted(programId),
                null,
                admin,
                200);
        call("GET", "/v1/stats?programId=%s&groupBy=partner".formatted(programId), null, admin, 200);
        call("GET", "/v1/stats?programId=%s&groupBy=link".formatted(programId), null, admin, 200);
        call("GET", "/v1/stats?programId=%s&groupBy=country".formatted(programId), null, admin, 200);
        call("GET", "/v1/stats?programId=%s&groupBy=utmCampaign&limit=5".formatted(programId), null, admin, 200);
        call("GET", "/v1/stats?programId=%s&groupBy=week".formatted(programId), null, admin, 400);
        call("GET", "/v1/stats?programId=" + UNKNOWN_ID, null, admin, 404);

        // API keys
        String secretKeyBody = "{\"kind\":\"secret\",\"programId\":\"%s\",\"name\":\"Checkout\"}".formatted(programId);
        JsonNode secretKey =
                call("POST", "/v1/api-keys", secretKeyBody, admin, 201).json();
        call("POST", "/v1/api-keys", "{\"kind\":\"secret\",\"name\":\"no program\"}", admin, 400);
        String partnerKeyBody =
                "{\"kind\":\"partner\",\"partnerId\":\"%s\",\"name\":\"Ada's key\"}".formatted(partnerId);
        String partnerKey = call("POST", "/v1/api-keys", partnerKeyBody, admin, 201)
                .json()
                .get("key")
                .asText();
        String publishableKey = call(
                        "POST",
                        "/v1/api-keys",
                        "{\"kind\":\"publishable\",\"programId\":\"%s\",\"name\":\"Browser\"}".formatted(programId),
                        admin,
                        201)
                .json()
                .get("key")
                .asText();
        call("GET", "/v1/api-keys", null, admin, 200);
        String secretKeyId = secretKey.get("id").asText();
        call("GET", "/v1/api-keys/" + secretKeyId, null, admin, 200);
        call("GET", "/v1/api-keys/" + UNKNOWN_ID, null, admin, 404);

        // Keys of the wrong kind
        call("GET", "/v1/programs", null, partnerKey, 403);
        call("POST", "/v1/events", second, publishableKey, 403);
        call("GET", "/v1/me", null, admin, 403);

        // Partner-scoped routes
        call("GET", "/v1/me", null, partnerKey, 200);
        call("GET", "/v1/me/links", null, partnerKey, 200);
        call("GET", "/v1/me/links?limit=-1", null, partnerKey, 400);
        String myLink = id(call(
                "POST",
                "/v1/me/links",
                "{\"programId\":\"%s\",\"slug\":\"%s\"}".formatted(programId, TestApi.unique("mine-")),
                partnerKey,
                201));
        call("POST", "/v1/me/links", "{\"programId\":\"%s\"}".formatted(UNKNOWN_ID), partnerKey, 404);
        call("GET", "/v1/me/links/" + myLink, null, partnerKey, 200);
        call("GET", "/v1/me/links/" + UNKNOWN_ID, null, partnerKey, 404);
        call("POST", "/v1/me/links/" + myLink + "/archive", null, partnerKey, 200);
        call("POST", "/v1/me/links/" + myLink + "/unarchive", null, partnerKey, 200);
        call("GET", "/v1/me/links?tag=mine&archived=true", null, partnerKey, 200);
        String myDoomed = id(call(
                "POST",
                "/v1/me/links",
                "{\"programId\":\"%s\",\"tags\":[\"Mine\"],\"path\":\"/pricing\"}".formatted(programId),
                partnerKey,
                201));
        call(
                "POST",
                "/v1/me/links",
                "{\"programId\":\"%s\",\"path\":\"//evil.example\"}".formatted(programId),
                partnerKey,
                400);
        call("DELETE", "/v1/me/links/" + myDoomed, null, partnerKey, 204);
        call("DELETE", "/v1/me/links/" + UNKNOWN_ID, null, partnerKey, 404);
        call("GET", "/v1/me/clicks/" + cref, null, partnerKey, 200);
        call("GET", "/v1/me/clicks/" + UNKNOWN_ID, null, partnerKey, 404);

        // OpenPartner's SDK routes, with the program's secret key
        String secret = secretKey.get("key").asText();
        String thirdCref = ledger.click(programId, ada, clickTime.plusSeconds(120));
        call(
                "POST",
                "/attribution/identify",
                "{\"cref\":\"%s\",\"userId\":\"op_1\"}".formatted(thirdCref),
                secret,
                201);
        call(
                "POST",
                "/attribution/identify",
                "{\"cref\":\"%s\",\"userId\":\"op_1\"}".formatted(thirdCref),
                secret,
                200);
        call(
                "POST",
                "/attribution/identify",
                "{\"cref\":\"%s\",\"userId\":\"op_1\"}".formatted(UNKNOWN_ID),
                secret,
                404);
        call("POST", "/attribution/identify", "{\"cref\":\"%s\"}".formatted(thirdCref), secret, 400);
        call("POST", "/attribution/identify", "{\"cref\":\"%s\",\"userId\":\"op_1\"}".formatted(thirdCref), null, 401);
        call(
                "POST",
                "/attribution/events",
                "{\"userId\":\"op_1\",\"type\":\"purchase\",\"value\":12.5,"
                        + "\"currency\":\"USD\",\"metadata\":{\"eventId\":\"op_inv_1\"}}",
                secret,
                201);
        call(
                "POST",
                "/attribution/events",
                "{\"userId\":\"op_1\",\"type\":\"purchase\",\"value\":12.5,"
                        + "\"currency\":\"USD\",\"metadata\":{\"eventId\":\"op_inv_1\"}}",
                secret,
                200);
        call("POST", "/attribution/events", "{\"type\":\"purchase\"}", secret, 400);
        call("POST", "/attribution/events", "{\"userId\":\"op_1\",\"type\":\"purchase\"}", null, 401);

        // Webhooks (no worker runs: deliveries stay where the calls leave them)
        String webhookBody =
                "{\"url\":\"http://127.0.0.1:9/hooks\",\"eventTypes\":[\"partner.created\"],\"description\":\"CRM\"}";
        String webhookId = id(call("POST", "/v1/webhooks", webhookBody, admin, 201));
        call("POST", "/v1/webhooks", "{\"url\":\"ftp://example.com/\"}", admin, 400);
        call("GET", "/v1/webhooks", null, admin, 200);
        call("GET", "/v1/webhooks/" + webhookId, null, admin, 200);
        call("GET", "/v1/webhooks/" + UNKNOWN_ID, null, admin, 404);
        call("PATCH", "/v1/webhooks/" + webhookId, "{\"eventTypes\":[],\"enabled\":true}", admin, 200);
        call("PATCH", "/v1/webhooks/" + webhookId, "{\"eventTypes\":[\"nothing.happened\"]}", admin, 400);
        call("POST", "/v1/webhooks/" + webhookId + "/rotate-secret", "{\"overlapHours\":1}", admin, 200);
        call("POST", "/v1/webhooks/" + webhookId + "/rotate-secret", "{\"overlapHours\":1000}", admin, 400);
        String deliveryId = id(call("POST", "/v1/webhooks/" + webhookId + "/test", null, admin, 202));
        call("POST", "/v1/webhooks/" + UNKNOWN_ID + "/test", null, admin, 404);
        call("GET", "/v1/webhooks/" + webhookId + "/deliveries?status=pending", null, admin, 200);
        call("GET", "/v1/webhooks/" + webhookId + "/deliveries?status=lost", null, admin, 400);
        call("GET", "/v1/webhooks/deliveries/" + deliveryId, null, admin, 200);
        call("GET", "/v1/webhooks/deliveries/" + UNKNOWN_ID, null, admin, 404);
        call("POST", "/v1/webhooks/deliveries/" + deliveryId + "/redeliver", null, admin, 202);
        call("POST", "/v1/webhooks/deliveries/" + UNKNOWN_ID + "/redeliver", null, admin, 404);
        call(
                "POST",
                "/v1/webhooks/" + webhookId + "/redeliver",
                "{\"from\":\"2030-01-01T00:00:00Z\",\"to\":\"2030-02-01T00:00:00Z\"}",
                admin,
                202);
        call("POST", "/v1/webhooks/" + webhookId + "/redeliver", "{\"from\":\"yesterday\"}", admin, 400);
        call("DELETE", "/v1/webhooks/" + webhookId, null, admin, 204);
        call("DELETE", "/v1/webhooks/" + webhookId, null, admin, 404);

        // Issue 14: what the portal reads
        call("GET", "/v1/links/" + linkId + "/qr", null, admin, 200);
        call("GET", "/v1/links/" + linkId + "/qr?format=svg&size=256", null, admin, 200);
        call("GET", "/v1/links/" + linkId + "/qr?size=1", null, admin, 400);
        call("GET", "/v1/links/" + UNKNOWN_ID + "/qr", null, admin, 404);
        call("GET", "/v1/stats/live?programId=" + programId, null, admin, 200);
        call("GET", "/v1/stats/live", null, admin, 400);
        call("GET", "/v1/stats/live?programId=" + UNKNOWN_ID, null, admin, 404);
        // Re-derivation above replaced the commissions: read a current one.
        String current = call("GET", "/v1/commissions?programId=" + programId + "&kind=commission", null, admin, 200)
                .json()
                .at("/items/0/id")
                .asText();
        call("GET", "/v1/commissions/" + current + "/detail", null, admin, 200);
        call("GET", "/v1/commissions/" + UNKNOWN_ID + "/detail", null, admin, 404);
        call(
                "GET",
                "/v1/commissions?programId=%s&from=2030-01-01&eventType=purchase".formatted(programId),
                null,
                admin,
                200);
        call("GET", "/v1/commissions?from=yesterday", null, admin, 400);
        call("GET", "/v1/partners/" + partnerId + "/programs", null, admin, 200);
        call("GET", "/v1/partners/" + UNKNOWN_ID + "/programs", null, admin, 404);
        call("GET", "/v1/partners?q=ada&ids=" + partnerId, null, admin, 200);
        call("GET", "/v1/partners?ids=nope", null, admin, 400);
        call("GET", "/v1/audit-log?limit=5", null, admin, 200);
        call("GET", "/v1/audit-log?cursor=x", null, admin, 400);

        // Issue 14: install, sessions, admins and invitations
        String password = "correct horse battery staple";
        String install = "{\"admin\":{\"name\":\"Olive\",\"email\":\"olive@example.com\",\"password\":\"%s\"}}"
                .formatted(password);
        call("GET", "/v1/install", null, null, 200);
        call("POST", "/v1/install", "{\"admin\":{\"name\":\"\",\"email\":\"x\",\"password\":\"short\"}}", null, 400);
        JsonNode installed = call("POST", "/v1/install", install, null, 201).json();
        call("POST", "/v1/install", install, null, 409);
        String session = installed.at("/session/token").asText();
        String oliveId = installed.at("/admin/id").asText();
        call(
                "POST",
                "/v1/sessions",
                "{\"email\":\"olive@example.com\",\"password\":\"%s\"}".formatted(password),
                null,
                201);
        call("POST", "/v1/sessions", "{\"email\":\"olive@example.com\",\"password\":\"not the password\"}", null, 401);
        call("POST", "/v1/sessions", "{\"email\":\"nope\"}", null, 400);
        call("GET", "/v1/sessions/current", null, session, 200);
        call("GET", "/v1/sessions/current", null, admin, 404);
        call(
                "POST",
                "/v1/account/password",
                "{\"currentPassword\":\"not the password\",\"newPassword\":\"another good pass phrase\"}",
                session,
                400);
        call(
                "POST",
                "/v1/account/password",
                "{\"currentPassword\":\"%s\",\"newPassword\":\"another good pass phrase\"}".formatted(password),
                session,
                204);
        call("GET", "/v1/admins", null, session, 200);
        call("GET", "/v1/admins?limit=0", null, session, 400);
        JsonNode invitation = call("POST", "/v1/admin-invitations", "{\"email\":\"grace@example.com\"}", session, 201)
                .json();
        call("POST", "/v1/admin-invitations", "{\"email\":\"olive@example.com\"}", session, 409);
        call("GET", "/v1/admin-invitations", null, session, 200);
        call("GET", "/v1/admin-invitations?limit=0", null, session, 400);
        String token = invitation.get("token").asText();
        call("GET", "/v1/admin-invitations/" + token, null, null, 200);
        call("GET", "/v1/admin-invitations/" + UNKNOWN_ID, null, null, 404);
        String accept = "{\"token\":\"%s\",\"name\":\"Grace\",\"password\":\"%s\"}".formatted(token, password);
        String graceId = call("POST", "/v1/admin-invitations/accept", accept, null, 201)
                .json()
                .at("/principal/userId")
                .asText();
        call("POST", "/v1/admin-invitations/accept", accept, null, 404);
        call("POST", "/v1/admin-invitations/accept", "{\"name\":\"N\"}", null, 400);
        String withdrawn = id(call("POST", "/v1/admin-invitations", "{\"email\":\"ken@example.com\"}", session, 201));
        call("DELETE", "/v1/admin-invitations/" + withdrawn, null, session, 204);
        call("DELETE", "/v1/admin-invitations/" + withdrawn, null, session, 404);
        // Issue 15: the mail log (no worker runs: the invitations' mail waits as pending)
        String mailId = call("GET", "/v1/mail?kind=admin_invitation&to=grace@example.com", null, session, 200)
                .json()
                .at("/items/0/id")
                .asText();
        call("GET", "/v1/mail?status=lost", null, session, 400);
        call("GET", "/v1/mail/" + mailId, null, session, 200);
        call("GET", "/v1/mail/" + UNKNOWN_ID, null, session, 404);
        call("GET", "/v1/mail/status", null, session, 200);
        call("POST", "/v1/mail/" + mailId + "/resend", null, session, 409);
        api.dsl()
                .update(clickledger.db.jooq.Tables.MAIL_MESSAGE)
                .set(clickledger.db.jooq.Tables.MAIL_MESSAGE.STATUS, "dead")
                .where(clickledger.db.jooq.Tables.MAIL_MESSAGE.ID.eq(
                        clickledger.common.id.Ulid.parse(mailId).orElseThrow()))
                .execute();
        call("POST", "/v1/mail/" + mailId + "/resend", null, session, 202);
        call("POST", "/v1/mail/" + UNKNOWN_ID + "/resend", null, session, 404);

        call("DELETE", "/v1/admins/" + graceId, null, session, 204);
        call("DELETE", "/v1/admins/" + graceId, null, session, 404);
        call("DELETE", "/v1/admins/" + oliveId, null, admin, 409);
        call("DELETE", "/v1/sessions/current", null, session, 204);
        call("DELETE", "/v1/sessions/current", null, admin, 404);

        // Stripe: connect, Stripe's deliveries (keyless, signed), the events list, send test
        String stripe = "/v1/programs/" + programId + "/integrations/stripe";
        call("GET", stripe, null, admin, 200);
        call("GET", "/v1/programs/" + UNKNOWN_ID + "/integrations/stripe", null, admin, 404);
        call("PUT", stripe, "{\"webhookSecret\":\"sk_live_not_a_webhook_secret\"}", admin, 400);
        String connect = "{\"webhookSecret\":\"%s\",\"eventType\":\"purchase\"}".formatted(StripeFixtures.SECRET);
        call("PUT", stripe, connect, admin, 201);
        call("PUT", stripe, connect, admin, 200);
        String stripeEvent = StripeFixtures.event(
                "evt_contract",
                "checkout.session.completed",
                clickTime.plusSeconds(600),
                StripeFixtures.checkoutSession("cs_contract", "payment", "cus_contract", cref, 2500, "usd")
                        .put("payment_intent", "pi_contract"));
        String signature = StripeFixtures.signature(
                StripeFixtures.SECRET, api.clock().instant().getEpochSecond(), stripeEvent);
        callSigned(stripe + "/webhook", stripeEvent, signature, 200);
        callSigned(stripe + "/webhook", stripeEvent, signature, 200);
        callSigned(stripe + "/webhook", stripeEvent, "t=1,v1=00", 400);
        callSigned("/v1/programs/" + UNKNOWN_ID + "/integrations/stripe/webhook", stripeEvent, signature, 404);
        String compatEvent = stripeEvent.replace("evt_contract", "evt_contract_compat");
        callSigned(
                "/webhooks/stripe",
                compatEvent,
                StripeFixtures.signature(
                        StripeFixtures.SECRET, api.clock().instant().getEpochSecond(), compatEvent),
                200);
        callSigned("/webhooks/stripe", compatEvent, null, 400);
        call("GET", stripe + "/events?limit=1", null, admin, 200);
        call("GET", stripe + "/events?outcome=lost", null, admin, 400);
        call("GET", "/v1/programs/" + UNKNOWN_ID + "/integrations/stripe/events", null, admin, 404);
        call("POST", stripe + "/test", null, admin, 200);
        call("POST", "/v1/programs/" + UNKNOWN_ID + "/integrations/stripe/test", null, admin, 404);
        call("GET", stripe, null, secret, 403);
        call("DELETE", stripe, null, admin, 204);
        call("DELETE", stripe, null, admin, 404);

        // Data: export, import (the export just taken, so every row is a conflict), erasure
        call("GET", "/v1/export?format=csv&tables=program,link", null, admin, 200);
        call("GET", "/v1/export?format=sql&tables=program&programId=" + programId, null, admin, 200);
        call("GET", "/v1/export?format=xml", null, admin, 400);
        call("GET", "/v1/export?programId=" + UNKNOWN_ID, null, admin, 404);
        importTheExport(admin);
        call("POST", "/v1/import", "{}", admin, 400);
        call("DELETE", "/v1/users/u_2?programId=" + programId, null, admin, 200);
        call("DELETE", "/v1/users/u_2?programId=" + programId, null, admin, 404);
        call("DELETE", "/v1/users/u_2", null, admin, 400);

        // Issue 18: the program's logo (PUT takes the image's bytes, GET needs no key)
        String logoUrl = uploadLogo(admin, programId, clickledger.api.branding.Images.image("png", 64, 64), 200)
                .json()
                .get("url")
                .asText();
        uploadLogo(admin, programId, "<svg/>".getBytes(java.nio.charset.StandardCharsets.UTF_8), 400);
        uploadLogo(admin, UNKNOWN_ID, clickledger.api.branding.Images.image("png", 8, 8), 404);
        call("GET", logoUrl, null, null, 200);
        call("GET", "/v1/programs/" + programId + "/logo", null, null, 200);
        call("DELETE", "/v1/programs/" + programId + "/logo", null, admin, 204);
        call("DELETE", "/v1/programs/" + programId + "/logo", null, admin, 404);
        call("GET", "/v1/programs/" + programId + "/logo", null, null, 404);

        // Issue 16: payouts
        String payoutProgram = id(call(
                "POST",
                "/v1/programs",
                """
                {"slug":"%s","name":"Payouts","destinationUrl":"https://shop.example.com/","currency":"USD",
                 "commissionRules":[{"kind":"percent","amount":"10"}],"payoutMinimum":"1.00"}"""
                        .formatted(TestApi.unique("payouts-")),
                admin,
                201));
        String payee = id(call(
                "POST",
                "/v1/partners",
                "{\"email\":\"%s@example.com\",\"name\":\"Payee\"}".formatted(TestApi.unique("payee")),
                admin,
                201));
        String payeeLink = id(call(
                "POST",
                "/v1/links",
                "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(payoutProgram, payee),
                admin,
                201));
        Ledger.Partner payeePartner = new Ledger.Partner(payee, payeeLink);
        List<String> owed = new ArrayList<>();
        for (String order : List.of("po_1", "po_2")) {
            String buyer = "buyer_" + order;
            call(
                    "POST",
                    "/v1/identify",
                    "{\"cref\":\"%s\",\"userId\":\"%s\"}"
                            .formatted(ledger.click(payoutProgram, payeePartner, clickTime), buyer),
                    admin,
                    201);
            owed.add(call(
                            "POST",
                            "/v1/events",
                            "{\"programId\":\"%s\",\"eventId\":\"%s\",\"userId\":\"%s\",\"type\":\"purchase\",\"value\":\"30.00\"}"
                                    .formatted(payoutProgram, order, buyer),
                            admin,
                            201)
                    .json()
                    .at("/commissions/0/id")
                    .asText());
        }
        call("POST", "/v1/commissions/" + owed.get(0) + "/approve", null, admin, 200);
        String batchBody = "{\"programId\":\"%s\"}".formatted(payoutProgram);
        call("POST", "/v1/payouts/preview", batchBody, admin, 200);
        call(
                "POST",
                "/v1/payouts/preview",
                "{\"programId\":\"%s\",\"minimumAmount\":\"0.001\"}".formatted(payoutProgram),
                admin,
                400);
        call("POST", "/v1/payouts/preview", "{\"programId\":\"%s\"}".formatted(UNKNOWN_ID), admin, 404);
        JsonNode batch = call("POST", "/v1/payouts", batchBody, admin, 201).json();
        call("POST", "/v1/payouts", "{}", admin, 400);
        call("POST", "/v1/payouts", "{\"programId\":\"%s\"}".formatted(UNKNOWN_ID), admin, 404);
        String payoutId = batch.at("/items/0/id").asText();
        call("GET", "/v1/payouts?programId=" + payoutProgram, null, admin, 200);
        call("GET", "/v1/payouts?status=lost", null, admin, 400);
        call("GET", "/v1/payouts/" + payoutId, null, admin, 200);
        call("GET", "/v1/payouts/" + UNKNOWN_ID, null, admin, 404);
        call(
                "GET",
                "/v1/payouts/export?format=wise&batchId=" + batch.get("batchId").asText(),
                null,
                admin,
                200);
        call("GET", "/v1/payouts/export?format=xlsx", null, admin, 400);
        call("GET", "/v1/payouts/export?ids=" + UNKNOWN_ID, null, admin, 404);
        call(
                "POST",
                "/v1/payouts/" + payoutId + "/mark-paid",
                "{\"reference\":\"PP-1\",\"method\":\"paypal\"}",
                admin,
                200);
        call("POST", "/v1/payouts/" + payoutId + "/mark-paid", "{\"reference\":\"PP-2\"}", admin, 409);
        call("POST", "/v1/payouts/" + payoutId + "/mark-paid", "{}", admin, 400);
        call("POST", "/v1/payouts/" + UNKNOWN_ID + "/mark-paid", "{\"reference\":\"PP-3\"}", admin, 404);
        call("POST", "/v1/commissions/" + owed.get(1) + "/approve", null, admin, 200);
        String secondPayout = call("POST", "/v1/payouts", batchBody, admin, 201)
                .json()
                .at("/items/0/id")
                .asText();
        call("POST", "/v1/payouts/" + secondPayout + "/cancel", null, admin, 200);
        call("POST", "/v1/payouts/" + payoutId + "/cancel", null, admin, 409);
        call("POST", "/v1/payouts/" + UNKNOWN_ID + "/cancel", null, admin, 404);
        // Issue 15: partner invitations (no mail worker: messages wait in the outbox, read by Mails)
        String patPassword = "a brand new pass phrase";
        String invitePat =
                "{\"email\":\"pat@example.com\",\"name\":\"Pat\",\"programIds\":[\"%s\"]}".formatted(programId);
        JsonNode invited =
                call("POST", "/v1/partner-invitations", invitePat, admin, 201).json();
        call("POST", "/v1/partner-invitations", "{\"email\":\"x\",\"programIds\":[]}", admin, 400);
        call("GET", "/v1/partner-invitations", null, admin, 200);
        call("GET", "/v1/partner-invitations?partnerId=nope", null, admin, 400);
        String patToken = invited.at("/invitation/token").asText();
        call("GET", "/v1/partner-invitations/" + patToken, null, null, 200);
        call("GET", "/v1/partner-invitations/" + UNKNOWN_ID, null, null, 404);
        String acceptPat = "{\"token\":\"%s\",\"name\":\"Pat\",\"password\":\"%s\"}".formatted(patToken, password);
        call("POST", "/v1/partner-invitations/accept", acceptPat, null, 201);
        call("POST", "/v1/partner-invitations/accept", acceptPat, null, 404);
        call("POST", "/v1/partner-invitations", invitePat, admin, 200);
        String quinnInvitation = call(
                        "POST",
                        "/v1/partner-invitations",
                        "{\"email\":\"quinn@example.com\",\"programIds\":[\"%s\"]}".formatted(programId),
                        admin,
                        201)
                .json()
                .at("/invitation/id")
                .asText();
        call("DELETE", "/v1/partner-invitations/" + quinnInvitation, null, admin, 204);
        call("DELETE", "/v1/partner-invitations/" + quinnInvitation, null, admin, 404);

        // Applications
        String form = "/v1/programs/" + programId + "/application-form";
        call("GET", form, null, admin, 200);
        call("PUT", form, "{\"enabled\":true,\"terms\":\"Promote honestly.\"}", admin, 200);
        call("PUT", form, "{\"enabled\":true}", admin, 400);
        call("GET", "/v1/apply/" + programSlug, null, null, 200);
        call("GET", "/v1/apply/no-such-program", null, null, 404);
        String ray =
                """
                {"name":"Ray","email":"ray@example.com","website":"https://ray.example","promotion":"My blog",
                 "termsAccepted":true,"nickname":""}""";
        call("POST", "/v1/apply/" + programSlug, ray, null, 202);
        call("POST", "/v1/apply/" + programSlug, ray.replace("Ray", "Sam").replace("ray", "sam"), null, 202);
        call("POST", "/v1/apply/" + programSlug, "{\"name\":\"Ray\"}", null, 400);
        JsonNode applications = call(
                        "GET", "/v1/applications?programId=" + programId + "&status=pending", null, admin, 200)
                .json()
                .get("items");
        call("GET", "/v1/applications?status=maybe", null, admin, 400);
        String rayApplication = null;
        String samApplication = null;
        for (JsonNode application : applications) {
            if (application.get("email").asText().startsWith("ray")) {
                rayApplication = application.get("id").asText();
            } else {
                samApplication = application.get("id").asText();
            }
        }
        call("GET", "/v1/applications/" + rayApplication, null, admin, 200);
        call("GET", "/v1/applications/" + UNKNOWN_ID, null, admin, 404);
        call("POST", "/v1/applications/" + rayApplication + "/approve", null, admin, 200);
        call("POST", "/v1/applications/" + rayApplication + "/approve", null, admin, 409);
        call("POST", "/v1/applications/" + samApplication + "/reject", "{\"reason\":\"Not a fit\"}", admin, 200);
        call("POST", "/v1/applications/" + samApplication + "/reject", null, admin, 409);

        // Password resets
        call("POST", "/v1/password-resets", "{\"email\":\"pat@example.com\"}", null, 202);
        call("POST", "/v1/password-resets", "{\"email\":\"nobody\"}", null, 400);
        String resetToken = clickledger.api.mail.Mails.token(
                api, "pat@example.com", "password_reset", "http://localhost:8080/reset-password/");
        call("GET", "/v1/password-resets/" + resetToken, null, null, 200);
        call("GET", "/v1/password-resets/" + UNKNOWN_ID, null, null, 404);
        call(
                "POST",
                "/v1/password-resets/confirm",
                "{\"token\":\"%s\",\"password\":\"short\"}".formatted(resetToken),
                null,
                400);
        String pat = call(
                        "POST",
                        "/v1/password-resets/confirm",
                        "{\"token\":\"%s\",\"password\":\"%s\"}".formatted(resetToken, patPassword),
                        null,
                        201)
                .json()
                .get("token")
                .asText();
        call(
                "POST",
                "/v1/password-resets/confirm",
                "{\"token\":\"%s\",\"password\":\"%s\"}".formatted(resetToken, patPassword),
                null,
                404);

        // The partner's own routes: Pat's session, and Ada's key (Ada has the commissions)
        call("GET", "/v1/me", null, pat, 200);
        call("GET", "/v1/me/stats?from=2030-01-01&to=2030-01-31", null, partnerKey, 200);
        call("GET", "/v1/me/stats?from=yesterday", null, pat, 400);
        call("GET", "/v1/me/stats?groupBy=link", null, partnerKey, 200);
        call("GET", "/v1/me/stats?groupBy=referrer", null, partnerKey, 200);
        call("GET", "/v1/me/stats?groupBy=week", null, partnerKey, 400);
        String myCommission = call("GET", "/v1/me/commissions", null, partnerKey, 200)
                .json()
                .at("/items/0/id")
                .asText();
        call("GET", "/v1/me/commissions?status=maybe", null, partnerKey, 400);
        call("GET", "/v1/me/commissions/" + myCommission, null, partnerKey, 200);
        call("GET", "/v1/me/commissions/" + UNKNOWN_ID, null, pat, 404);
        // The partner's approved commission (the bulk approval above), paid out in a batch of its program.
        call(
                "POST",
                "/v1/commissions/bulk",
                "{\"action\":\"approve\",\"ids\":[\"%s\"]}".formatted(myCommission),
                admin,
                200);
        String payout = null;
        for (JsonNode item : call("POST", "/v1/payouts", "{\"programId\":\"%s\"}".formatted(programId), admin, 201)
                .json()
                .get("items")) {
            if (item.get("partnerId").asText().equals(partnerId)) {
                payout = item.get("id").asText();
            }
        }
        call("GET", "/v1/me/payouts", null, partnerKey, 200);
        call("GET", "/v1/me/payouts?limit=0", null, partnerKey, 400);
        call("GET", "/v1/me/payouts/" + payout, null, partnerKey, 200);
        call("GET", "/v1/me/payouts/" + payout, null, pat, 404);
        call("GET", "/v1/me/payout-details", null, partnerKey, 200);
        call(
                "PUT",
                "/v1/me/payout-details",
                "{\"method\":\"paypal\",\"paypalEmail\":\"ada@paypal.example\"}",
                partnerKey,
                200);
        call("PUT", "/v1/me/payout-details", "{\"method\":\"cheque\"}", partnerKey, 400);
        call("GET", "/v1/me/links/" + myLink + "/qr?format=svg", null, partnerKey, 200);
        call("GET", "/v1/me/links/" + myLink + "/qr", null, pat, 404);
        call("GET", "/v1/me/profile", null, pat, 200);
        call("PATCH", "/v1/me/profile", "{\"name\":\"Pat P.\"}", pat, 200);
        call("PATCH", "/v1/me/profile", "{\"name\":\"\"}", pat, 400);
        call(
                "POST",
                "/v1/me/profile/email",
                "{\"email\":\"pat.new@example.com\",\"currentPassword\":\"%s\"}".formatted(patPassword),
                pat,
                202);
        call("POST", "/v1/me/profile/email", "{\"email\":\"pat.new@example.com\",\"currentPassword\":\"x\"}", pat, 400);
        String emailToken = clickledger.api.mail.Mails.token(
                api, "pat.new@example.com", "email_change", "http://localhost:8080/confirm-email/");
        call("GET", "/v1/email-changes/" + emailToken, null, null, 200);
        call("GET", "/v1/email-changes/" + UNKNOWN_ID, null, null, 404);
        call("POST", "/v1/email-changes/confirm", "{\"token\":\"%s\"}".formatted(emailToken), null, 200);
        call("POST", "/v1/email-changes/confirm", "{\"token\":\"%s\"}".formatted(emailToken), null, 404);
        call(
                "POST",
                "/v1/me/profile/password",
                "{\"currentPassword\":\"%s\",\"newPassword\":\"yet another pass phrase\"}".formatted(patPassword),
                pat,
                204);
        call(
                "POST",
                "/v1/me/profile/password",
                "{\"currentPassword\":\"x\",\"newPassword\":\"yet another pass phrase\"}",
                partnerKey,
                403);

        // Revocations last: they end what the calls above used
        call("POST", "/v1/api-keys/" + secretKeyId + "/revoke", null, admin, 200);
        call("POST", "/v1/api-keys/" + UNKNOWN_ID + "/revoke", null, admin, 404);
        String spareKeyId = id(call("POST", "/v1/api-keys", "{\"kind\":\"admin\",\"name\":\"spare\"}", admin, 201));
        call("DELETE", "/v1/api-keys/" + spareKeyId, null, admin, 200);
        call("DELETE", "/v1/api-keys/" + UNKNOWN_ID, null, admin, 404);
        call("POST", "/v1/partners/" + partnerId + "/revoke", null, admin, 200);
        call("POST", "/v1/partners/" + UNKNOWN_ID + "/revoke", null, admin, 404);

        // Every keyed operation without a key: 401, as documented (the public ones need none)
        for (String operation : contract.operations()) {
            String path = path(operation);
            if (!path.startsWith("/v1/") || !contract.needsKey(operation)) {
                continue;
            }
            String concrete = path.replaceAll("\\{[^}]+}", UNKNOWN_ID);
            String method = method(operation);
            String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
            call(method, concrete, body, null, 401);
        }
    }

    /** GET /v1/export?format=json, then POST /v1/import with its bytes: a body no string call can send. */
    private static void importTheExport(String admin) {
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            byte[] zip = client.send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url("/v1/export?format=json")))
                                    .header("Authorization", "Bearer " + admin)
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                    .body();
            contract.check("GET", "/v1/export?format=json", null, api.get("/v1/export?format=json"))
                    .forEach(problems::add);
            TestApi.Response imported =
                    api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url("/v1/import")))
                            .header("Authorization", "Bearer " + admin)
                            .header("Content-Type", "application/zip")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(zip))
                            .build());
            problems.addAll(contract.check("POST", "/v1/import", null, imported));
            if (imported.status() != 200) {
                problems.add("POST /v1/import: expected 200 but got " + imported.status() + ": " + imported.body());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PUT /v1/programs/{id}/logo with an image's bytes: a body no string call can send. */
    private static TestApi.Response uploadLogo(String admin, String programId, byte[] image, int expected) {
        String path = "/v1/programs/" + programId + "/logo";
        TestApi.Response response = api.sendBytes("PUT", path, image, "image/png", admin);
        problems.addAll(contract.check("PUT", path, null, response));
        if (response.status() != expected) {
            problems.add("PUT " + path + ": expected " + expected + " but got " + response.status() + ": "
                    + response.body());
        }
        return response;
    }

    /** Sends the request, checks the exchange against the document, and insists on the expected status. */
    private static TestApi.Response call(String method, String path, String body, String key, int expected) {
        TestApi.Response response = api.send(method, path, body, key);
        try {
            java.nio.file.Files.writeString(
                    java.nio.file.Path.of("target/exchanges.log"),
                    method + " " + path + " " + response.status() + " " + response.body() + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        problems.addAll(contract.check(method, path, body, response));
        if (response.status() != expected) {
            problems.add(method + " " + path + ": expected " + expected + " but got " + response.status() + ": "
                    + response.body());
        }
        return response;
    }

    /** As {@link #call}, for Stripe's deliveries: no key, a Stripe-Signature header (none when null). */
    private static void callSigned(String path, String body, String signature, int expected) {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(api.url(path)))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("Stripe-Signature", signature);
        }
        TestApi.Response response = api.send(request.build());
        problems.addAll(contract.check("POST", path, body, response));
        if (response.status() != expected) {
            problems.add("POST " + path + ": expected " + expected + " but got " + response.status() + ": "
                    + response.body());
        }
    }

    private static String id(TestApi.Response response) {
        return response.json().get("id").asText();
    }

    private static String method(String operation) {
        return operation.substring(0, operation.indexOf(' '));
    }

    private static String path(String operation) {
        return operation.substring(operation.indexOf(' ') + 1);
    }
}
