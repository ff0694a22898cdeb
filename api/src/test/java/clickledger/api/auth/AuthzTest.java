package clickledger.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What each kind of key may do on the admin routes, with two programs' data present so that a
 * key seeing the wrong program's rows would show.
 */
class AuthzTest {
    private static TestApi api;
    private static String programA;
    private static String programB;
    private static String partnerA;
    private static String partnerB;
    private static String linkA;
    private static String linkB;
    private static String clickA;
    private static String clickB;
    private static String secretA;
    private static String publishableA;
    private static String partnerKeyA;

    /** Every route the admin api had before keys, as "METHOD path" with a body where it takes one. */
    private static List<String[]> adminRoutes() {
        return List.of(
                new String[] {"POST", "/v1/programs", "{}"},
                new String[] {"GET", "/v1/programs", null},
                new String[] {"GET", "/v1/programs/" + programA, null},
                new String[] {"PATCH", "/v1/programs/" + programA, "{\"name\":\"Mine now\"}"},
                new String[] {"POST", "/v1/partners", "{\"email\":\"x@example.com\",\"name\":\"X\"}"},
                new String[] {"GET", "/v1/partners", null},
                new String[] {"GET", "/v1/partners/" + partnerA, null},
                new String[] {"PATCH", "/v1/partners/" + partnerA, "{\"name\":\"X\"}"},
                new String[] {"POST", "/v1/partners/" + partnerB + "/revoke", null},
                new String[] {
                    "POST", "/v1/links", "{\"programId\":\"" + programA + "\",\"partnerId\":\"" + partnerA + "\"}"
                },
                new String[] {"GET", "/v1/links", null},
                new String[] {"GET", "/v1/links/" + linkA, null},
                new String[] {"PATCH", "/v1/links/" + linkA, "{\"status\":\"paused\"}"},
                new String[] {"POST", "/v1/links/" + linkA + "/pause", null},
                new String[] {"POST", "/v1/links/" + linkA + "/resume", null},
                new String[] {"GET", "/v1/clicks/" + clickA, null},
                new String[] {"POST", "/v1/api-keys", "{\"kind\":\"admin\",\"name\":\"escalate\"}"},
                new String[] {"GET", "/v1/api-keys", null});
    }

