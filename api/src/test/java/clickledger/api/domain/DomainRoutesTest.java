package clickledger.api.domain;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.IDN;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainRoutesTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String host(String prefix) {
        return TestApi.unique(prefix).toLowerCase(Locale.ROOT) + ".shop.example";
    }

    private static String domain(String programId, String hostname, String extra) {
        return "{\"programId\":\"%s\",\"hostname\":\"%s\"%s}".formatted(programId, hostname, extra);
    }

    @Test
    void addedDomainIsNormalisedListedAndReadable() {
        String programId = api.createProgram();
        String name = host("Go");

        JsonNode created = api.post("/v1/domains", domain(programId, name.toUpperCase(Locale.ROOT) + ".", ""))
                .expect(201)
                .json();

        assertThat(created.get("hostname").asText()).isEqualTo(name);
        assertThat(created.get("programId").asText()).isEqualTo(programId);
        assertThat(created.get("dedicated").asBoolean()).isFalse();
        assertThat(created.get("primary").asBoolean()).isFalse();
        assertThat(created.get("cookieDomain").isNull()).isTrue();
        String id = created.get("id").asText();
        assertThat(api.get("/v1/domains/" + id).expect(200).json()).isEqualTo(created);
        JsonNode list =
                api.get("/v1/domains?programId=" + programId).expect(200).json();
        assertThat(list.get("items")).hasSize(1);
        assertThat(list.get("items").get(0)).isEqualTo(created);
        assertThat(api.get("/v1/domains?programId=" + api.createProgram())
                        .expect(200)
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void internationalNameIsStoredAsPunycode() {
        String programId = api.createProgram();
        String unique = TestApi.unique("x").toLowerCase(Locale.ROOT);

        JsonNode created = api.post("/v1/domains", domain(programId, "bücher-" + unique + ".example", ""))
                .expect(201)
                .json();

        assertThat(created.get("hostname").asText()).isEqualTo(IDN.toASCII("bücher-" + unique) + ".example");
        assertThat(created.get("hostname").asText()).startsWith("xn--");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "10.0.0.1.",
                "0x7f.1",
                "2130706433",
                "[::1]",
                "::1",
                "localhost",
                "localhost.",
                "shop.localhost",
                "https://go.shop.example",
                "go.shop.example:8443",
                "go.shop.example/r/ada",
                "user@go.shop.example",
                "*.shop.example",
                "go shop.example",
                "go..shop.example",
                ".shop.example",
                "-go.shop.example",
                "go-.shop.example",
                "go_x.shop.example",
                "intranet",
                "go.shop.example\\u0000",
                "go.shop.example\\n",
                "go.\\u202eelpmaxe.shop"
            })
    void hostileHostnamesAreRefusedNamingTheField(String hostname) {
        String programId = api.createProgram();

        TestApi.Response response = api.post("/v1/domains", domain(programId, hostname, ""));

        assertThat(response.status()).as(hostname).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("hostname");
        assertThat(api.get("/v1/domains?programId=" + programId)
                        .expect(200)
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void overlongNamesAreRefused() {
        String programId = api.createProgram();
        String label64 = "a".repeat(64);
        String tooLong = ("a".repeat(49) + ".").repeat(5) + "abc.example";

        for (String name : List.of(label64 + ".example", tooLong, "a".repeat(10_000) + ".example")) {
            TestApi.Response response = api.post("/v1/domains", domain(programId, name, ""));
            assertThat(response.status()).as(name.length() + " characters").isEqualTo(400);
            assertThat(response.errorFields()).containsExactly("hostname");
        }
        String longest = ("a".repeat(62) + ".").repeat(3) + "a".repeat(56) + ".example";
        assertThat(longest).hasSize(253);
        api.post("/v1/domains", domain(programId, longest, "")).expect(201);
    }

    @Test
    void badFieldsAreAllNamed() {
        TestApi.Response response =
                api.post("/v1/domains", "{\"programId\":\"nope\",\"hostname\":\"127.0.0.1\",\"cookieDomain\":\"x\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).contains("programId", "hostname");
        assertThat(api.post("/v1/domains", "{\"programId\":\"01JZZZZZZZZZZZZZZZZZZZZZZZ\",\"hostname\":\"a.example\"}")
                        .expect(400)
                        .errorFields())
                .containsExactly("programId");
        assertThat(api.post("/v1/domains", "{\"hostname\":\"a.example\",\"dedicated\":\"yes\"}")
                        .status())
                .isEqualTo(400);
    }

    @Test
    void theRoutersOwnHostIsNotACustomDomain() {
        String programId = api.createProgram();
        String own = URI.create(TestApi.ROUTER_URL).getHost();

        assertThat(api.post("/v1/domains", domain(programId, own, ""))
                        .expect(400)
                        .errorFields())
                .containsExactly("hostname");
    }

    @Test
    void aHostnameBelongsToOneDomain() {
        String name = host("taken");
        api.post("/v1/domains", domain(api.createProgram(), name, "")).expect(201);

        TestApi.Response again =
                api.post("/v1/domains", domain(api.createProgram(), name.toUpperCase(Locale.ROOT), ""));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("hostname_taken");
    }

    @Test
    void cookieDomainMustCoverTheHost() {
        String programId = api.createProgram();
        String name = host("cookie");

        assertThat(api.post("/v1/domains", domain(programId, name, ",\"cookieDomain\":\"evil.example\""))
                        .expect(400)
                        .errorFields())
                .containsExactly("cookieDomain");
        assertThat(api.post("/v1/domains", domain(programId, name, ",\"cookieDomain\":\"example\""))
                        .expect(400)
                        .errorFields())
                .containsExactly("cookieDomain");
        JsonNode created = api.post("/v1/domains", domain(programId, name, ",\"cookieDomain\":\".shop.example\""))
                .expect(201)
                .json();
        assertThat(created.get("cookieDomain").asText()).isEqualTo("shop.example");
        String id = created.get("id").asText();
        assertThat(api.patch("/v1/domains/" + id, "{\"cookieDomain\":null}")
                        .expect(200)
                        .json()
                        .get("cookieDomain")
                        .isNull())
                .isTrue();
    }

    @Test
    void linksGetTheProgramsPrimaryDomainAndItsShortUrl() {
        String programId = api.createProgram();
        String partnerId = api.createPartner();
        String plain = host("plain");
        String dedicated = host("dedicated");
        String plainId = api.post("/v1/domains", domain(programId, plain, ",\"primary\":true"))
                .expect(201)
                .json()
                .get("id")
                .asText();
        String dedicatedId = api.post("/v1/domains", domain(programId, dedicated, ",\"dedicated\":true"))
                .expect(201)
                .json()
                .get("id")
                .asText();

        JsonNode onPrimary = api.post(
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"ada\"}".formatted(programId, partnerId))
                .expect(201)
                .json();
        JsonNode onDedicated = api.post(
                        "/v1/links",
                        "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"ada\",\"domainId\":\"%s\"}"
                                .formatted(programId, partnerId, dedicatedId))
                .expect(201)
                .json();

        assertThat(onPrimary.get("url").asText()).isEqualTo("https://" + plain + "/r/ada");
        assertThat(onPrimary.get("domainId").asText()).isEqualTo(plainId);
        assertThat(onDedicated.get("url").asText()).isEqualTo("https://" + dedicated + "/ada");
        assertThat(api.get("/v1/links/" + onDedicated.get("id").asText())
                        .expect(200)
                        .json())
                .isEqualTo(onDedicated);
        // The same slug again on the same domain is taken; slugs are unique per domain.
        assertThat(api.post(
                                "/v1/links",
                                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"slug\":\"ada\",\"domainId\":\"%s\"}"
                                        .formatted(programId, partnerId, dedicatedId))
                        .status())
                .isEqualTo(409);
        // Making the other domain primary takes the mark from the first.
        api.patch("/v1/domains/" + dedicatedId, "{\"primary\":true}").expect(200);
        assertThat(api.get("/v1/domains/" + plainId)
                        .expect(200)
                        .json()
                        .get("primary")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void aLinkCannotUseAnotherProgramsDomain() {
        String otherDomain = api.post("/v1/domains", domain(api.createProgram(), host("other"), ""))
                .expect(201)
                .json()
                .get("id")
                .asText();

        TestApi.Response response = api.post(
                "/v1/links",
                "{\"programId\":\"%s\",\"partnerId\":\"%s\",\"domainId\":\"%s\"}"
                        .formatted(api.createProgram(), api.createPartner(), otherDomain));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("domainId");
    }

    @Test
    void aDomainWithLinksIsKeptAndAnEmptyOneRemoved() {
        String programId = api.createProgram();
        String used = api.post("/v1/domains", domain(programId, host("used"), ",\"primary\":true"))
                .expect(201)
                .json()
                .get("id")
                .asText();
        api.post("/v1/links", "{\"programId\":\"%s\",\"partnerId\":\"%s\"}".formatted(programId, api.createPartner()))
                .expect(201);
        String empty = api.post("/v1/domains", domain(programId, host("empty"), ""))
                .expect(201)
                .json()
                .get("id")
                .asText();

        TestApi.Response refused = api.send("DELETE", "/v1/domains/" + used, null, TestApi.ADMIN_KEY);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("code").asText()).isEqualTo("domain_in_use");
        assertThat(api.send("DELETE", "/v1/domains/" + empty, null, TestApi.ADMIN_KEY)
                        .status())
                .isEqualTo(204);
        api.get("/v1/domains/" + empty).expect(404);
        api.get("/v1/domains/" + used).expect(200);
    }
}
