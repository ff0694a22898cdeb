package clickledger.api.auth;

import static clickledger.db.jooq.Tables.PERSON;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.person.PasswordHasher;
import clickledger.api.person.People;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every /v1 operation the OpenAPI document describes (OpenApiTest holds it to every route), called
 * as a stranger, with a partner key, with a partner person's session and with a publishable key:
 * nothing but the listed public routes works without a key or session, and no partner principal
 * reaches anything outside /v1/me and its own session, the routes of issue 14 included.
 */
class RouteCoverageTest {
    private static final String SOME_ID = "01J00000000000000000000000";
    private static final Set<String> PUBLIC = Set.of(
            "GET /v1/install",
            "POST /v1/install",
            "POST /v1/sessions",
            "GET /v1/admin-invitations/{id}",
            "POST /v1/admin-invitations/accept",
            "GET /v1/partner-invitations/{id}",
            "POST /v1/partner-invitations/accept",
            "GET /v1/apply/{slug}",
            "POST /v1/apply/{slug}",
            "POST /v1/password-resets",
            "GET /v1/password-resets/{id}",
            "POST /v1/password-resets/confirm",
            "GET /v1/email-changes/{id}",
            "POST /v1/email-changes/confirm");
    private static final Set<String> OWN_SESSION =
            Set.of("GET /v1/sessions/current", "DELETE /v1/sessions/current", "POST /v1/account/password");

    private static TestApi api;
    private static List<String[]> operations;
    private static String partnerId;
    private static String partnerKey;
    private static String partnerSession;
    private static String publishableKey;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        People.install(api);
        String programId = api.createProgram();
        partnerId = api.createPartner();
        partnerKey = Keys.key(api, "partner", null, partnerId);
        publishableKey = Keys.key(api, "publishable", programId, null);
        partnerSession = partnerPerson(partnerId, "partner.person@example.com");
        operations = new ArrayList<>();
        JsonNode paths = api.get("/openapi.json").expect(200).json().get("paths");
        paths.fieldNames().forEachRemaining(path -> {
            if (!path.startsWith("/v1/")) {
                return;
            }
            paths.get(path).fieldNames().forEachRemaining(method -> {
                JsonNode operation = paths.get(path).get(method);
                if (!operation.isObject() || !operation.has("responses")) {
                    return;
                }
                boolean isPublic =
                        operation.has("security") && operation.get("security").isEmpty();
                operations.add(new String[] {method.toUpperCase(), path, Boolean.toString(isPublic)});
            });
        });
    }

    /** A partner's person as issue 15 will make them (a person row of role partner), signed in. */
    private static String partnerPerson(String partner, String email) {
        Instant now = api.clock().instant();
        api.dsl()
                .insertInto(PERSON)
                .set(PERSON.ID, Ulid.newUuidV7(now.toEpochMilli()))
                .set(PERSON.ROLE, "partner")
                .set(PERSON.PARTNER_ID, Keys.uuid(partner))
                .set(PERSON.EMAIL, email)
                .set(PERSON.NAME, "Pat Partner")
                .set(PERSON.PASSWORD_HASH, new PasswordHasher(PasswordHasher.Cost.OWASP).hash(People.PASSWORD))
                .set(PERSON.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                .set(PERSON.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .execute();
        return People.token(api, email, People.PASSWORD);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static TestApi.Response call(String[] operation, String key) {
        String path = operation[1].replaceAll("\\{[^}]+}", SOME_ID);
        String body = operation[0].equals("GET") || operation[0].equals("DELETE") ? null : "{}";
        return api.send(operation[0], path, body, key);
    }

    private static String route(String[] operation) {
        return operation[0] + " " + operation[1];
    }

    private static boolean isPublic(String[] operation) {
        return Boolean.parseBoolean(operation[2]);
    }

    @Test
    void thePublicRoutesAreExactlyTheOnesListed() {
        Set<String> documented = new TreeSet<>();
        operations.stream().filter(RouteCoverageTest::isPublic).forEach(op -> documented.add(route(op)));

        assertThat(documented).isEqualTo(new TreeSet<>(PUBLIC));
        assertThat(RouteAccess.PUBLIC).hasSameSizeAs(PUBLIC);
        assertThat(operations).hasSizeGreaterThan(60);
    }

    @Test
    void nothingElseWorksWithoutAKeyOrSession() {
        for (String[] operation : operations) {
            TestApi.Response response = call(operation, null);
            if (isPublic(operation)) {
                assertThat(response.status())
                        .as(route(operation))
                        .isNotEqualTo(401)
                        .isLessThan(500);
                continue;
            }
            assertThat(response.status()).as(route(operation)).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).as(route(operation)).startsWith("Bearer");
        }
    }

    @Test
    void partnerPrincipalsReachOnlyTheirOwnRoutes() {
        for (String key : new String[] {partnerKey, partnerSession}) {
            boolean session = key.equals(partnerSession);
            for (String[] operation : operations) {
                String route = route(operation);
                if (isPublic(operation) || operation[1].startsWith("/v1/me")) {
                    continue;
                }
                if (OWN_SESSION.contains(route)) {
                    if (!session) {
                        assertThat(call(operation, key).status()).as(route).isEqualTo(404);
                    }
                    continue;
                }
                TestApi.Response response = call(operation, key);
                assertThat(response.status())
                        .as(route + (session ? " (session)" : " (key)"))
                        .isEqualTo(403);
                assertThat(response.json().get("detail").asText())
                        .as(route)
                        .contains(session ? "a partner session" : "a partner key");
            }
        }
    }

    @Test
    void aPartnerPersonsSessionIsThePartnersPrincipal() {
        String leaving = api.createPartner();
        String session = partnerPerson(leaving, "leaving.person@example.com");
        JsonNode current = api.send("GET", "/v1/sessions/current", null, session)
                .expect(200)
                .json();
        assertThat(current.at("/principal/role").asText()).isEqualTo("partner");
        assertThat(current.at("/principal/partnerId").asText()).isEqualTo(leaving);
        assertThat(api.send("GET", "/v1/me", null, session)
                        .expect(200)
                        .json()
                        .get("id")
                        .asText())
                .isEqualTo(leaving);
        // Revoking the partner ends its people's access with its keys.
        api.post("/v1/partners/" + leaving + "/revoke", null).expect(200);
        assertThat(api.send("GET", "/v1/me", null, session).status()).isEqualTo(401);
    }

    @Test
    void aPublishableKeyReachesOnlyIdentify() {
        for (String[] operation : operations) {
            String route = route(operation);
            if (isPublic(operation) || route.equals("POST /v1/identify")) {
                continue;
            }
            int status = call(operation, publishableKey).status();
            assertThat(status).as(route).isEqualTo(OWN_SESSION.contains(route) ? 404 : 403);
        }
    }
}