    @BeforeAll
    static void start() {
        api = TestApi.start();
        programA = api.createProgram();
        programB = api.createProgram();
        partnerA = api.createPartner();
        partnerB = api.createPartner();
        linkA = Keys.link(api, programA, partnerA);
        linkB = Keys.link(api, programB, partnerB);
        clickA = Keys.click(api, linkA, programA, partnerA);
        clickB = Keys.click(api, linkB, programB, partnerB);
        secretA = Keys.key(api, "secret", programA, null);
        publishableA = Keys.key(api, "publishable", programA, null);
        partnerKeyA = Keys.key(api, "partner", null, partnerA);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static TestApi.Response call(String key, String method, String path) {
        return api.send(method, path, method.equals("GET") ? null : "{}", key);
    }

    private static void assertForbiddenNaming(TestApi.Response response, String needed, String used) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("code").asText()).isEqualTo("forbidden");
        assertThat(response.json().get("detail").asText())
                .contains("needs " + needed)
                .contains(used);
    }

    @Test
    void secretKeyReadsItsOwnProgramWithItsLinksAndClicks() {
        assertThat(api.send("GET", "/v1/programs/" + programA, null, secretA)
                        .expect(200)
                        .json()
                        .get("id")
                        .asText())
                .isEqualTo(programA);
        assertThat(api.send("GET", "/v1/links/" + linkA, null, secretA)
                        .expect(200)
                        .json()
                        .get("id")
                        .asText())
                .isEqualTo(linkA);
        assertThat(api.send("GET", "/v1/clicks/" + clickA, null, secretA)
                        .expect(200)
                        .json()
                        .get("id")
                        .asText())
                .isEqualTo(clickA);
    }

    @Test
    void secretKeyListsOnlyItsOwnProgramAndItsLinks() {
        JsonNode programs = api.send("GET", "/v1/programs", null, secretA)
                .expect(200)
                .json()
                .get("items");
        JsonNode links =
                api.send("GET", "/v1/links", null, secretA).expect(200).json().get("items");
        JsonNode filteredToB = api.send("GET", "/v1/links?programId=" + programB, null, secretA)
                .expect(200)
                .json()
                .get("items");

        assertThat(programs).extracting(program -> program.get("id").asText()).containsExactly(programA);
        assertThat(links)
                .isNotEmpty()
                .allSatisfy(link -> assertThat(link.get("programId").asText()).isEqualTo(programA));
        assertThat(filteredToB).isEmpty();
        // The admin key sees both programs' links in the same list.
        assertThat(api.get("/v1/links").expect(200).json().get("items"))
                .extracting(link -> link.get("id").asText())
                .contains(linkA, linkB);
    }

    @Test
    void secretKeyGets404ForAnotherProgramsProgramLinksAndClicks() {
        for (String path : new String[] {"/v1/programs/" + programB, "/v1/links/" + linkB, "/v1/clicks/" + clickB}) {
            TestApi.Response response = api.send("GET", path, null, secretA);

            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.json().get("code").asText()).isEqualTo("not_found");
            assertThat(response.body()).doesNotContain(programB);
        }
    }

    @Test
    void secretKeyCannotWriteOrReachPartnersAndKeys() {
        for (String[] route : adminRoutes()) {
            if (route[0].equals("GET")
                    && !route[1].startsWith("/v1/partners")
                    && !route[1].startsWith("/v1/api-keys")) {
                continue;
            }
            TestApi.Response response = api.send(route[0], route[1], route[2], secretA);

            assertForbiddenNaming(response, "an admin key", "secret key");
        }
        assertThat(api.get("/v1/programs/" + programA).json().get("name").asText())
                .isNotEqualTo("Mine now");
        assertThat(api.get("/v1/partners/" + partnerB).json().get("status").asText())
                .isEqualTo("active");
    }

    @Test
    void publishableKeyCannotCallAnyAdminRoute() {
        for (String[] route : adminRoutes()) {
            TestApi.Response response = api.send(route[0], route[1], route[2], publishableA);

            assertThat(response.status()).as(route[0] + " " + route[1]).isEqualTo(403);
            assertThat(response.json().get("detail").asText()).contains("publishable key");
        }
        assertForbiddenNaming(
                call(publishableA, "GET", "/v1/programs/" + programA), "an admin or secret key", "publishable key");
    }

    @Test
    void partnerKeyCannotCallAnyAdminRoute() {
        for (String[] route : adminRoutes()) {
            TestApi.Response response = api.send(route[0], route[1], route[2], partnerKeyA);

            assertThat(response.status()).as(route[0] + " " + route[1]).isEqualTo(403);
            assertThat(response.json().get("detail").asText()).contains("partner key");
        }
        assertForbiddenNaming(
                call(partnerKeyA, "GET", "/v1/links?partnerId=" + partnerA), "an admin or secret key", "partner key");
        assertForbiddenNaming(call(partnerKeyA, "GET", "/v1/partners/" + partnerA), "an admin key", "partner key");
    }

    @Test
    void onlyPartnerKeysReachTheMeRoutes() {
        assertForbiddenNaming(call(TestApi.ADMIN_KEY, "GET", "/v1/me"), "a partner key", "admin key");
        assertForbiddenNaming(call(secretA, "GET", "/v1/me/links"), "a partner key", "secret key");
        assertForbiddenNaming(call(publishableA, "GET", "/v1/me"), "a partner key", "publishable key");
    }

    @Test
    void adminKeyRowMayDoEverything() {
        String admin = Keys.key(api, "admin", null, null);

        api.send(
                        "POST",
                        "/v1/programs",
                        "{\"slug\":\"%s\",\"name\":\"P\",\"destinationUrl\":\"https://p.example.com\",\"currency\":\"EUR\"}"
                                .formatted(TestApi.unique("by-admin-key-")),
                        admin)
                .expect(201);
        api.send("GET", "/v1/programs/" + programB, null, admin).expect(200);
        api.send("GET", "/v1/clicks/" + clickB, null, admin).expect(200);
        api.send("POST", "/v1/links/" + linkB + "/pause", null, admin).expect(200);
        api.send("POST", "/v1/links/" + linkB + "/resume", null, admin).expect(200);
        api.send("GET", "/v1/api-keys", null, admin).expect(200);
    }

    @Test
    void headRequestsAreForAdminKeysOnly() {
        // A HEAD is answered by the GET route, but it matches no route of its own: the route table
        // lists none, so deny by default leaves it to admin keys.
        assertThat(api.send("HEAD", "/v1/programs/" + programA, null, secretA).status())
                .isEqualTo(403);
        assertThat(api.send("HEAD", "/v1/programs/" + programA, null, TestApi.ADMIN_KEY)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void forbiddenComesBeforeTheBodyIsRead() {
        TestApi.Response response = api.send("POST", "/v1/programs", "{not json", secretA);

        assertForbiddenNaming(response, "an admin key", "secret key");
    }
}
