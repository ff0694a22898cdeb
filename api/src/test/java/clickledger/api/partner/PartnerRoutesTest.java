package clickledger.api.partner;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import clickledger.db.jooq.tables.records.AuditLogRecord;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PartnerRoutesTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String partner(String email, String name) {
        return "{\"email\":\"%s\",\"name\":\"%s\"}".formatted(email, name);
    }

    @Test
    void createReturns201AndGetFindsIt() {
        String email = TestApi.unique("ada") + "@Example.com";

        TestApi.Response response =
                api.post("/v1/partners", partner(email, "Ada Lovelace")).expect(201);

        JsonNode created = response.json();
        assertThat(created.get("id").asText()).hasSize(26);
        assertThat(created.get("email").asText()).isEqualTo(email);
        assertThat(created.get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(created.get("status").asText()).isEqualTo("active");
        assertThat(created.get("createdAt").asText()).startsWith("2030-01-15T");
        assertThat(response.header("Location"))
                .isEqualTo("/v1/partners/" + created.get("id").asText());
        assertThat(api.get("/v1/partners/" + created.get("id").asText())
                        .expect(200)
                        .json())
                .isEqualTo(created);
    }

    @Test
    void duplicateEmailIgnoringCaseIs409() {
        String local = TestApi.unique("grace");
        api.post("/v1/partners", partner(local + "@example.com", "Grace")).expect(201);

        TestApi.Response again = api.post("/v1/partners", partner(local.toUpperCase() + "@EXAMPLE.com", "Grace 2"));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("email_taken");
    }

    @Test
    void emailMustLookLikeAnAddress() {
        for (String email : new String[] {
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@@example.com",
            "a b@example.com",
            "a@example..com",
            "a@.example.com",
            "a@example.com."
        }) {
            TestApi.Response response = api.post("/v1/partners", partner(email, "X"));

            assertThat(response.status()).as(email).isEqualTo(400);
            assertThat(response.errorFields()).as(email).containsExactly("email");
        }
    }

    @Test
    void overlongEmailAndNameAreRefused() {
        String longEmail = "a".repeat(60) + "@" + "b".repeat(300) + ".com";

        TestApi.Response response = api.post("/v1/partners", partner(longEmail, "n".repeat(201)));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactlyInAnyOrder("email", "name");
        assertThat(api.post("/v1/partners", partner(TestApi.unique("max") + "@example.com", "n".repeat(200)))
                        .status())
                .isEqualTo(201);
    }

    @Test
    void revokeSetsStatusAndWritesOneAuditEntry() {
        String id = api.createPartner();

        JsonNode revoked =
                api.post("/v1/partners/" + id + "/revoke", null).expect(200).json();
        JsonNode again =
                api.post("/v1/partners/" + id + "/revoke", null).expect(200).json();

        assertThat(revoked.get("status").asText()).isEqualTo("revoked");
        assertThat(again).isEqualTo(revoked);
        assertThat(api.get("/v1/partners/" + id)
                        .expect(200)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("revoked");
        List<AuditLogRecord> entries = api.dsl()
                .selectFrom(AUDIT_LOG)
                .where(AUDIT_LOG.ENTITY.eq("partner"))
                .and(AUDIT_LOG.ENTITY_ID.eq(id))
                .and(AUDIT_LOG.ACTION.eq("partner.revoked"))
                .fetch();
        assertThat(entries).hasSize(1);
        assertThat(entries.getFirst().getActor()).isEqualTo("admin_key:env");
        assertThat(entries.getFirst().getDetails().data()).contains("\"previousStatus\": \"active\"");
    }

    @Test
    void revokeOfUnknownPartnerIs404() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        assertThat(api.post("/v1/partners/" + unknown + "/revoke", null).status())
                .isEqualTo(404);
    }

    @Test
    void patchRenamesAndReactivates() {
        String id = api.createPartner();
        api.post("/v1/partners/" + id + "/revoke", null).expect(200);

        JsonNode patched = api.patch("/v1/partners/" + id, "{\"name\":\"New Name\",\"status\":\"active\"}")
                .expect(200)
                .json();

        assertThat(patched.get("name").asText()).isEqualTo("New Name");
        assertThat(patched.get("status").asText()).isEqualTo("active");
    }

    @Test
    void patchAcceptsOnlyActiveOrRevoked() {
        String id = api.createPartner();

        TestApi.Response response = api.patch("/v1/partners/" + id, "{\"status\":\"invited\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("status");
        assertThat(api.patch("/v1/partners/" + id, "{\"email\":\"x@example.com\"}")
                        .errorFields())
                .containsExactly("email");
    }

    @Test
    void listFiltersByStatusAndPaginates() {
        try (TestApi own = TestApi.start()) {
            List<String> active = new ArrayList<>();
            List<String> revoked = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String id = own.createPartner();
                if (i % 2 == 0) {
                    own.post("/v1/partners/" + id + "/revoke", null).expect(200);
                    revoked.add(id);
                } else {
                    active.add(id);
                }
            }

            JsonNode first =
                    own.get("/v1/partners?status=revoked&limit=2").expect(200).json();
            JsonNode second = own.get("/v1/partners?status=revoked&limit=2&cursor="
                            + first.get("nextCursor").asText())
                    .expect(200)
                    .json();

            List<String> seen = new ArrayList<>();
            first.get("items").forEach(item -> seen.add(item.get("id").asText()));
            second.get("items").forEach(item -> seen.add(item.get("id").asText()));
            assertThat(seen).containsExactlyElementsOf(revoked.reversed());
            assertThat(second.get("nextCursor").isNull()).isTrue();
            JsonNode activeList =
                    own.get("/v1/partners?status=active").expect(200).json();
            assertThat(activeList.get("items"))
                    .extracting(item -> item.get("id").asText())
                    .containsExactlyElementsOf(active.reversed());
            assertThat(own.get("/v1/partners").expect(200).json().get("items")).hasSize(5);
        }
    }

    @Test
    void unknownStatusFilterIs400() {
        TestApi.Response response = api.get("/v1/partners?status=gone");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("status");
    }
}
