package clickledger.api.auth;

import static clickledger.db.jooq.Tables.LINK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Partner keys and /v1/me: partners A and B both have links and clicks in the same program (and B
 * in one more), so a key that saw the other partner's rows would show it.
 */
class AuthzPartnerTest {
    private static TestApi api;
    private static String shared;
    private static String onlyB;
    private static String partnerA;
    private static String partnerB;
    private static String linkA;
    private static String linkB;
    private static String linkBElsewhere;
    private static String clickA;
    private static String clickB;
    private static String keyA;
    private static String keyB;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        shared = api.createProgram();
        onlyB = api.createProgram();
        partnerA = api.createPartner();
        partnerB = api.createPartner();
        linkA = Keys.link(api, shared, partnerA);
        linkB = Keys.link(api, shared, partnerB);
        linkBElsewhere = Keys.link(api, onlyB, partnerB);
        clickA = Keys.click(api, linkA, shared, partnerA);
        clickB = Keys.click(api, linkB, shared, partnerB);
        keyA = Keys.key(api, "partner", null, partnerA);
        keyB = Keys.key(api, "partner", null, partnerB);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    private static String newLink(String programId) {
        return "{\"programId\":\"" + programId + "\"}";
    }

    @Test
    void meIsThePartnerWithItsPrograms() {
        JsonNode me = api.send("GET", "/v1/me", null, keyB).expect(200).json();

        assertThat(me.get("id").asText()).isEqualTo(partnerB);
        assertThat(me.get("email").asText()).endsWith("@example.com");
        assertThat(me.get("name").asText()).isEqualTo("Partner");
        assertThat(me.get("status").asText()).isEqualTo("active");
        assertThat(me.get("programs"))
                .extracting(program -> program.get("programId").asText())
                .containsExactlyInAnyOrder(shared, onlyB);
        assertThat(me.get("programs"))
                .allSatisfy(program ->
                        assertThat(program.get("membershipStatus").asText()).isEqualTo("approved"));
        assertThat(api.send("GET", "/v1/me", null, keyA).expect(200).json().get("programs"))
                .extracting(program -> program.get("programId").asText())
                .contains(shared)
                .doesNotContain(onlyB);
    }

    @Test
    void partnerKeyListsOnlyItsOwnLinks() {
        List<String> ofA = ids(
                api.send("GET", "/v1/me/links", null, keyA).expect(200).json().get("items"));
        List<String> ofB = ids(api.send("GET", "/v1/me/links?limit=200", null, keyB)
                .expect(200)
                .json()
                .get("items"));
        List<String> ofAInShared = ids(api.send("GET", "/v1/me/links?programId=" + shared, null, keyA)
                .expect(200)
                .json()
                .get("items"));

        assertThat(ofA).contains(linkA).doesNotContain(linkB, linkBElsewhere);
        assertThat(ofB).contains(linkB, linkBElsewhere).doesNotContain(linkA);
        assertThat(ofAInShared).contains(linkA).doesNotContain(linkB);
    }

    @Test
    void partnerKeyCannotReadAnotherPartnersLinkOrClick() {
        assertThat(api.send("GET", "/v1/me/links/" + linkA, null, keyA)
                        .expect(200)
                        .json()
                        .get("id")
                        .asText())
                .isEqualTo(linkA);
        assertThat(api.send("GET", "/v1/me/clicks/" + clickA, null, keyA)
                        .expect(200)
                        .json()
                        .get("id")
                        .asText())
                .isEqualTo(clickA);

        TestApi.Response link = api.send("GET", "/v1/me/links/" + linkB, null, keyA);
        TestApi.Response click = api.send("GET", "/v1/me/clicks/" + clickB, null, keyA);

        assertThat(link.status()).isEqualTo(404);
        assertThat(click.status()).isEqualTo(404);
        assertThat(link.body()).doesNotContain(partnerB);
        assertThat(click.body()).doesNotContain(partnerB);
        // Nor through the admin routes, whatever the filter says.
        assertThat(api.send("GET", "/v1/links?partnerId=" + partnerB, null, keyA)
                        .status())
                .isEqualTo(403);
        assertThat(api.send("GET", "/v1/clicks/" + clickB, null, keyA).status()).isEqualTo(403);
    }

