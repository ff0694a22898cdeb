package clickledger.api.partner;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Finding partners by text, partners and links by ids, and a partner's memberships. */
class PartnerSearchTest {
    private static TestApi api;
    private static String ada;
    private static String grace;
    private static String programA;
    private static String programB;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        ada = partner("ada.lovelace@analytical.example", "Ada Lovelace");
        grace = partner("grace@navy.example", "Grace Hopper");
        partner("linus@kernel.example", "Linus 100%_off");
        programA = api.createProgram();
        programB = api.createProgram();
        api.patch(
                        "/v1/programs/%s/partners/%s".formatted(programA, ada),
                        "{\"status\":\"approved\",\"commissionRules\":[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"15\"}]}")
                .expect(200);
        api.patch("/v1/programs/%s/partners/%s".formatted(programB, ada), "{\"status\":\"pending\"}")
                .expect(200);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String partner(String email, String name) {
        return api.post("/v1/partners", "{\"email\":\"%s\",\"name\":\"%s\"}".formatted(email, name))
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    private static List<String> ids(String path) {
        List<String> ids = new ArrayList<>();
        api.get(path)
                .expect(200)
                .json()
                .get("items")
                .forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    @Test
    void qFindsTextInTheNameOrEmailIgnoringCase() {
        assertThat(ids("/v1/partners?q=LOVELACE")).containsExactly(ada);
        assertThat(ids("/v1/partners?q=navy.example")).containsExactly(grace);
        assertThat(ids("/v1/partners?q=a&limit=200")).contains(ada, grace);
        assertThat(ids("/v1/partners?q=nobody")).isEmpty();
        // Wildcards in the text are text: "%" matches only a "%".
        assertThat(ids("/v1/partners?q=%25")).hasSize(1);
        assertThat(ids("/v1/partners?q=_")).hasSize(1);
        assertThat(ids("/v1/partners?q=lovelace&status=revoked")).isEmpty();
        assertThat(api.get("/v1/partners?q=" + "x".repeat(400)).errorFields()).containsExactly("q");
        assertThat(api.get("/v1/partners?status=bogus").errorFields()).containsExactly("status");
    }

    @Test
    void idsLooksUpSeveralAtOnce() {
        assertThat(ids("/v1/partners?ids=" + ada + "," + grace + ",01J00000000000000000000000"))
                .containsExactlyInAnyOrder(ada, grace);
        String link = api.post("/v1/links", "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(programA, ada))
                .expect(201)
                .json()
                .get("id")
                .asText();
        assertThat(ids("/v1/links?ids=" + link)).containsExactly(link);
        assertThat(api.get("/v1/partners?ids=nope").errorFields()).containsExactly("ids");
        assertThat(api.get("/v1/links?ids=" + (ada + ",").repeat(101)).status()).isEqualTo(200);
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            many.append(String.format("01J%023d", i)).append(',');
        }
        assertThat(api.get("/v1/links?ids=" + many).errorFields()).containsExactly("ids");
    }

    @Test
    void aPartnersMembershipsWithTheirStatusAndOwnRules() {
        JsonNode items =
                api.get("/v1/partners/" + ada + "/programs").expect(200).json().get("items");

        assertThat(items).hasSize(2);
        assertThat(items).anySatisfy(item -> {
            assertThat(item.get("programId").asText()).isEqualTo(programA);
            assertThat(item.get("status").asText()).isEqualTo("approved");
            assertThat(item.at("/commissionRules/0/amount").asText()).isEqualTo("15");
        });
        assertThat(items).anySatisfy(item -> {
            assertThat(item.get("programId").asText()).isEqualTo(programB);
            assertThat(item.get("status").asText()).isEqualTo("pending");
            assertThat(item.get("commissionRules").isNull()).isTrue();
        });
        assertThat(api.get("/v1/partners/" + grace + "/programs").json().get("items"))
                .isEmpty();
        assertThat(api.get("/v1/partners/01J00000000000000000000000/programs").status())
                .isEqualTo(404);
    }
}
