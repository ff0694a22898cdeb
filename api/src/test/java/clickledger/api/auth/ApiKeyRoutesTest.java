package clickledger.api.auth;

import static clickledger.db.jooq.Tables.API_KEY;
import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import clickledger.db.jooq.tables.records.ApiKeyRecord;
import clickledger.db.jooq.tables.records.AuditLogRecord;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApiKeyRoutesTest {
    private static final List<String> FIELDS =
            List.of("id", "kind", "name", "programId", "partnerId", "prefix", "createdAt", "lastUsedAt", "revokedAt");
    private static TestApi api;
    private static String programId;
    private static String partnerId;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        programId = api.createProgram();
        partnerId = api.createPartner();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertBadRequestNaming(TestApi.Response response, String... fields) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.errorFields()).as(response.body()).containsExactlyInAnyOrder(fields);
    }

    @Test
    void eachKindIsCreatedWithItsTagAndTheKeyIsShownOnce() {
        Map<String, String> tags = Map.of("secret", "sk", "publishable", "pk", "admin", "ak", "partner", "ptk");
        Map<String, String[]> scopes = Map.of(
                "secret", new String[] {programId, null},
                "publishable", new String[] {programId, null},
                "admin", new String[] {null, null},
                "partner", new String[] {null, partnerId});
        for (String kind : tags.keySet()) {
            String[] scope = scopes.get(kind);
            TestApi.Response response = api.post(
                            "/v1/api-keys",
                            "{\"kind\":\"%s\",\"name\":\"Checkout server\"%s%s}"
                                    .formatted(
                                            kind,
                                            scope[0] == null ? "" : ",\"programId\":\"" + scope[0] + "\"",
                                            scope[1] == null ? "" : ",\"partnerId\":\"" + scope[1] + "\""))
                    .expect(201);

            JsonNode created = response.json();
            String key = created.get("key").asText();
            String id = created.get("id").asText();
            assertThat(key).matches("ck_" + tags.get(kind) + "_[0-9A-Za-z]{12}_[0-9A-Za-z]{32}");
            assertThat(created.get("prefix").asText()).isEqualTo(key.substring(0, key.lastIndexOf('_')));
            assertThat(fieldNames(created)).containsExactlyInAnyOrderElementsOf(concat("key", FIELDS));
            assertThat(created.get("kind").asText()).isEqualTo(kind);
            assertThat(created.get("name").asText()).isEqualTo("Checkout server");
            assertThat(created.get("programId").isNull()).isEqualTo(scope[0] == null);
            assertThat(created.get("partnerId").isNull()).isEqualTo(scope[1] == null);
            assertThat(created.get("createdAt").asText()).startsWith("2030-01-15T");
            assertThat(created.get("lastUsedAt").isNull()).isTrue();
            assertThat(created.get("revokedAt").isNull()).isTrue();
            assertThat(response.header("Location")).isEqualTo("/v1/api-keys/" + id);
            assertThat(response.header("Cache-Control")).isEqualTo("no-store");

            TestApi.Response again = api.get("/v1/api-keys/" + id).expect(200);
            assertThat(fieldNames(again.json())).containsExactlyInAnyOrderElementsOf(FIELDS);
            assertThat(again.body()).doesNotContain(key.substring(key.lastIndexOf('_') + 1));
            TestApi.Response list = api.get("/v1/api-keys?limit=200").expect(200);
            assertThat(list.body()).contains(id).doesNotContain(key.substring(key.lastIndexOf('_') + 1));
            list.json().get("items").forEach(item -> assertThat(item.has("key")).isFalse());
        }
    }

    @Test
    void eachKindAuthenticates() {
        String secret = Keys.key(api, "secret", programId, null);
        String publishable = Keys.key(api, "publishable", programId, null);
        String admin = Keys.key(api, "admin", null, null);
        String partner = Keys.key(api, "partner", null, partnerId);

        assertThat(api.send("GET", "/v1/programs/" + programId, null, secret).status())
                .isEqualTo(200);
        assertThat(api.send("GET", "/v1/partners", null, admin).status()).isEqualTo(200);
        assertThat(api.send("GET", "/v1/me", null, partner).status()).isEqualTo(200);
        // Known but not allowed here: 403, where an unknown key would get 401.
        assertThat(api.send("GET", "/v1/programs", null, publishable).status()).isEqualTo(403);
        assertThat(api.send("GET", "/v1/programs", null, partner).status()).isEqualTo(403);
    }

    @Test
    void storedHashIsTheSha256OfTheWholeKeyAndNothingStoresTheKey() throws Exception {
        JsonNode created = Keys.create(api, "secret", programId, null);
        String key = created.get("key").asText();

        ApiKeyRecord row = api.dsl()
                .selectFrom(API_KEY)
                .where(API_KEY.ID.eq(Keys.uuid(created.get("id").asText())))
                .fetchSingle();

        byte[] expected = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        assertThat(row.getHash()).isEqualTo(expected);
        assertThat(new String(row.getHash(), StandardCharsets.ISO_8859_1)).doesNotContain(key);
        assertThat(row.getPrefix()).isEqualTo(created.get("prefix").asText());
        String secretPart = key.substring(key.lastIndexOf('_') + 1);
        for (Object value : row.intoArray()) {
            assertThat(String.valueOf(value)).doesNotContain(secretPart);
        }
    }

    @Test
    void keyIsFoundByItsPrefixAndOnlyTheWholeKeyAuthenticates() {
        String key = Keys.key(api, "admin", null, null);
        String prefix = key.substring(0, key.lastIndexOf('_'));
        char last = key.charAt(key.length() - 1);
        String oneCharacterOff = key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a');

        assertThat(ApiKeyFormat.prefixOf(key)).isEqualTo(prefix);
        assertThat(api.send("GET", "/v1/programs", null, key).status()).isEqualTo(200);
        // This failed with a 200 whenever the key ended in "A" (one key in 62): Jetty's header
        // cache handed the "a" copy over as the previous request's header (see the test below).
        TestApi.Response off = api.send("GET", "/v1/programs", null, oneCharacterOff);
        assertThat(off.status())
                .as("key %s, one character off %s, answer %s", key, oneCharacterOff, off.body())
                .isEqualTo(401);
        assertThat(api.send("GET", "/v1/programs", null, prefix).status()).isEqualTo(401);
        assertThat(api.send("GET", "/v1/programs", null, key + "x").status()).isEqualTo(401);
        assertThat(api.send("GET", "/v1/programs", null, key.replace("ck_ak_", "ck_sk_"))
                        .status())
                .isEqualTo(401);
    }

    /**
     * A key whose letters differ from a valid key's only in case, sent on the connection that just
     * carried the valid one: Jetty's per-connection header cache, case-insensitive by default,
     * used to hand the handler the cached valid header instead, and the copy authenticated.
     */
    @Test
    void keyDifferingOnlyInCaseIsRefusedOnTheConnectionThatCarriedTheKey() throws IOException {
        String key = Keys.key(api, "admin", null, null);
        int secretStart = key.lastIndexOf('_') + 1;
        int letter = secretStart;
        while (!Character.isLetter(key.charAt(letter))) {
            letter++;
        }
        char c = key.charAt(letter);
        String caseFlipped = key.substring(0, letter)
                + (Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c))
                + key.substring(letter + 1);

        assertThat(statusesOnOneConnection(key, caseFlipped, key, caseFlipped.toLowerCase(Locale.ROOT), key))
                .containsExactly(200, 401, 200, 401, 200);
    }

    /** GET /v1/programs once per key, all on one keep-alive connection, in order. */
    private static List<Integer> statusesOnOneConnection(String... keys) throws IOException {
        List<Integer> statuses = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", URI.create(api.url("/")).getPort())) {
            socket.setSoTimeout(30_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            for (String key : keys) {
                socket.getOutputStream()
                        .write(("GET /v1/programs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                                        + "\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                String status = in.readLine();
                statuses.add(Integer.parseInt(status.split(" ")[1]));
                int length = -1;
                for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                    if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                assertThat(length)
                        .as("a Content-Length keeps the connection usable")
                        .isNotNegative();
                assertThat(in.skip(length)).isEqualTo(length);
            }
        }
        return statuses;
    }

    @Test
    void revokedKeyGets401OnItsNextRequest() {
        JsonNode created = Keys.create(api, "admin", null, null);
        String key = created.get("key").asText();
        String id = created.get("id").asText();
        api.send("GET", "/v1/programs", null, key).expect(200);

        JsonNode revoked =
                api.post("/v1/api-keys/" + id + "/revoke", null).expect(200).json();

        assertThat(revoked.get("revokedAt").asText()).startsWith("2030-01-15T");
        TestApi.Response refused = api.send("GET", "/v1/programs", null, key);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(api.get("/v1/api-keys/" + id)
                        .expect(200)
                        .json()
                        .get("revokedAt")
                        .asText())
                .isEqualTo(revoked.get("revokedAt").asText());
    }

    @Test
    void deleteRevokesToo() {
        JsonNode created = Keys.create(api, "secret", programId, null);
        String key = created.get("key").asText();
        api.send("GET", "/v1/programs", null, key).expect(200);

        api.send("DELETE", "/v1/api-keys/" + created.get("id").asText(), null, TestApi.ADMIN_KEY)
                .expect(200);

        assertThat(api.send("GET", "/v1/programs", null, key).status()).isEqualTo(401);
    }

    @Test
    void keyRevokedThroughAnotherReplicaStopsWorkingWithinASecond() throws InterruptedException {
        JsonNode created = Keys.create(api, "admin", null, null);
        String key = created.get("key").asText();
        api.send("GET", "/v1/programs", null, key).expect(200);

        // As another api process would: the row changes, this process's cache is not told.
        api.dsl()
                .update(API_KEY)
                .set(API_KEY.REVOKED_AT, OffsetDateTime.now())
                .where(API_KEY.ID.eq(Keys.uuid(created.get("id").asText())))
                .execute();
        long revokedAt = System.nanoTime();
        while (true) {
            long sentAt = System.nanoTime();
            int status = api.send("GET", "/v1/programs", null, key).status();
            if (status == 401) {
                break;
            }
            // The cached row was read before the revoke, so any request sent a TTL after it must miss.
            assertThat(status).isEqualTo(200);
            assertThat(Duration.ofNanos(sentAt - revokedAt)).isLessThan(ApiKeyAuthenticator.CACHE_TTL);
            Thread.sleep(20);
        }

        assertThat(api.send("GET", "/v1/programs", null, key).status()).isEqualTo(401);
    }

    @Test
    void createAndRevokeAreAuditedWithThePrefixButNeverTheKey() {
        JsonNode created = Keys.create(api, "partner", programId, partnerId);
        String id = created.get("id").asText();
        api.post("/v1/api-keys/" + id + "/revoke", null).expect(200);
        api.post("/v1/api-keys/" + id + "/revoke", null).expect(200);

        List<AuditLogRecord> entries = api.dsl()
                .selectFrom(AUDIT_LOG)
                .where(AUDIT_LOG.ENTITY.eq("api_key"))
                .and(AUDIT_LOG.ENTITY_ID.eq(id))
                .orderBy(AUDIT_LOG.ID)
                .fetch();

        assertThat(entries).extracting(AuditLogRecord::getAction).containsExactly("api_key.created", "api_key.revoked");
        assertThat(entries).extracting(AuditLogRecord::getActor).containsOnly("admin_key:env");
        String key = created.get("key").asText();
        for (AuditLogRecord entry : entries) {
            String details = entry.getDetails().data();
            assertThat(details).contains(created.get("prefix").asText()).contains(partnerId);
            assertThat(details).doesNotContain(key.substring(key.lastIndexOf('_') + 1));
        }
    }

    @Test
    void actorOfAKeyMadeWithAnAdminKeyRowIsThatKeysId() {
        JsonNode admin = Keys.create(api, "admin", null, null);

        String id = api.send(
                        "POST",
                        "/v1/api-keys",
                        "{\"kind\":\"secret\",\"name\":\"By a key\",\"programId\":\"" + programId + "\"}",
                        admin.get("key").asText())
                .expect(201)
                .json()
                .get("id")
                .asText();

        assertThat(api.dsl()
                        .select(AUDIT_LOG.ACTOR)
                        .from(AUDIT_LOG)
                        .where(AUDIT_LOG.ENTITY_ID.eq(id))
                        .fetchSingle(AUDIT_LOG.ACTOR))
                .isEqualTo("api_key:" + admin.get("id").asText());
    }

    @Test
    void listIsPaginatedNewestFirstAndFilters() {
        String program = api.createProgram();
        String first = Keys.create(api, "secret", program, null).get("id").asText();
        String second = Keys.create(api, "publishable", program, null).get("id").asText();
        String third = Keys.create(api, "secret", program, null).get("id").asText();

        JsonNode page = api.get("/v1/api-keys?programId=" + program + "&limit=2")
                .expect(200)
                .json();
        JsonNode rest = api.get("/v1/api-keys?programId=" + program + "&limit=2&cursor="
                        + page.get("nextCursor").asText())
                .expect(200)
                .json();
        JsonNode secrets = api.get("/v1/api-keys?programId=" + program + "&kind=secret")
                .expect(200)
                .json();

        assertThat(page.get("items"))
                .extracting(item -> item.get("id").asText())
                .containsExactly(third, second);
        assertThat(rest.get("items"))
                .extracting(item -> item.get("id").asText())
                .containsExactly(first);
        assertThat(rest.get("nextCursor").isNull()).isTrue();
        assertThat(secrets.get("items"))
                .extracting(item -> item.get("id").asText())
                .containsExactly(third, first);
        assertThat(api.get("/v1/api-keys?partnerId=" + partnerId)
                        .expect(200)
                        .json()
                        .get("items"))
                .allSatisfy(item -> assertThat(item.get("partnerId").asText()).isEqualTo(partnerId));
    }

    @Test
    void unknownKeyIdIs404AndMalformedOneIs400() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        assertThat(api.get("/v1/api-keys/" + unknown).status()).isEqualTo(404);
        assertThat(api.post("/v1/api-keys/" + unknown + "/revoke", null).status())
                .isEqualTo(404);
        assertBadRequestNaming(api.get("/v1/api-keys/nope"), "id");
        assertBadRequestNaming(api.get("/v1/api-keys?kind=root"), "kind");
    }

    @Test
    void unknownOrMissingKindIs400NamingKind() {
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"root\",\"name\":\"x\"}"), "kind");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"name\":\"x\"}"), "kind");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":7,\"name\":\"x\"}"), "kind");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"SECRET\",\"name\":\"x\"}"), "kind");
    }

    @Test
    void scopeFieldsMustFitTheKind() {
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"secret\",\"name\":\"x\"}"), "programId");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"publishable\",\"name\":\"x\"}"), "programId");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"partner\",\"name\":\"x\"}"), "partnerId");
        assertBadRequestNaming(
                api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"secret\",\"name\":\"x\",\"programId\":\"%s\",\"partnerId\":\"%s\"}"
                                .formatted(programId, partnerId)),
                "partnerId");
        assertBadRequestNaming(
                api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"admin\",\"name\":\"x\",\"programId\":\"%s\",\"partnerId\":\"%s\"}"
                                .formatted(programId, partnerId)),
                "programId",
                "partnerId");
    }

    @Test
    void unknownProgramOrPartnerIs400NamingTheField() {
        String unknown = Ulid.encode(Ulid.newUuidV7(System.currentTimeMillis()));

        assertBadRequestNaming(
                api.post("/v1/api-keys", "{\"kind\":\"secret\",\"name\":\"x\",\"programId\":\"" + unknown + "\"}"),
                "programId");
        assertBadRequestNaming(
                api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"partner\",\"name\":\"x\",\"programId\":\"%s\",\"partnerId\":\"%s\"}"
                                .formatted(unknown, unknown)),
                "programId",
                "partnerId");
        assertBadRequestNaming(
                api.post("/v1/api-keys", "{\"kind\":\"secret\",\"name\":\"x\",\"programId\":\"nope\"}"), "programId");
    }

    @Test
    void hugeOrMissingNameAndUnknownFieldsAre400NamingTheField() {
        assertBadRequestNaming(
                api.post("/v1/api-keys", "{\"kind\":\"admin\",\"name\":\"" + "n".repeat(100_000) + "\"}"), "name");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"admin\"}"), "name");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"admin\",\"name\":\"  \"}"), "name");
        assertBadRequestNaming(api.post("/v1/api-keys", "{\"kind\":\"admin\",\"name\":\"x\",\"key\":\"mine\"}"), "key");
        assertBadRequestNaming(
                api.post("/v1/api-keys", "{\"kind\":\"admin\",\"name\":\"x\",\"revokedAt\":null}"), "revokedAt");
        assertBadRequestNaming(api.post("/v1/api-keys", "[]"), "body");
        assertThat(api.dsl().fetchCount(API_KEY, API_KEY.NAME.eq("x"))).isZero();
    }

    @Test
    void revokedPartnerGetsNoNewKey() {
        String revoked = api.createPartner();
        api.post("/v1/partners/" + revoked + "/revoke", null).expect(200);

        TestApi.Response response =
                api.post("/v1/api-keys", "{\"kind\":\"partner\",\"name\":\"x\",\"partnerId\":\"" + revoked + "\"}");

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("code").asText()).isEqualTo("partner_revoked");
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(rest);
        all.addFirst(first);
        return all;
    }
}