    @Test
    void partnerCreatesItsOwnLinkInAProgramWhereItIsApproved() {
        String slug = TestApi.unique("mine-");

        TestApi.Response response = api.send(
                        "POST", "/v1/me/links", "{\"programId\":\"" + shared + "\",\"slug\":\"" + slug + "\"}", keyA)
                .expect(201);

        JsonNode link = response.json();
        assertThat(link.get("partnerId").asText()).isEqualTo(partnerA);
        assertThat(link.get("programId").asText()).isEqualTo(shared);
        assertThat(link.get("slug").asText()).isEqualTo(slug);
        assertThat(link.get("destinationUrl").isNull()).isTrue();
        assertThat(link.get("url").asText()).isEqualTo(TestApi.ROUTER_URL + "/r/" + slug);
        assertThat(response.header("Location"))
                .isEqualTo("/v1/me/links/" + link.get("id").asText());
        assertThat(api.send("GET", "/v1/me/links/" + link.get("id").asText(), null, keyA)
                        .status())
                .isEqualTo(200);
        assertThat(api.send("GET", "/v1/me/links/" + link.get("id").asText(), null, keyB)
                        .status())
                .isEqualTo(404);
    }

    @Test
    void partnerWithoutMembershipCannotCreateALinkInTheProgram() {
        long linksBefore = api.dsl().fetchCount(LINK);

        TestApi.Response response = api.send("POST", "/v1/me/links", newLink(onlyB), keyA);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("detail").asText()).contains("program");
        assertThat(api.dsl().fetchCount(LINK)).isEqualTo(linksBefore);
        // No membership was made on the way, unlike an admin's POST /v1/links.
        assertThat(api.send("GET", "/v1/me", null, keyA).expect(200).json().get("programs"))
                .extracting(program -> program.get("programId").asText())
                .doesNotContain(onlyB);
    }

    @Test
    void pendingRejectedOrRevokedMembershipIs403() {
        String program = api.createProgram();
        for (String status : new String[] {"pending", "rejected", "revoked"}) {
            Keys.membership(api, program, partnerA, status);

            TestApi.Response response = api.send("POST", "/v1/me/links", newLink(program), keyA);

            assertThat(response.status()).as(status).isEqualTo(403);
            assertThat(response.json().get("detail").asText()).contains(status);
        }
    }

    @Test
    void partnerLinkBodyIsStrict() {
        TestApi.Response withDestination = api.send(
                "POST",
                "/v1/me/links",
                "{\"programId\":\"" + shared + "\",\"destinationUrl\":\"https://evil.example\"}",
                keyA);
        TestApi.Response withPartner = api.send(
                "POST", "/v1/me/links", "{\"programId\":\"" + shared + "\",\"partnerId\":\"" + partnerB + "\"}", keyA);
        TestApi.Response hugeSlug = api.send(
                "POST",
                "/v1/me/links",
                "{\"programId\":\"" + shared + "\",\"slug\":\"" + "s".repeat(10_000) + "\"}",
                keyA);
        TestApi.Response noProgram = api.send("POST", "/v1/me/links", "{}", keyA);

        assertThat(withDestination.status()).isEqualTo(400);
        assertThat(withDestination.errorFields()).containsExactly("destinationUrl");
        assertThat(withPartner.errorFields()).containsExactly("partnerId");
        assertThat(hugeSlug.errorFields()).containsExactly("slug");
        assertThat(noProgram.errorFields()).containsExactly("programId");
    }

    @Test
    void partnerKeyNarrowedToAProgramSeesAndCreatesOnlyThere() {
        String narrowed = Keys.key(api, "partner", onlyB, partnerB);

        JsonNode me = api.send("GET", "/v1/me", null, narrowed).expect(200).json();
        List<String> links = ids(api.send("GET", "/v1/me/links?limit=200", null, narrowed)
                .expect(200)
                .json()
                .get("items"));
        JsonNode created =
                api.send("POST", "/v1/me/links", "{}", narrowed).expect(201).json();

        assertThat(me.get("programs"))
                .extracting(p -> p.get("programId").asText())
                .containsExactly(onlyB);
        assertThat(links).contains(linkBElsewhere).doesNotContain(linkB);
        assertThat(created.get("programId").asText()).isEqualTo(onlyB);
        assertThat(api.send("POST", "/v1/me/links", newLink(shared), narrowed).status())
                .isEqualTo(404);
        assertThat(api.send("GET", "/v1/me/clicks/" + clickB, null, narrowed).status())
                .isEqualTo(404);
        assertThat(api.send("GET", "/v1/me/links?programId=" + shared, null, narrowed)
                        .expect(200)
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void unknownCrefIs404AndMalformedOneIs400() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        assertThat(api.send("GET", "/v1/me/clicks/" + unknown, null, keyA).status())
                .isEqualTo(404);
        assertThat(api.send("GET", "/v1/me/clicks/nope", null, keyA).errorFields())
                .containsExactly("cref");
    }
}
