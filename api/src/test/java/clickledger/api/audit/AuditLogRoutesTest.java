package clickledger.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.person.People;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The audit log read route: filters, cursor paging, admins only, the person as actor. */
class AuditLogRoutesTest {
    private static TestApi api;
    private static String session;
    private static String adminActor;
    private static String partnerId;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        JsonNode installed = People.install(api);
        session = installed.at("/session/token").asText();
        adminActor = "admin_user:" + installed.at("/admin/id").asText();
        partnerId = api.send("POST", "/v1/partners", "{\"email\":\"audited@example.com\",\"name\":\"A\"}", session)
                .expect(201)
                .json()
                .get("id")
                .asText();
        api.send("PATCH", "/v1/partners/" + partnerId, "{\"name\":\"Renamed\"}", session)
                .expect(200);
        for (int i = 0; i < 4; i++) {
            api.createProgram();
        }
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode items(String query) {
        return api.send("GET", "/v1/audit-log" + query, null, session)
                .expect(200)
                .json()
                .get("items");
    }

    @Test
    void newestFirstWithThePersonAsActor() {
        JsonNode items = items("?entity=partner&entityId=" + partnerId);

        assertThat(items)
                .extracting(item -> item.get("action").asText())
                .containsExactly("partner.updated", "partner.created");
        assertThat(items).allSatisfy(item -> {
            assertThat(item.get("actor").asText()).isEqualTo(adminActor);
            assertThat(item.get("entityId").asText()).isEqualTo(partnerId);
            assertThat(item.get("ts").asText()).startsWith("20");
            assertThat(item.get("id").asText()).matches("\\d+");
        });
        assertThat(items.get(1).get("details").isObject()).isTrue();
    }

    @Test
    void filtersByActorAndAction() {
        assertThat(items("?actor=" + adminActor))
                .extracting(item -> item.get("action").asText())
                .contains("installation.completed", "partner.created", "partner.updated")
                .doesNotContain("program.created");
        assertThat(items("?actor=admin_key:env&action=program.created")).hasSizeGreaterThanOrEqualTo(4);
        assertThat(items("?action=no.such.action")).isEmpty();
    }

    @Test
    void pagesByCursorWithoutGapsOrRepeats() {
        List<String> all = ids(items("?limit=200"));
        List<String> paged = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.send(
                            "GET", "/v1/audit-log?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), null, session)
                    .expect(200)
                    .json();
            paged.addAll(ids(page.get("items")));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asText();
        } while (cursor != null);

        assertThat(all).hasSizeGreaterThan(4);
        assertThat(paged).isEqualTo(all);
    }

    @Test
    void timeRangeTakesDaysAndInstants() {
        assertThat(items("?from=2030-01-15&to=2030-01-15")).isNotEmpty();
        assertThat(items("?to=2030-01-14")).isEmpty();
        assertThat(items("?from=2030-01-16T00:00:00Z")).isEmpty();
    }

    @Test
    void badFiltersAre400NamingTheField() {
        for (String[] bad : new String[][] {
            {"?limit=0", "limit"},
            {"?limit=abc", "limit"},
            {"?cursor=xyz", "cursor"},
            {"?cursor=-5", "cursor"},
            {"?from=yesterday", "from"},
            {"?to=2030-13-45", "to"},
            {"?actor=" + "a".repeat(500), "actor"}
        }) {
            TestApi.Response response = api.send("GET", "/v1/audit-log" + bad[0], null, session);
            assertThat(response.status()).as(bad[0]).isEqualTo(400);
            assertThat(response.errorFields()).as(bad[0]).containsExactly(bad[1]);
        }
    }

    @Test
    void onlyAdminsReadIt() {
        String programId = api.createProgram();
        String secret = api.post(
                        "/v1/api-keys", "{\"kind\":\"secret\",\"name\":\"s\",\"programId\":\"" + programId + "\"}")
                .expect(201)
                .json()
                .get("key")
                .asText();

        assertThat(api.send("GET", "/v1/audit-log", null, secret).status()).isEqualTo(403);
        assertThat(api.send("GET", "/v1/audit-log", null, null).status()).isEqualTo(401);
        api.send("GET", "/v1/audit-log", null, TestApi.ADMIN_KEY).expect(200);
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }
}
