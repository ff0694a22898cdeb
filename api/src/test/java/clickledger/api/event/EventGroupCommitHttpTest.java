package clickledger.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What {@code POST /v1/events} answers when the group commit refuses an event: a 503 with Retry-After. */
class EventGroupCommitHttpTest {
    private static TestApi api;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("EVENT_GROUP_COMMIT", "true"));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void anEventRefusedByTheGroupCommitIsA503WithRetryAfterAndIsNotRecorded() {
        String program = api.createProgram();
        String body = "{\"programId\":\"%s\",\"eventId\":\"%s\",\"userId\":\"u\",\"type\":\"signup\"}";
        api.post("/v1/events", body.formatted(program, "before")).expect(201);

        api.app().eventGroupCommit().orElseThrow().close();

        TestApi.Response refused = api.post("/v1/events", body.formatted(program, "after"));
        refused.expect(503);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.json().get("code").asText()).isEqualTo("shutting_down");
        assertThat(refused.json().get("detail").asText()).contains("not written");
        // A bad request is still answered by its check, before the queue.
        assertThat(api.post(
                                "/v1/events",
                                body.formatted(program, "bad").replace("signup\"", "signup\",\"value\":\"x\""))
                        .expect(400)
                        .errorFields())
                .containsExactly("value");
        assertThat(api.dsl()
                        .fetchOne(
                                "select count(*)::int from event where program_id = ?",
                                Ulid.parse(program).orElseThrow())
                        .get(0, Integer.class))
                .isEqualTo(1);
    }
}
