package clickledger.api.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /v1/users/{userId}?programId=}: the user's id and personal fields are gone from
 * every table, the money is exactly what it was (stored and re-derived), and the audit trail says
 * who erased whom by pseudonym only.
 */
class ErasureTest {
    private static final String USER = "alice.o'hara+shop@example.com";
    private static TestApi api;
    private static Ledger ledger;
    private static String programId;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("WEBHOOK_WORKER_ENABLED", "false", "WEBHOOK_ALLOW_PRIVATE", "true"));
        ledger = new Ledger(api);
        programId = ledger.program("EUR", "linear", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        // A queued webhook carries the user id in its payload until erasure.
        api.post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/hooks\",\"eventTypes\":[\"conversion.created\"]}")
                .expect(201);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void erasingAUserKeepsEveryAmountAndLeavesNoTraceOfTheId() {
        Ledger.Partner ada = ledger.partner(programId);
        Ledger.Partner grace = ledger.partner(programId);
        Instant now = api.clock().instant();
        String first = ledger.click(programId, ada, now.minusSeconds(7200));
        String second = ledger.click(programId, grace, now.minusSeconds(3600));
        api.dsl().execute("update click set user_agent = 'Mozilla/5.0 (Alice)', ip_hash = '\\x01'::bytea");
        ledger.identify(first, USER).expect(201);
        ledger.identify(second, USER).expect(201);
        api.post(
                        "/v1/events",
                        """
                        {"programId":"%s","eventId":"inv-77","userId":"%s","type":"purchase","value":"100.01",
                         "metadata":{"email":"%s","address":"1 Main St"}}"""
                                .formatted(programId, USER, USER))
                .expect(201);
        api.post(
                        "/v1/events",
                        """
                        {"programId":"%s","eventId":"ref-77","userId":"%s","type":"refund","refundOf":"inv-77","value":"30.00"}"""
                                .formatted(programId, USER))
                .expect(201);
        // As the click rollup notes a visitor of the day (issue 17's click_visitor).
        api.dsl()
                .execute(
                        "insert into click_visitor (day, entity, ip_hash)"
                                + " values (current_date, cast(? as uuid), '\\x01'::bytea) on conflict do nothing",
                        clickledger.common.id.Ulid.parse(programId)
                                .orElseThrow()
                                .toString());
        List<String> moneyBefore = money();
        String statsBefore = stats();

        TestApi.Response erased = api.send("DELETE", path(USER, programId), null, TestApi.ADMIN_KEY)
                .expect(200);

        assertThat(erased.json().get("events").asInt()).isEqualTo(2);
        assertThat(erased.json().get("identities").asInt()).isEqualTo(2);
        assertThat(erased.json().get("clicks").asInt()).isEqualTo(2);
        assertThat(erased.json().get("webhookDeliveries").asInt()).isPositive();
        String pseudonym = erased.json().get("pseudonym").asText();
        assertThat(pseudonym).startsWith("erased-");
        assertThat(tablesMentioning("alice")).isEmpty();
        assertThat(tablesMentioning("1 Main St")).isEmpty();
        assertThat(tablesMentioning("Mozilla/5.0 (Alice)")).isEmpty();
        assertThat(api.dsl().fetchValue("select count(*) from click_visitor where ip_hash = '\\x01'::bytea"))
                .isEqualTo(0L);
        assertThat(money()).isEqualTo(moneyBefore);
        assertThat(stats()).isEqualTo(statsBefore);
        // Re-deriving finds the same touches through the pseudonymous identities: nothing moves.
        TestApi.Response dryRun = api.post("/v1/attribution/rederive", "{\"programId\":\"%s\"}".formatted(programId))
                .expect(200);
        assertThat(dryRun.json().get("changed")).isEmpty();
        assertThat(dryRun.json().get("removed")).isEmpty();
        assertThat(dryRun.json().get("added")).isEmpty();
        Record audit = api.dsl().fetchOne("select actor, details::text from audit_log where action = 'user.erased'");
        assertThat(audit.get(0, String.class)).isEqualTo("admin_key:env");
        assertThat(audit.get(1, String.class)).contains(pseudonym).doesNotContain("alice");

        api.send("DELETE", path(USER, programId), null, TestApi.ADMIN_KEY).expect(404);
    }

    @Test
    void erasureNeedsAnAdminKeyAProgramAndAKnownUser() {
        String secret = api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"secret\",\"programId\":\"%s\",\"name\":\"s\"}".formatted(programId))
                .expect(201)
                .json()
                .get("key")
                .asText();
        api.send("DELETE", path("bob", programId), null, secret).expect(403);
        api.send("DELETE", path("bob", programId), null, null).expect(401);
        assertThat(api.send("DELETE", "/v1/users/bob", null, TestApi.ADMIN_KEY)
                        .expect(400)
                        .errorFields())
                .containsExactly("programId");
        assertThat(api.send("DELETE", path("x".repeat(201), programId), null, TestApi.ADMIN_KEY)
                        .expect(400)
                        .errorFields())
                .containsExactly("userId");
        api.send("DELETE", path("bob", "01JZZZZZZZZZZZZZZZZZZZZZZZ"), null, TestApi.ADMIN_KEY)
                .expect(404);
        api.send("DELETE", path("nobody-here", programId), null, TestApi.ADMIN_KEY)
                .expect(404);
    }

    private static String path(String userId, String program) {
        return "/v1/users/" + URLEncoder.encode(userId, StandardCharsets.UTF_8).replace("+", "%20") + "?programId="
                + program;
    }

    /** Every table (and row) whose text holds {@code needle}, case-insensitively. */
    private static List<String> tablesMentioning(String needle) {
        return api
                .dsl()
                .fetch("select table_name from information_schema.tables where table_schema = current_schema()"
                        + " and table_type = 'BASE TABLE' and table_name <> 'flyway_schema_history'")
                .getValues(0, String.class)
                .stream()
                .filter(table -> api.dsl()
                        .fetchExists(api.dsl()
                                .selectOne()
                                .from("\"" + table + "\" t")
                                .where("t::text ilike ?", "%" + needle + "%")))
                .toList();
    }

    private static List<String> money() {
        return api.dsl()
                .fetch("select partner_id::text || ' ' || kind || ' ' || status || ' ' || amount_minor from commission"
                        + " order by id")
                .getValues(0, String.class);
    }

    private static String stats() {
        return api.get("/v1/stats?programId=" + programId + "&groupBy=partner")
                .expect(200)
                .body();
    }
}
