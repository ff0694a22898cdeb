package clickledger.api.auth;

import static clickledger.db.jooq.Tables.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** api_key.last_used_at is kept from memory in batches, never written per request. */
class ApiKeyUsageTest {
    private static TestApi api;
    private static String programId;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        programId = api.createProgram();
        // Counts UPDATE statements on api_key, however many rows each touches: the one witness of
        // "no write per request" that does not depend on the statistics collector's timing.
        api.dsl()
                .execute(
                        """
                        create table api_key_update_count (statements integer not null);
                        insert into api_key_update_count values (0);
                        create function count_api_key_update() returns trigger language plpgsql as $$
                        begin
                            update api_key_update_count set statements = statements + 1;
                            return null;
                        end;
                        $$;
                        create trigger api_key_update_counter after update on api_key
                            for each statement execute function count_api_key_update();""");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @BeforeEach
    void flushEarlierUses() {
        api.app().keyUsage().flush();
    }

    private static int updateStatements() {
        return api.dsl()
                .fetchSingle("select statements from api_key_update_count")
                .get(0, Integer.class);
    }

    private static OffsetDateTime storedLastUse(String id) {
        return api.dsl()
                .select(API_KEY.LAST_USED_AT)
                .from(API_KEY)
                .where(API_KEY.ID.eq(Keys.uuid(id)))
                .fetchSingle(API_KEY.LAST_USED_AT);
    }

    @Test
    void requestsDoNotWriteTheKeyAndTheFlushWritesItsLastUseOnce() {
        JsonNode created = Keys.create(api, "secret", programId, null);
        String id = created.get("id").asText();
        int before = updateStatements();

        for (int i = 0; i < 25; i++) {
            api.send(
                            "GET",
                            "/v1/programs/" + programId,
                            null,
                            created.get("key").asText())
                    .expect(200);
        }

        assertThat(updateStatements()).isEqualTo(before);
        assertThat(storedLastUse(id)).isNull();
        Instant shown = Instant.parse(api.get("/v1/api-keys/" + id)
                .expect(200)
                .json()
                .get("lastUsedAt")
                .asText());
        assertThat(shown).isAfter(Instant.parse(created.get("createdAt").asText()));

        assertThat(api.app().keyUsage().flush()).isEqualTo(1);

        assertThat(updateStatements()).isEqualTo(before + 1);
        assertThat(storedLastUse(id).toInstant()).isEqualTo(shown);
        assertThat(api.app().keyUsage().flush()).isZero();
        assertThat(updateStatements()).isEqualTo(before + 1);
    }

    @Test
    void oneStatementWritesEveryKeyUsedSinceTheLastFlush() {
        String[] ids = new String[3];
        for (int i = 0; i < ids.length; i++) {
            JsonNode created = Keys.create(api, "admin", null, null);
            ids[i] = created.get("id").asText();
            api.send("GET", "/v1/programs", null, created.get("key").asText()).expect(200);
        }
        int before = updateStatements();

        assertThat(api.app().keyUsage().flush()).isEqualTo(3);

        assertThat(updateStatements()).isEqualTo(before + 1);
        for (String id : ids) {
            assertThat(storedLastUse(id)).isNotNull();
        }
    }

    @Test
    void anOlderUseNeverOverwritesANewerOne() {
        JsonNode created = Keys.create(api, "admin", null, null);
        String id = created.get("id").asText();
        OffsetDateTime newer = OffsetDateTime.of(2031, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        // As if another replica had flushed a later use already.
        api.dsl()
                .update(API_KEY)
                .set(API_KEY.LAST_USED_AT, newer)
                .where(API_KEY.ID.eq(Keys.uuid(id)))
                .execute();
        api.send("GET", "/v1/programs", null, created.get("key").asText()).expect(200);

        assertThat(api.app().keyUsage().flush()).isZero();

        assertThat(storedLastUse(id)).isEqualTo(newer);
    }

    @Test
    void failedAuthenticationsAreNotUses() {
        JsonNode created = Keys.create(api, "admin", null, null);
        String key = created.get("key").asText();
        char last = key.charAt(key.length() - 1);
        api.send("GET", "/v1/programs", null, key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a'))
                .expect(401);

        assertThat(api.app().keyUsage().flush()).isZero();
        assertThat(storedLastUse(created.get("id").asText())).isNull();
    }
}
