package clickledger.api.program;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProgramRoutesTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String body(String slug, String destinationUrl) {
        return """
                {"slug":"%s","name":"Acme Partners","destinationUrl":"%s","currency":"EUR"}"""
                .formatted(slug, destinationUrl);
    }

    @Test
    void createReturns201WithDefaultsAndLocation() {
        String slug = TestApi.unique("acme-");

        TestApi.Response response = api.post("/v1/programs", body(slug, "https://acme.example.com/join?x=1"))
                .expect(201);

        JsonNode program = response.json();
        assertThat(program.get("id").asText()).hasSize(26);
        assertThat(response.header("Location"))
                .isEqualTo("/v1/programs/" + program.get("id").asText());
        assertThat(program.get("slug").asText()).isEqualTo(slug);
        assertThat(program.get("name").asText()).isEqualTo("Acme Partners");
        assertThat(program.get("destinationUrl").asText()).isEqualTo("https://acme.example.com/join?x=1");
        assertThat(program.get("currency").asText()).isEqualTo("EUR");
        assertThat(program.get("attributionModel").asText()).isEqualTo("last_click");
        assertThat(program.get("lookbackDays").asInt()).isEqualTo(60);
        assertThat(program.get("holdbackDays").asInt()).isEqualTo(30);
        assertThat(program.get("cookieDays").asInt()).isEqualTo(90);
        assertThat(program.get("commissionRules").isArray()).isTrue();
        assertThat(program.get("commissionRules")).isEmpty();
        assertThat(program.get("startsAt").isNull()).isTrue();
        assertThat(program.get("endsAt").isNull()).isTrue();
        assertThat(program.get("status").asText()).isEqualTo("active");
        assertThat(program.get("createdAt").asText()).startsWith("2030-01-15T");
    }

    @Test
    void createAcceptsEveryOptionalField() {
        TestApi.Response response = api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"  Full  ","destinationUrl":"https://full.example.com","currency":"jpy",
                         "attributionModel":"time_decay","lookbackDays":7,"holdbackDays":0,"cookieDays":3650,
                         "commissionRules":[{"trigger":"every","kind":"percent","amount":"12.5"}],
                         "startsAt":"2030-02-01T00:00:00+01:00","endsAt":"2030-12-31T23:59:59Z"}"""
                                .formatted(TestApi.unique("full-")))
                .expect(201);

        JsonNode program = response.json();
        assertThat(program.get("name").asText()).isEqualTo("Full");
        assertThat(program.get("currency").asText()).isEqualTo("JPY");
        assertThat(program.get("attributionModel").asText()).isEqualTo("time_decay");
        assertThat(program.get("lookbackDays").asInt()).isEqualTo(7);
        assertThat(program.get("holdbackDays").asInt()).isZero();
        assertThat(program.get("cookieDays").asInt()).isEqualTo(3650);
        assertThat(program.get("commissionRules").get(0).get("amount").asText()).isEqualTo("12.5");
        assertThat(program.get("startsAt").asText()).isEqualTo("2030-01-31T23:00:00Z");
        assertThat(program.get("endsAt").asText()).isEqualTo("2030-12-31T23:59:59Z");
        JsonNode fetched = api.get("/v1/programs/" + program.get("id").asText())
                .expect(200)
                .json();
        assertThat(fetched).isEqualTo(program);
    }

    @Test
    void getFindsAProgramByEitherIdForm() {
        JsonNode created = api.post("/v1/programs", body(TestApi.unique("get-"), "https://get.example.com"))
                .expect(201)
                .json();
        String id = created.get("id").asText();
        String uuid = Ulid.parse(id).orElseThrow().toString();

        assertThat(api.get("/v1/programs/" + id).expect(200).json()).isEqualTo(created);
        assertThat(api.get("/v1/programs/" + uuid).expect(200).json()).isEqualTo(created);
        assertThat(api.get("/v1/programs/" + id.toLowerCase()).expect(200).json())
                .isEqualTo(created);
    }

    @Test
    void unknownProgramIs404AndMalformedIdIs400NamingId() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        TestApi.Response missing = api.get("/v1/programs/" + unknown);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Content-Type")).startsWith("application/problem+json");

        TestApi.Response malformed = api.get("/v1/programs/not-an-id");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorFields()).containsExactly("id");
        assertThat(api.patch("/v1/programs/not-an-id", "{}").status()).isEqualTo(400);
    }

    @Test
    void duplicateSlugIs409() {
        String slug = TestApi.unique("dup-");
        api.post("/v1/programs", body(slug, "https://a.example.com")).expect(201);

        TestApi.Response again = api.post("/v1/programs", body(slug, "https://b.example.com"));

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asText()).isEqualTo("slug_taken");
        assertThat(again.json().get("detail").asText()).contains("slug");
    }

    @Test
    void listPaginatesNewestFirstAcrossPages() {
        // A database of its own so other tests' programs do not interleave with these.
        try (TestApi own = TestApi.start()) {
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                created.add(own.createProgram());
            }
            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = own.get("/v1/programs?limit=3" + (cursor == null ? "" : "&cursor=" + cursor))
                        .expect(200)
                        .json();
                page.get("items").forEach(item -> seen.add(item.get("id").asText()));
                cursor = page.get("nextCursor").isNull()
                        ? null
                        : page.get("nextCursor").asText();
                pages++;
            } while (cursor != null);

            assertThat(pages).isEqualTo(3);
            assertThat(seen).containsExactlyElementsOf(created.reversed());
        }
    }

    @Test
    void listDefaultsToFiftyAndLastPageHasNoCursor() {
        JsonNode page = api.get("/v1/programs").expect(200).json();

        assertThat(page.get("items").isArray()).isTrue();
        assertThat(page.has("nextCursor")).isTrue();
        assertThat(page.get("items").size()).isLessThanOrEqualTo(50);
    }

    @Test
    void patchChangesOnlyTheNamedFields() {
        JsonNode created = api.post("/v1/programs", body(TestApi.unique("patch-"), "https://old.example.com"))
                .expect(201)
                .json();
        String id = created.get("id").asText();

        JsonNode patched = api.patch(
                        "/v1/programs/" + id,
                        """
                        {"name":"Renamed","destinationUrl":"https://new.example.com/landing","status":"paused",
                         "cookieDays":30,"lookbackDays":14,"holdbackDays":10,"attributionModel":"linear",
                         "endsAt":"2031-01-01T00:00:00Z"}""")
                .expect(200)
                .json();

        assertThat(patched.get("name").asText()).isEqualTo("Renamed");
        assertThat(patched.get("destinationUrl").asText()).isEqualTo("https://new.example.com/landing");
        assertThat(patched.get("status").asText()).isEqualTo("paused");
        assertThat(patched.get("cookieDays").asInt()).isEqualTo(30);
        assertThat(patched.get("lookbackDays").asInt()).isEqualTo(14);
        assertThat(patched.get("holdbackDays").asInt()).isEqualTo(10);
        assertThat(patched.get("attributionModel").asText()).isEqualTo("linear");
        assertThat(patched.get("endsAt").asText()).isEqualTo("2031-01-01T00:00:00Z");
        assertThat(patched.get("slug")).isEqualTo(created.get("slug"));
        assertThat(patched.get("currency")).isEqualTo(created.get("currency"));
        assertThat(patched.get("createdAt")).isEqualTo(created.get("createdAt"));
        assertThat(api.get("/v1/programs/" + id).expect(200).json()).isEqualTo(patched);

        JsonNode cleared =
                api.patch("/v1/programs/" + id, "{\"endsAt\":null}").expect(200).json();
        assertThat(cleared.get("endsAt").isNull()).isTrue();
        assertThat(cleared.get("name").asText()).isEqualTo("Renamed");

        JsonNode ended = api.patch("/v1/programs/" + id, "{\"status\":\"ended\"}")
                .expect(200)
                .json();
        assertThat(ended.get("status").asText()).isEqualTo("ended");
    }

    @Test
    void patchWritesAnAuditEntry() {
        String id = api.createProgram();

        api.patch("/v1/programs/" + id, "{\"name\":\"Audited\"}").expect(200);

        assertThat(api.dsl()
                        .selectFrom(AUDIT_LOG)
                        .where(AUDIT_LOG.ENTITY.eq("program"))
                        .and(AUDIT_LOG.ENTITY_ID.eq(id))
                        .fetch(AUDIT_LOG.ACTION))
                .containsExactlyInAnyOrder("program.created", "program.updated");
    }

    @Test
    void patchRefusesNullForRequiredFieldsAndBadValues() {
        String id = api.createProgram();

        TestApi.Response response = api.patch(
                "/v1/programs/" + id,
                "{\"name\":null,\"status\":\"deleted\",\"cookieDays\":0,\"destinationUrl\":\"javascript:alert(1)\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactlyInAnyOrder("name", "status", "cookieDays", "destinationUrl");
    }

    @Test
    void patchCannotEndBeforeTheStart() {
        String id = api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"P","destinationUrl":"https://p.example.com","currency":"USD",
                         "startsAt":"2030-06-01T00:00:00Z"}"""
                                .formatted(TestApi.unique("period-")))
                .expect(201)
                .json()
                .get("id")
                .asText();

        TestApi.Response response = api.patch("/v1/programs/" + id, "{\"endsAt\":\"2030-05-01T00:00:00Z\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("endsAt");
    }

    @Test
    void patchOfUnknownProgramIs404() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        assertThat(api.patch("/v1/programs/" + unknown, "{\"name\":\"x\"}").status())
                .isEqualTo(404);
    }

    @Test
    void everyInvalidFieldIsNamedInOneResponse() {
        TestApi.Response response = api.post(
                "/v1/programs",
                """
                {"slug":"bad slug","name":"","destinationUrl":"ftp://files.example.com","currency":"ABC",
                 "attributionModel":"most_clicks","lookbackDays":0,"holdbackDays":-1,"cookieDays":3651,
                 "commissionRules":{"not":"an array"},"startsAt":"yesterday"}""");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields())
                .containsExactlyInAnyOrder(
                        "slug",
                        "name",
                        "destinationUrl",
                        "currency",
                        "attributionModel",
                        "lookbackDays",
                        "holdbackDays",
                        "cookieDays",
                        "commissionRules",
                        "startsAt");
    }

    @Test
    void requiredFieldsAreNamedWhenMissing() {
        TestApi.Response response = api.post("/v1/programs", "{}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactlyInAnyOrder("slug", "name", "destinationUrl", "currency");
    }

    @Test
    void currencyMustBeAnIsoCodeWithMinorUnits() {
        for (String currency : new String[] {"US", "USDD", "ABC", "XAU", "XXX", "€"}) {
            TestApi.Response response = api.post(
                    "/v1/programs",
                    """
                    {"slug":"%s","name":"P","destinationUrl":"https://p.example.com","currency":"%s"}"""
                            .formatted(TestApi.unique("cur-"), currency));

            assertThat(response.status()).as(currency).isEqualTo(400);
            assertThat(response.errorFields()).as(currency).containsExactly("currency");
        }
    }

    @Test
    void commissionRulesMustBeAnArrayOfObjects() {
        TestApi.Response response = api.post(
                "/v1/programs",
                """
                {"slug":"%s","name":"P","destinationUrl":"https://p.example.com","currency":"USD",
                 "commissionRules":[{"kind":"percent"}, 5]}"""
                        .formatted(TestApi.unique("rules-")));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("commissionRules[1]");
    }
}
