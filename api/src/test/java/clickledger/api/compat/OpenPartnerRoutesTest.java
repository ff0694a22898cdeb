package clickledger.api.compat;

import static clickledger.db.jooq.Tables.IDENTITY;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenPartner's routes over plain HTTP: its request and answer shapes, mapped onto clickledger's services. */
class OpenPartnerRoutesTest {
    private static final Instant NOW = TestApi.START;
    private static final String DEFAULT_PROGRAM = "openpartner-default";
    private static TestApi api;
    private static Seeds seeds;
    private static String program;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("COMPAT_DEFAULT_PROGRAM", DEFAULT_PROGRAM));
        seeds = new Seeds(api);
        program = seeds.program(DEFAULT_PROGRAM, "last_click");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static TestApi.Response post(String path, String body, String key, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        headers.forEach(request::header);
        return api.send(request.build());
    }

    private static TestApi.Response identify(String body) {
        return post("/attribution/identify", body, TestApi.ADMIN_KEY, Map.of());
    }

    private static TestApi.Response event(String body) {
        return post("/attribution/events", body, TestApi.ADMIN_KEY, Map.of());
    }

    /** A user who clicked a partner's link two days ago and was identified; returns [user, cref, partnerId]. */
    private static String[] clickedAndIdentified() {
        Ledger.Partner partner = seeds.partner(program);
        String cref = seeds.click(program, partner, NOW.minus(Duration.ofDays(2)));
        String user = TestApi.unique("user-");
        identify("{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(cref, user)).expect(201);
        return new String[] {user, cref, partner.id()};
    }

    @Test
    void identifyAnswersInOpenPartnersShapeAndRepeatsAreNotNewStitches() {
        Ledger.Partner partner = seeds.partner(program);
        String cref = seeds.click(program, partner, NOW.minus(Duration.ofDays(1)));
        String user = TestApi.unique("user-");
        String body = "{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(cref, user);

        TestApi.Response first = identify(body).expect(201);
        TestApi.Response again = identify(body).expect(200);

        assertThat(first.header("Content-Type")).startsWith("application/json");
        JsonNode answer = first.json();
        assertThat(answer.get("ok").asBoolean()).isTrue();
        assertThat(answer.get("identityId").asText()).hasSize(26);
        assertThat(answer.get("firstStitch").asBoolean()).isTrue();
        assertThat(answer.get("backfilledAttributions").asInt()).isZero();
        assertThat(again.json().get("identityId").asText())
                .isEqualTo(answer.get("identityId").asText());
        assertThat(again.json().get("firstStitch").asBoolean()).isFalse();
        assertThat(seeds.identityExists(user, cref)).isTrue();
    }

    @Test
    void identifyTakesTheBrowserClientsDateNowMillisecondsAsTs() {
        Ledger.Partner partner = seeds.partner(program);
        String cref = seeds.click(program, partner, NOW.minus(Duration.ofDays(1)));
        String user = TestApi.unique("user-");
        Instant stitched = Instant.parse("2030-01-14T12:34:56.789Z");

        identify("{\"cref\":\"%s\",\"userId\":\"%s\",\"ts\":%d}".formatted(cref, user, stitched.toEpochMilli()))
                .expect(201);

        Instant stored = api.dsl()
                .select(IDENTITY.TS)
                .from(IDENTITY)
                .where(IDENTITY.USER_ID.eq(user))
                .fetchOne(IDENTITY.TS)
                .toInstant();
        assertThat(stored).isEqualTo(stitched);
        assertThat(identify("{\"cref\":\"%s\",\"userId\":\"%s\",\"ts\":1.5}".formatted(cref, user))
                        .expect(400)
                        .json()
                        .get("error")
                        .asText())
                .isEqualTo("invalid_body");
    }

    @Test
    void unknownOrMalformedCrefIs404ClickNotFound() {
        String unknown = Ulid.encode(Ulid.newUuidV7(NOW.toEpochMilli()));
        for (String cref : List.of(unknown, "not-a-cref")) {
            TestApi.Response response = identify("{\"cref\":\"%s\",\"userId\":\"u\"}".formatted(cref));

            assertThat(response.status()).as(cref).isEqualTo(404);
            assertThat(response.header("Content-Type")).startsWith("application/json");
            assertThat(response.json().get("error").asText()).isEqualTo("click_not_found");
            assertThat(response.json().get("detail").asText()).contains("cref");
        }
    }

    @Test
    void firstStitchCountsTheEarlierEventsItAttributed() {
        Ledger.Partner partner = seeds.partner(program);
        String cref = seeds.click(program, partner, NOW.minus(Duration.ofDays(3)));
        String user = TestApi.unique("user-");
        JsonNode early = event("{\"userId\":\"%s\",\"type\":\"signup\"}".formatted(user))
                .expect(201)
                .json();
        assertThat(early.at("/attribution/status").asText()).isEqualTo("no_identity");

        JsonNode stitch = identify("{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(cref, user))
                .expect(201)
                .json();

        assertThat(stitch.get("firstStitch").asBoolean()).isTrue();
        assertThat(stitch.get("backfilledAttributions").asInt()).isEqualTo(1);
    }

    @Test
    void eventAnswerCarriesStatusModelAndTouchesWithNumericWeight() {
        String[] clicked = clickedAndIdentified();

        TestApi.Response response = event(
                        "{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":249,\"currency\":\"USD\"}"
                                .formatted(clicked[0]))
                .expect(201);

        JsonNode answer = response.json();
        assertThat(answer.get("ok").asBoolean()).isTrue();
        assertThat(answer.get("eventId").asText()).hasSize(26);
        assertThat(answer.at("/attribution/status").asText()).isEqualTo("attributed");
        assertThat(answer.at("/attribution/model").asText()).isEqualTo("last_click");
        JsonNode touch = answer.at("/attribution/touches/0");
        assertThat(touch.get("clickId").asText()).isEqualTo(clicked[1]);
        assertThat(touch.get("partnerId").asText()).isEqualTo(clicked[2]);
        assertThat(touch.get("weight").isNumber()).isTrue();
        assertThat(touch.get("weight").decimalValue()).isEqualByComparingTo("1");
        assertThat(touch.get("attributionId").asText()).hasSize(26);
        assertThat(touch.get("commissionId").asText()).hasSize(26);
        JsonNode commissions = api.get(
                        "/v1/commissions?eventId=" + answer.get("eventId").asText())
                .expect(200)
                .json()
                .get("items");
        assertThat(commissions).hasSize(1);
        assertThat(commissions.get(0).get("id").asText())
                .isEqualTo(touch.get("commissionId").asText());
        assertThat(commissions.get(0).get("amount").asText()).isEqualTo("24.90");
    }

    @Test
    void statusSaysWhyAnEventWasNotAttributed() {
        String stranger = TestApi.unique("user-");
        assertThat(event("{\"userId\":\"%s\",\"type\":\"signup\"}".formatted(stranger))
                        .expect(201)
                        .json()
                        .at("/attribution/status")
                        .asText())
                .isEqualTo("no_identity");

        Ledger.Partner partner = seeds.partner(program);
        String old = seeds.click(program, partner, NOW.minus(Duration.ofDays(90)));
        String user = TestApi.unique("user-");
        identify("{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(old, user)).expect(201);
        assertThat(event("{\"userId\":\"%s\",\"type\":\"signup\"}".formatted(user))
                        .expect(201)
                        .json()
                        .at("/attribution/status")
                        .asText())
                .isEqualTo("outside_window");
    }

    @Test
    void eventsWithoutAKeyAreRecordedOncePerCallAsInOpenPartner() {
        String user = clickedAndIdentified()[0];
        String body = "{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":10}".formatted(user);

        JsonNode first = event(body).expect(201).json();
        JsonNode second = event(body).expect(201).json();

        assertThat(first.get("eventId").asText())
                .isNotEqualTo(second.get("eventId").asText());
    }

    @Test
    void metadataEventIdMakesAnEventIdempotent() {
        String user = clickedAndIdentified()[0];
        String key = TestApi.unique("in_");
        String body = "{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":10,\"metadata\":{\"eventId\":\"%s\"}}"
                .formatted(user, key);

        JsonNode first = event(body).expect(201).json();
        JsonNode replay = event(body).expect(200).json();
        TestApi.Response changed = event(body.replace("\"value\":10", "\"value\":11"));

        assertThat(first.get("eventId").asText()).isEqualTo(key);
        assertThat(replay).isEqualTo(first);
        assertThat(changed.status()).isEqualTo(409);
        assertThat(changed.json().get("error").asText()).isEqualTo("event_id_reused");
    }

    @Test
    void idempotencyKeyHeaderMakesAnEventIdempotent() {
        String user = clickedAndIdentified()[0];
        String key = TestApi.unique("order-");
        String body = "{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"value\":10}".formatted(user);

        JsonNode first = post("/attribution/events", body, TestApi.ADMIN_KEY, Map.of("Idempotency-Key", key))
                .expect(201)
                .json();
        JsonNode replay = post("/attribution/events", body, TestApi.ADMIN_KEY, Map.of("Idempotency-Key", key))
                .expect(200)
                .json();

        assertThat(first.get("eventId").asText()).isEqualTo(key);
        assertThat(replay.at("/attribution/touches/0/commissionId"))
                .isEqualTo(first.at("/attribution/touches/0/commissionId"));
    }

    @Test
    void disagreeingIdempotencyKeysAreRefused() {
        String user = clickedAndIdentified()[0];
        String body = "{\"userId\":\"%s\",\"type\":\"invoice_paid\",\"metadata\":{\"eventId\":\"b\"}}".formatted(user);

        TestApi.Response response = post("/attribution/events", body, TestApi.ADMIN_KEY, Map.of("Idempotency-Key", "a"))
                .expect(400);

        assertThat(response.json().get("error").asText()).isEqualTo("invalid_body");
        assertThat(response.errorFields()).containsExactly("metadata.eventId");
    }

    @Test
    void badBodiesAre400InvalidBodyNamingTheField() {
        List<String> fields = new ArrayList<>();
        for (String body : List.of(
                "{\"type\":\"signup\"}",
                "{\"userId\":\"u\",\"type\":\"signup\",\"value\":-1}",
                "{\"userId\":\"u\",\"type\":\"signup\",\"currency\":\"EUR\"}",
                "{\"userId\":\"u\",\"type\":\"signup\",\"campaign\":\"x\"}",
                "[]")) {
            TestApi.Response response = event(body).expect(400);
            assertThat(response.json().get("error").asText()).as(body).isEqualTo("invalid_body");
            assertThat(response.json().get("detail").asText()).as(body).isNotBlank();
            fields.addAll(response.errorFields());
        }
        assertThat(fields).containsExactly("userId", "value", "currency", "campaign", "body");
    }

    @Test
    void aMissingOrWrongKeyIs401Unauthorized() {
        String body = "{\"userId\":\"u\",\"type\":\"signup\"}";
        for (String key : new String[] {null, "op_0123456789abcdef0123456789abcdef"}) {
            TestApi.Response response = post("/attribution/events", body, key, Map.of());

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(response.json().get("error").asText()).isEqualTo("unauthorized");
        }
        assertThat(post("/attribution/identify", "{\"cref\":\"x\",\"userId\":\"u\"}", "wrong", Map.of())
                        .status())
                .isEqualTo(401);
    }

    @Test
    void bodyProgramIdOverridesTheDefaultProgram() {
        String other = seeds.program(TestApi.unique("other-"), "first_click");
        Ledger.Partner partner = seeds.partner(other);
        String cref = seeds.click(other, partner, NOW.minus(Duration.ofDays(1)));
        String user = TestApi.unique("user-");
        identify("{\"cref\":\"%s\",\"userId\":\"%s\"}".formatted(cref, user)).expect(201);

        JsonNode answer = event("{\"programId\":\"%s\",\"userId\":\"%s\",\"type\":\"signup\"}".formatted(other, user))
                .expect(201)
                .json();

        assertThat(answer.at("/attribution/model").asText()).isEqualTo("first_click");
        assertThat(answer.at("/attribution/touches/0/clickId").asText()).isEqualTo(cref);
    }

    @Test
    void withoutADefaultProgramAnAdminKeyMustNameOne() {
        try (TestApi bare = TestApi.start()) {
            TestApi.Response response = bare.send(
                    "POST", "/attribution/events", "{\"userId\":\"u\",\"type\":\"signup\"}", TestApi.ADMIN_KEY);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.json().get("error").asText()).isEqualTo("invalid_body");
            assertThat(response.errorFields()).containsExactly("programId");
        }
        try (TestApi misconfigured = TestApi.start(Map.of("COMPAT_DEFAULT_PROGRAM", "no-such-program"))) {
            TestApi.Response response = misconfigured.send(
                    "POST", "/attribution/events", "{\"userId\":\"u\",\"type\":\"signup\"}", TestApi.ADMIN_KEY);

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.json().get("error").asText()).isEqualTo("program_not_found");
        }
    }
}
