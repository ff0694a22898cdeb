package clickledger.api.event;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventLifecycleTest {
    private static final Instant NOW = TestApi.START;
    private static TestApi api;
    private static Ledger ledger;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        ledger = new Ledger(api);
    }

    @AfterAll
    static void stop() {
        // Also checks that the flows left no row pointing at a missing one (V70).
        ledger.close();
    }

    record Setup(String program, Ledger.Partner partner, String user) {}

    private static Setup purchaser(String rules) {
        return purchaser(rules, Duration.ofDays(2));
    }

    private static Setup purchaser(String rules, Duration clickedAgo) {
        String program = ledger.program("USD", "last_click", rules);
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, partner, NOW.minus(clickedAgo)), user)
                .expect(201);
        return new Setup(program, partner, user);
    }

    private static TestApi.Response refund(Setup setup, String refundId, String originalId, String value) {
        String valueField = value == null ? "" : ",\"value\":\"" + value + "\"";
        return api.post(
                "/v1/events",
                """
                {"programId":"%s","eventId":"%s","userId":"%s","type":"refund","refundOf":"%s"%s}"""
                        .formatted(setup.program(), refundId, setup.user(), originalId, valueField));
    }

    private static long liveTotal(String originalEventKey) {
        Long sum = api.dsl()
                .select(org.jooq.impl.DSL.sum(COMMISSION.AMOUNT_MINOR).cast(Long.class))
                .from(COMMISSION)
                .join(EVENT)
                .on(EVENT.ID.eq(COMMISSION.EVENT_ID))
                .where(EVENT.EVENT_KEY
                        .eq(originalEventKey)
                        .or(EVENT.REFUND_OF.in(
                                api.dsl().select(EVENT.ID).from(EVENT).where(EVENT.EVENT_KEY.eq(originalEventKey)))))
                .and(COMMISSION.STATUS.notIn("rejected", "reversed"))
                .fetchOne(0, Long.class);
        return sum == null ? 0 : sum;
    }

    @Test
    void sameEventIdWithTheSameBodyReturnsTheIdenticalResult() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        String body =
                """
                {"programId":"%s","eventId":"inv_1001","userId":"%s","type":"purchase","value":"49.00","currency":"USD","ts":"%s"}"""
                        .formatted(setup.program(), setup.user(), NOW.minusSeconds(60));
        TestApi.Response first = api.post("/v1/events", body).expect(201);
        TestApi.Response again = api.post("/v1/events", body).expect(200);
        assertThat(again.json()).isEqualTo(first.json());
        // The same meaning in another form (a number instead of a string) is the same event.
        String asNumber = body.replace("\"49.00\"", "49");
        assertThat(api.post("/v1/events", asNumber).expect(200).json()).isEqualTo(first.json());
        assertThat(api.dsl()
                        .fetchCount(
                                COMMISSION,
                                COMMISSION.EVENT_ID.eq(
                                        Ulid.parse(first.json().get("id").asText())
                                                .orElseThrow())))
                .isEqualTo(1);
    }

    @Test
    void sameEventIdWithADifferentBodyIsAConflict() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        ledger.event(setup.program(), "inv_2002", setup.user(), "49.00", NOW.minusSeconds(5))
                .expect(201);
        TestApi.Response conflict =
                ledger.event(setup.program(), "inv_2002", setup.user(), "50.00", NOW.minusSeconds(5));
        conflict.expect(409);
        assertThat(conflict.json().get("code").asText()).isEqualTo("event_id_reused");
    }

    @Test
    void fullRefundReversesUnpaidCommissions() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        ledger.event(setup.program(), "order-full", setup.user(), "80.00", NOW.minusSeconds(30))
                .expect(201);
        JsonNode refund =
                refund(setup, "refund-full", "order-full", null).expect(201).json();
        assertThat(refund.at("/attribution/status").asText()).isEqualTo("refund");
        assertThat(refund.get("value").asText()).isEqualTo("80.00");
        assertThat(refund.at("/commissions/0/amount").asText()).isEqualTo("-8.00");
        JsonNode original =
                api.get("/v1/commissions?eventId=order-full").expect(200).json();
        assertThat(original.at("/items/0/status").asText()).isEqualTo("reversed");
        assertThat(liveTotal("order-full")).isZero();
        assertThat(refund(setup, "refund-again", "order-full", "1.00").status()).isEqualTo(409);
    }

    @Test
    void partialRefundsReverseTheirShareAndNeverMoreThanTheWhole() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        ledger.event(setup.program(), "order-part", setup.user(), "99.99", NOW.minusSeconds(30))
                .expect(201);
        // Commission 10.00 (9.999 rounded half-even). Refund a third, then another third.
        assertThat(refund(setup, "r1", "order-part", "33.33")
                        .expect(201)
                        .json()
                        .at("/commissions/0/amount")
                        .asText())
                .isEqualTo("-3.33");
        assertThat(liveTotal("order-part")).isEqualTo(667);
        refund(setup, "r2", "order-part", "33.33").expect(201);
        assertThat(liveTotal("order-part")).isEqualTo(333);
        TestApi.Response tooMuch = refund(setup, "r3", "order-part", "33.34");
        tooMuch.expect(409);
        assertThat(tooMuch.json().get("code").asText()).isEqualTo("refund_exceeds_value");
        refund(setup, "r4", "order-part", "33.33").expect(201);
        assertThat(liveTotal("order-part")).isZero();
    }

    @Test
    void refundAfterPayoutBecomesANegativeAdjustmentForTheNextPayout() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        ledger.event(setup.program(), "order-paid", setup.user(), "50.00", NOW.minusSeconds(30))
                .expect(201);
        api.dsl()
                .update(COMMISSION)
                .set(COMMISSION.STATUS, "paid")
                .where(COMMISSION.EVENT_ID.in(
                        api.dsl().select(EVENT.ID).from(EVENT).where(EVENT.EVENT_KEY.eq("order-paid"))))
                .execute();
        JsonNode refund =
                refund(setup, "refund-paid", "order-paid", "20.00").expect(201).json();
        assertThat(refund.at("/commissions/0/amount").asText()).isEqualTo("-2.00");
        assertThat(refund.at("/commissions/0/status").asText()).isEqualTo("approved");
        assertThat(refund.at("/commissions/0/kind").asText()).isEqualTo("reversal");
        JsonNode paid =
                api.get("/v1/commissions?eventId=order-paid").expect(200).json();
        assertThat(paid.at("/items/0/status").asText())
                .as("paid is never rewritten")
                .isEqualTo("paid");
        assertThat(paid.at("/items/0/amount").asText()).isEqualTo("5.00");
    }

    @Test
    void rederivationShowsADiffOnDryRunAndAppliesItOnlyWhenAsked() {
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner early = ledger.partner(program);
        Ledger.Partner late = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, early, NOW.minus(Duration.ofDays(5))), user)
                .expect(201);
        ledger.identify(ledger.click(program, late, NOW.minus(Duration.ofDays(1))), user)
                .expect(201);
        ledger.event(program, TestApi.unique("o-"), user, "100.00", NOW.minusSeconds(10))
                .expect(201);

        String dryRun = "{\"programId\":\"%s\",\"model\":\"linear\"}".formatted(program);
        JsonNode diff = api.post("/v1/attribution/rederive", dryRun).expect(200).json();
        assertThat(diff.get("dryRun").asBoolean()).isTrue();
        assertThat(diff.get("events").asInt()).isEqualTo(1);
        assertThat(diff.get("added")).hasSize(1);
        assertThat(diff.at("/added/0/partnerId").asText()).isEqualTo(early.id());
        assertThat(diff.at("/added/0/after").asText()).isEqualTo("5.00");
        assertThat(diff.get("changed")).hasSize(1);
        assertThat(diff.at("/changed/0/before").asText()).isEqualTo("10.00");
        assertThat(diff.at("/changed/0/after").asText()).isEqualTo("5.00");
        assertThat(api.get("/v1/commissions?programId=" + program).json().get("items"))
                .as("dry run changed nothing")
                .hasSize(1);
        assertThat(api.get("/v1/programs/" + program)
                        .json()
                        .get("attributionModel")
                        .asText())
                .isEqualTo("last_click");

        JsonNode applied = api.post("/v1/attribution/rederive", dryRun.replace("}", ",\"dryRun\":false}"))
                .expect(200)
                .json();
        assertThat(applied.get("partners")).hasSize(2);
        assertThat(api.get("/v1/commissions?programId=" + program).json().get("items"))
                .hasSize(2);
        assertThat(api.get("/v1/programs/" + program)
                        .json()
                        .get("attributionModel")
                        .asText())
                .isEqualTo("linear");
        JsonNode noop = api.post("/v1/attribution/rederive", "{\"programId\":\"%s\"}".formatted(program))
                .expect(200)
                .json();
        assertThat(noop.get("added")).isEmpty();
        assertThat(noop.get("changed")).isEmpty();
        assertThat(noop.get("removed")).isEmpty();
    }

    @Test
    void rederivationNeverRewritesPaidCommissionsButAdjustsThem() {
        String program = ledger.program("USD", "last_click", "[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Ledger.Partner partner = ledger.partner(program);
        String user = TestApi.unique("user-");
        ledger.identify(ledger.click(program, partner, NOW.minus(Duration.ofDays(1))), user)
                .expect(201);
        ledger.event(program, "order-adj", user, "100.00", NOW.minusSeconds(10)).expect(201);
        api.dsl()
                .update(COMMISSION)
                .set(COMMISSION.STATUS, "paid")
                .where(COMMISSION.PROGRAM_ID.eq(Ulid.parse(program).orElseThrow()))
                .execute();
        api.patch("/v1/programs/" + program, "{\"commissionRules\":[{\"kind\":\"percent\",\"amount\":\"15\"}]}")
                .expect(200);
        api.post("/v1/attribution/rederive", "{\"programId\":\"%s\",\"dryRun\":false}".formatted(program))
                .expect(200);
        // A second re-derivation finds nothing left to adjust.
        api.post("/v1/attribution/rederive", "{\"programId\":\"%s\",\"dryRun\":false}".formatted(program))
                .expect(200);
        JsonNode rows = api.get("/v1/commissions?programId=" + program)
                .expect(200)
                .json()
                .get("items");
        List<String> seen = new ArrayList<>();
        rows.forEach(r -> seen.add(r.get("kind").asText() + ":"
                + r.get("status").asText() + ":" + r.get("amount").asText()));
        assertThat(seen).containsExactlyInAnyOrder("commission:paid:10.00", "adjustment:approved:5.00");
    }

    @Test
    void anOlderEventArrivingLateDoesNotBecomeASecondFirstConversion() {
        Setup setup = purchaser("[{\"trigger\":\"first\",\"kind\":\"fixed\",\"amount\":\"10.00\"}]");
        JsonNode later = ledger.event(
                        setup.program(), TestApi.unique("o-"), setup.user(), "10.00", NOW.minusSeconds(10))
                .expect(201)
                .json();
        JsonNode older = ledger.event(
                        setup.program(), TestApi.unique("o-"), setup.user(), "10.00", NOW.minusSeconds(3_600))
                .expect(201)
                .json();
        assertThat(later.get("commissions")).hasSize(1);
        assertThat(older.get("commissions")).isEmpty();
    }

    @Test
    void identicalEventsRacingMakeOneEventAndOneSetOfCommissions() throws Exception {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        String body =
                """
                {"programId":"%s","eventId":"race-1","userId":"%s","type":"purchase","value":"10.00","ts":"%s"}"""
                        .formatted(setup.program(), setup.user(), NOW.minusSeconds(5));
        List<Integer> statuses = parallel(16, () -> api.post("/v1/events", body).status());
        assertThat(statuses).containsOnly(200, 201);
        assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(1);
        assertThat(api.dsl().fetchCount(EVENT, EVENT.EVENT_KEY.eq("race-1"))).isEqualTo(1);
        assertThat(api.get("/v1/commissions?eventId=race-1").json().get("items"))
                .hasSize(1);
    }

    /**
     * Another user's request takes the eventId after this one read it free (the user locks do not
     * order them): this one's insert waits for that transaction, and when it commits fails with a
     * unique violation, answered from the winner's event (AttributionEngine.INSERT_EVENT has no ON
     * CONFLICT, decision 0028); when it rolls back, this one's event is written after all.
     */
    @Test
    void anEventIdTakenMeanwhileByAnotherUserIsAConflictAndWritesNothing() throws Exception {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        String eventId = TestApi.unique("taken-");
        TestApi.Response response = whileAnotherUserTakes(setup, eventId, true);
        response.expect(409);
        assertThat(response.json().get("code").asText()).isEqualTo("event_id_reused");
        assertThat(api.dsl()
                        .fetch("select user_id from event where event_key = ?", eventId)
                        .getValues(0, String.class))
                .containsExactly("another-user");
        assertThat(api.dsl()
                        .fetchCount(
                                COMMISSION,
                                COMMISSION
                                        .USER_ID
                                        .eq(setup.user())
                                        .and(COMMISSION.EVENT_ID.in(api.dsl()
                                                .select(EVENT.ID)
                                                .from(EVENT)
                                                .where(EVENT.EVENT_KEY.eq(eventId))))))
                .isZero();
        assertThat(api.get("/v1/commissions?eventId=" + eventId).json().get("items"))
                .isEmpty();
    }

    @Test
    void anEventIdFreedAgainByAnotherUsersRollbackIsWritten() throws Exception {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        String eventId = TestApi.unique("freed-");
        whileAnotherUserTakes(setup, eventId, false).expect(201);
        assertThat(api.dsl()
                        .fetch("select user_id from event where event_key = ?", eventId)
                        .getValues(0, String.class))
                .containsExactly(setup.user());
        assertThat(api.get("/v1/commissions?eventId=" + eventId).json().get("items"))
                .hasSize(1);
    }

    /**
     * Sends the setup user's event with {@code eventId} while a transaction of the test holds an
     * uncommitted event of another user with that eventId; once the api's insert waits for it, the
     * transaction commits ({@code commit}) or rolls back. Returns the api's answer.
     */
    private static TestApi.Response whileAnotherUserTakes(Setup setup, String eventId, boolean commit)
            throws Exception {
        java.util.UUID program = Ulid.parse(setup.program()).orElseThrow();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var sent = new java.util.concurrent.atomic.AtomicReference<Future<TestApi.Response>>();
            try {
                api.dsl().transaction(trx -> {
                    trx.dsl()
                            .execute(
                                    """
                                    insert into event (id, program_id, event_key, request_hash, user_id, type, value_minor,
                                                       currency, ts, attribution_status, model, created_at)
                                    values (gen_random_uuid(), ?::uuid, ?, 'another body', 'another-user', 'purchase', 1000,
                                            'USD', now(), 'no_identity', 'last_click', now())""",
                                    program,
                                    eventId);
                    sent.set(pool.submit(
                            () -> ledger.event(setup.program(), eventId, setup.user(), "10.00", NOW.minusSeconds(5))));
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    while (api.dsl()
                                    .fetchCount(
                                            org.jooq.impl.DSL.table("pg_stat_activity"),
                                            org.jooq.impl.DSL.condition(
                                                    "wait_event_type = 'Lock' and query like '%insert into event%'"))
                            == 0) {
                        assertThat(System.nanoTime())
                                .as("the api's insert waits")
                                .isLessThan(deadline);
                        assertThat(sent.get().isDone())
                                .as("the api answered before waiting")
                                .isFalse();
                        Thread.sleep(10);
                    }
                    if (!commit) {
                        throw new RolledBack();
                    }
                });
            } catch (RolledBack expected) {
                // the other user's event is gone again
            }
            return sent.get().get();
        }
    }

    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super(null, null, false, false);
        }
    }

    @Test
    void parallelEventsOfOneUserSeeAConsistentFirstConversion() throws Exception {
        Setup setup = purchaser("[{\"trigger\":\"first\",\"kind\":\"fixed\",\"amount\":\"10.00\"}]");
        List<Integer> statuses = new ArrayList<>();
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String eventId = "par-" + i;
            int age = 100 - i;
            calls.add(() -> ledger.event(setup.program(), eventId, setup.user(), "10.00", NOW.minusSeconds(age))
                    .status());
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Integer> future : pool.invokeAll(calls)) {
                statuses.add(future.get());
            }
        }
        assertThat(statuses).containsOnly(201);
        JsonNode commissions =
                api.get("/v1/commissions?programId=" + setup.program()).json().get("items");
        assertThat(commissions)
                .as("exactly one event is the user's first conversion")
                .hasSize(1);
    }

    @Test
    void adminReviewsCommissionsSinglyAndInBulkAndEveryChangeIsAudited() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonNode event = ledger.event(
                            setup.program(), TestApi.unique("rev-"), setup.user(), "10.00", NOW.minusSeconds(50 - i))
                    .expect(201)
                    .json();
            ids.add(event.at("/commissions/0/id").asText());
        }
        List<String> list = new ArrayList<>(ids);
        assertThat(api.post("/v1/commissions/" + list.get(0) + "/approve", "{}")
                        .expect(200)
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("approved");
        assertThat(api.post("/v1/commissions/" + list.get(0) + "/approve", "{}").status())
                .isEqualTo(409);
        JsonNode bulk = api.post(
                        "/v1/commissions/bulk",
                        """
                {"action":"reject","ids":["%s","%s","%s"]}"""
                                .formatted(list.get(0), list.get(1), list.get(2)))
                .expect(200)
                .json();
        assertThat(bulk.get("updated")).hasSize(3);
        assertThat(api.get("/v1/commissions?programId=" + setup.program() + "&status=rejected")
                        .json()
                        .get("items"))
                .hasSize(3);
        assertThat(api.get("/v1/commissions?partnerId=" + setup.partner().id() + "&status=pending")
                        .json()
                        .get("items"))
                .isEmpty();
        assertThat(api.dsl()
                        .fetchCount(AUDIT_LOG, AUDIT_LOG.ENTITY.eq("commission").and(AUDIT_LOG.ENTITY_ID.in(ids))))
                .isEqualTo(4);
        assertThat(api.post("/v1/commissions/bulk", "{\"action\":\"pay\",\"ids\":[\"" + list.get(0) + "\"]}")
                        .errorFields())
                .containsExactly("action");
    }

    @Test
    void pendingCommissionsAreApprovedOnceTheirHoldPassesUnlessFlagged() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]", Duration.ofDays(40));
        JsonNode held = ledger.event(
                        setup.program(), TestApi.unique("hold-"), setup.user(), "10.00", NOW.minus(Duration.ofDays(31)))
                .expect(201)
                .json();
        JsonNode flagged = ledger.event(
                        setup.program(), TestApi.unique("hold-"), setup.user(), "10.00", NOW.minus(Duration.ofDays(31)))
                .expect(201)
                .json();
        JsonNode recent = ledger.event(
                        setup.program(), TestApi.unique("hold-"), setup.user(), "10.00", NOW.minusSeconds(1))
                .expect(201)
                .json();
        api.dsl()
                .update(COMMISSION)
                .set(COMMISSION.FRAUD_FLAG, "manual")
                .where(COMMISSION.ID.eq(
                        Ulid.parse(flagged.at("/commissions/0/id").asText()).orElseThrow()))
                .execute();
        assertThat(api.app().approval().runOnce()).isGreaterThanOrEqualTo(1);
        assertThat(status(held)).isEqualTo("approved");
        assertThat(status(flagged)).isEqualTo("pending");
        assertThat(status(recent)).isEqualTo("pending");
    }

    @Test
    void hostileEventsGetA4xxNamingTheField() {
        Setup setup = purchaser("[{\"kind\":\"percent\",\"amount\":\"10\"}]");
        String base = "\"programId\":\"%s\",\"eventId\":\"h-%s\",\"userId\":\"%s\""
                .formatted(setup.program(), "%s", setup.user());
        assertThat(post("{" + base.formatted(1) + ",\"type\":42}")).containsExactly("type");
        assertThat(post("{" + base.formatted(2) + ",\"type\":\"purchase\",\"value\":true}"))
                .containsExactly("value");
        assertThat(post("{" + base.formatted(3) + ",\"type\":\"purchase\",\"value\":\"-5.00\"}"))
                .containsExactly("value");
        assertThat(post("{" + base.formatted(4) + ",\"type\":\"purchase\",\"ts\":\"2099-01-01T00:00:00Z\"}"))
                .containsExactly("ts");
        assertThat(post("{" + base.formatted(5) + ",\"type\":\"purchase\",\"currency\":\"EUR\"}"))
                .containsExactly("currency");
        assertThat(post("{" + base.formatted(6) + ",\"type\":\"purchase\",\"colour\":\"red\"}"))
                .containsExactly("colour");
        assertThat(post("{" + base.formatted(7) + ",\"type\":\"purchase\",\"metadata\":{\"blob\":\"" + "x".repeat(9_000)
                        + "\"}}"))
                .containsExactly("metadata");
        assertThat(post("{" + base.formatted(8) + ",\"type\":\"purchase\",\"refundOf\":\"nope\"}"))
                .containsExactly("refundOf");
        assertThat(post("{\"eventId\":\"x\",\"userId\":\"u\",\"type\":\"purchase\"}"))
                .containsExactly("programId");
        assertThat(post("[1,2,3]")).containsExactly("body");
        assertThat(post("{not json")).containsExactly("body");
        assertThat(api.post("/v1/events", "{\"pad\":\"" + "x".repeat(1_100_000) + "\"}")
                        .status())
                .isEqualTo(413);
        TestApi.Response adjustment =
                api.post("/v1/events", "{" + base.formatted(9) + ",\"type\":\"adjustment\",\"value\":\"-5.00\"}");
        assertThat(adjustment.status()).isEqualTo(201);
    }

    private static List<String> post(String body) {
        TestApi.Response response = api.post("/v1/events", body);
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        return response.errorFields();
    }

    private static String status(JsonNode event) {
        return api.get("/v1/commissions/" + event.at("/commissions/0/id").asText())
                .expect(200)
                .json()
                .get("status")
                .asText();
    }

    private static <T> List<T> parallel(int count, Callable<T> call) throws Exception {
        List<T> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Callable<T>> calls = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                calls.add(call);
            }
            for (Future<T> future : pool.invokeAll(calls)) {
                results.add(future.get());
            }
        }
        return results;
    }
}
