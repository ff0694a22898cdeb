package clickledger.api.link;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LinkRoutesTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String link(String programId, String partnerId, String slug) {
        return slug == null
                ? "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(programId, partnerId)
                : "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"%s\"}".formatted(programId, partnerId, slug);
    }

    @Test
    void createWithSlugReturnsTheShareableUrl() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        String slug = TestApi.unique("ada-");

        TestApi.Response response =
                api.post("/v1/links", link(programId, partnerId, slug)).expect(201);

        JsonNode created = response.json();
        assertThat(created.get("id").asText()).hasSize(26);
        assertThat(created.get("slug").asText()).isEqualTo(slug);
        assertThat(created.get("programId").asText()).isEqualTo(programId);
        assertThat(created.get("partnerId").asText()).isEqualTo(partnerId);
        assertThat(created.get("destinationUrl").isNull()).isTrue();
        assertThat(created.get("status").asText()).isEqualTo("active");
        assertThat(created.get("url").asText()).isEqualTo(TestApi.ROUTER_URL + "/r/" + slug);
        assertThat(created.get("createdAt").asText()).startsWith("2030-01-15T");
        assertThat(response.header("Location"))
                .isEqualTo("/v1/links/" + created.get("id").asText());
        assertThat(api.get("/v1/links/" + created.get("id").asText())
                        .expect(200)
                        .json())
                .isEqualTo(created);
    }

    @Test
    void createWithoutSlugGeneratesShortUniqueOnes() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        Set<String> slugs = new HashSet<>();

        for (int i = 0; i < 50; i++) {
            JsonNode created = api.post("/v1/links", link(programId, partnerId, null))
                    .expect(201)
                    .json();
            String slug = created.get("slug").asText();
            assertThat(slug).matches("[2-9a-km-np-zA-HJ-NP-Z]{7}");
            assertThat(created.get("url").asText()).isEqualTo(TestApi.ROUTER_URL + "/r/" + slug);
            slugs.add(slug);
        }

        assertThat(slugs).hasSize(50);
    }

    @Test
    void createMakesTheApprovedMembershipOnce() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();

        api.post("/v1/links", link(programId, partnerId, null)).expect(201);
        api.post("/v1/links", link(programId, partnerId, null)).expect(201);

        List<String> memberships = api.dsl()
                .select(PARTNER_PROGRAM.STATUS)
                .from(PARTNER_PROGRAM)
                .where(PARTNER_PROGRAM.PROGRAM_ID.eq(Ulid.parse(programId).orElseThrow()))
                .and(PARTNER_PROGRAM.PARTNER_ID.eq(Ulid.parse(partnerId).orElseThrow()))
                .fetch(PARTNER_PROGRAM.STATUS);
        assertThat(memberships).containsExactly("approved");
    }

    @Test
    void existingMembershipKeepsItsStatus() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        api.dsl()
                .insertInto(PARTNER_PROGRAM)
                .set(PARTNER_PROGRAM.PROGRAM_ID, Ulid.parse(programId).orElseThrow())
                .set(PARTNER_PROGRAM.PARTNER_ID, Ulid.parse(partnerId).orElseThrow())
                .set(PARTNER_PROGRAM.STATUS, "rejected")
                .execute();

        api.post("/v1/links", link(programId, partnerId, null)).expect(201);

        assertThat(api.dsl()
                        .select(PARTNER_PROGRAM.STATUS)
                        .from(PARTNER_PROGRAM)
                        .where(PARTNER_PROGRAM.PROGRAM_ID.eq(
                                Ulid.parse(programId).orElseThrow()))
                        .fetch(PARTNER_PROGRAM.STATUS))
                .containsExactly("rejected");
    }

    @Test
    void unknownProgramAndPartnerAre400NamingTheFields() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));
        String partnerId = api.createPartner();
        String programId = api.createProgram();

        TestApi.Response both = api.post("/v1/links", link(unknown, unknown, null));
        TestApi.Response program = api.post("/v1/links", link(unknown, partnerId, null));
        TestApi.Response partner = api.post("/v1/links", link(programId, unknown, null));

        assertThat(both.status()).isEqualTo(400);
        assertThat(both.errorFields()).containsExactlyInAnyOrder("programId", "partnerId");
        assertThat(program.errorFields()).containsExactly("programId");
        assertThat(partner.errorFields()).containsExactly("partnerId");
    }

    @Test
    void malformedOrMissingIdsAre400NamingTheFields() {
        TestApi.Response response = api.post("/v1/links", "{\"programId\":\"nope\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactlyInAnyOrder("programId", "partnerId");
    }

    @Test
    void duplicateSlugIs409() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        String slug = TestApi.unique("taken-");
        api.post("/v1/links", link(programId, partnerId, slug)).expect(201);

        TestApi.Response again = api.post("/v1/links", link(programId, partnerId, slug));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("slug_taken");
    }

    @Test
    void revokedPartnerGetsNoNewLinks() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        api.post("/v1/partners/" + partnerId + "/revoke", null).expect(200);

        TestApi.Response response = api.post("/v1/links", link(programId, partnerId, null));

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("code").asText()).isEqualTo("partner_revoked");
    }

    @Test
    void pauseAndResumeChangeTheStatus() {
        String id = api.post("/v1/links", link(api.createProgram(), api.createPartner(), null))
                .expect(201)
                .json()
                .get("id")
                .asText();

        assertThat(api.post("/v1/links/" + id + "/pause", null)
                        .expect(200)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("paused");
        assertThat(api.get("/v1/links/" + id).expect(200).json().get("status").asText())
                .isEqualTo("paused");
        assertThat(api.post("/v1/links/" + id + "/pause", null)
                        .expect(200)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("paused");
        assertThat(api.post("/v1/links/" + id + "/resume", null)
                        .expect(200)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("active");
        assertThat(api.get("/v1/links/" + id).expect(200).json().get("status").asText())
                .isEqualTo("active");
    }

    @Test
    void patchSetsAndClearsTheDestination() {
        String id = api.post("/v1/links", link(api.createProgram(), api.createPartner(), null))
                .expect(201)
                .json()
                .get("id")
                .asText();

        JsonNode patched = api.patch(
                        "/v1/links/" + id,
                        "{\"destinationUrl\":\"https://shop.example.com/sale?ref=ada\",\"status\":\"paused\"}")
                .expect(200)
                .json();
        assertThat(patched.get("destinationUrl").asText()).isEqualTo("https://shop.example.com/sale?ref=ada");
        assertThat(patched.get("status").asText()).isEqualTo("paused");

        JsonNode cleared = api.patch("/v1/links/" + id, "{\"destinationUrl\":null}")
                .expect(200)
                .json();
        assertThat(cleared.get("destinationUrl").isNull()).isTrue();
        assertThat(cleared.get("status").asText()).isEqualTo("paused");

        TestApi.Response bad =
                api.patch("/v1/links/" + id, "{\"status\":\"deleted\",\"destinationUrl\":\"/relative\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorFields()).containsExactlyInAnyOrder("status", "destinationUrl");
    }

    @Test
    void unknownLinkIs404() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        assertThat(api.get("/v1/links/" + unknown).status()).isEqualTo(404);
        assertThat(api.post("/v1/links/" + unknown + "/pause", null).status()).isEqualTo(404);
        assertThat(api.patch("/v1/links/" + unknown, "{}").status()).isEqualTo(404);
    }

    @Test
    void listFiltersByProgramPartnerAndStatusAndPaginates() {
        String programId = api.createProgram();
        String otherProgramId = api.createProgram();
        String partnerId = api.createPartner();
        List<String> inProgram = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inProgram.add(api.post("/v1/links", link(programId, partnerId, null))
                    .expect(201)
                    .json()
                    .get("id")
                    .asText());
        }
        String elsewhere = api.post("/v1/links", link(otherProgramId, partnerId, null))
                .expect(201)
                .json()
                .get("id")
                .asText();
        api.post("/v1/links/" + inProgram.get(1) + "/pause", null).expect(200);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = api.get("/v1/links?programId=" + programId + "&limit=2"
                            + (cursor == null ? "" : "&cursor=" + cursor))
                    .expect(200)
                    .json();
            page.get("items").forEach(item -> {
                seen.add(item.get("id").asText());
                assertThat(item.get("url").asText()).startsWith(TestApi.ROUTER_URL + "/r/");
            });
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asText();
        } while (cursor != null);

        assertThat(seen).containsExactlyElementsOf(inProgram.reversed());
        assertThat(api.get("/v1/links?partnerId=" + partnerId)
                        .expect(200)
                        .json()
                        .get("items"))
                .extracting(item -> item.get("id").asText())
                .containsExactly(
                        elsewhere,
                        inProgram.get(4),
                        inProgram.get(3),
                        inProgram.get(2),
                        inProgram.get(1),
                        inProgram.get(0));
        assertThat(api.get("/v1/links?programId=" + programId + "&status=paused")
                        .expect(200)
                        .json()
                        .get("items"))
                .extracting(item -> item.get("id").asText())
                .containsExactly(inProgram.get(1));
    }

    @Test
    void badListFiltersAre400NamingThem() {
        TestApi.Response response = api.get("/v1/links?programId=x&partnerId=y&status=gone&limit=0&cursor=z");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields())
                .containsExactlyInAnyOrder("programId", "partnerId", "status", "limit", "cursor");
    }
}
