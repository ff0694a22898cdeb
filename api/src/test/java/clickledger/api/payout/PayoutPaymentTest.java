package clickledger.api.payout;

import static clickledger.api.payout.PayoutFixture.texts;
import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.common.id.Ulid;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Mark-paid and cancel, and how refunds, review and re-derivation meet a payout. */
class PayoutPaymentTest {
    private static TestApi api;
    private static PayoutFixture fixture;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("WEBHOOK_ALLOW_PRIVATE", "true", "WEBHOOK_WORKER_ENABLED", "false"));
        fixture = new PayoutFixture(api);
        api.post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/hook\"}").expect(201);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** The outbox rows of one event type whose data has this id (the payload's resource id). */
    private static List<JsonNode> outbox(String type, List<String> resourceIds) {
        List<JsonNode> found = new ArrayList<>();
        api.dsl()
                .select(WEBHOOK_DELIVERY.PAYLOAD)
                .from(WEBHOOK_DELIVERY)
                .where(WEBHOOK_DELIVERY.EVENT_TYPE.eq(type))
                .fetch(WEBHOOK_DELIVERY.PAYLOAD)
                .forEach(payload -> {
                    JsonNode envelope = json(payload);
                    if (resourceIds.contains(envelope.at("/resource/id").asText())) {
                        found.add(envelope);
                    }
                });
        return found;
    }

    private static JsonNode json(JSONB payload) {
        try {
            return Json.MAPPER.readTree(payload.data());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> auditActions(String payoutId) {
        return api.dsl()
                .select(AUDIT_LOG.ACTION)
                .from(AUDIT_LOG)
                .where(AUDIT_LOG.ENTITY.eq("payout").and(AUDIT_LOG.ENTITY_ID.eq(payoutId)))
                .orderBy(AUDIT_LOG.ID)
                .fetch(AUDIT_LOG.ACTION);
    }

    @Test
    void markPaidPaysEveryCommissionAndQueuesOneWebhookEachInItsTransaction() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        List<String> commissions = new ArrayList<>();
        for (String amount : List.of("10.00", "2.50", "0.05")) {
            commissions.add(fixture.earn(program, partner, amount).id());
        }
        JsonNode payout = fixture.batch(program).getFirst();
        String id = payout.get("id").asText();
        assertThat(outbox("payout.created", List.of(id))).hasSize(1);
        assertThat(outbox("payout.created", List.of(id))
                        .getFirst()
                        .at("/data/amount")
                        .asText())
                .isEqualTo("12.55");

        Instant paidAt = api.clock().instant().minusSeconds(3600);
        JsonNode paid = api.post(
                        "/v1/payouts/" + id + "/mark-paid",
                        "{\"reference\":\" PAYPAL-BATCH-7 \",\"paidAt\":\"%s\",\"method\":\"paypal\"}"
                                .formatted(paidAt))
                .expect(200)
                .json();

        assertThat(paid.get("status").asText()).isEqualTo("paid");
        assertThat(paid.get("reference").asText()).isEqualTo("PAYPAL-BATCH-7");
        assertThat(paid.get("method").asText()).isEqualTo("paypal");
        assertThat(Instant.parse(paid.get("paidAt").asText())).isEqualTo(paidAt);
        for (String commission : commissions) {
            JsonNode row = fixture.commission(commission);
            assertThat(row.get("status").asText()).isEqualTo("paid");
        }
        assertThat(api.dsl()
                        .selectCount()
                        .from(COMMISSION)
                        .where(COMMISSION.PAYOUT_ID.eq(Ulid.parse(id).orElseThrow()))
                        .fetchOne(0, Integer.class))
                .isEqualTo(3);
        List<JsonNode> payoutPaid = outbox("payout.paid", List.of(id));
        assertThat(payoutPaid).hasSize(1);
        assertThat(payoutPaid.getFirst().at("/data/reference").asText()).isEqualTo("PAYPAL-BATCH-7");
        assertThat(texts(payoutPaid.getFirst().at("/data/commissionIds")))
                .containsExactlyInAnyOrderElementsOf(commissions);
        assertThat(outbox("commission.paid", commissions)).hasSize(3);
        assertThat(auditActions(id)).containsExactly("payout.created", "payout.paid");

        // Again with the same reference: nothing changes, nothing more is sent.
        JsonNode again = api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"PAYPAL-BATCH-7\"}")
                .expect(200)
                .json();
        assertThat(again).isEqualTo(paid);
        assertThat(outbox("payout.paid", List.of(id))).hasSize(1);
        assertThat(outbox("commission.paid", commissions)).hasSize(3);
        // Another reference: 409, naming the one it was paid with.
        TestApi.Response other = api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"WISE-1\"}");
        other.expect(409);
        assertThat(other.json().get("code").asText()).isEqualTo("payout_already_paid");
        assertThat(other.json().get("detail").asText()).contains("PAYPAL-BATCH-7");
        assertThat(auditActions(id)).containsExactly("payout.created", "payout.paid");
        // A paid payout is never cancelled.
        assertThat(api.post("/v1/payouts/" + id + "/cancel", null)
                        .expect(409)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("payout_paid");
    }

    @Test
    void aFailureAfterTheWritesRollsTheWholePaymentBack() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        String commission = fixture.earn(program, partner, "3.00").id();
        String id = fixture.batch(program).getFirst().get("id").asText();
        // The webhook outbox cannot write (its table refuses inserts for this moment): the
        // payout, its commission and the audit entry must all stay as they were.
        api.dsl()
                .execute(
                        "create function refuse_delivery() returns trigger language plpgsql as $$ begin raise exception 'outbox down'; end $$");
        api.dsl()
                .execute("create trigger refuse_delivery before insert on webhook_delivery"
                        + " for each row execute function refuse_delivery()");
        try {
            assertThat(api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"R-1\"}")
                            .status())
                    .isEqualTo(500);
        } finally {
            api.dsl().execute("drop trigger refuse_delivery on webhook_delivery");
            api.dsl().execute("drop function refuse_delivery()");
        }
        assertThat(api.get("/v1/payouts/" + id).expect(200).json().get("status").asText())
                .isEqualTo("pending");
        assertThat(fixture.commission(commission).get("status").asText()).isEqualTo("approved");
        assertThat(auditActions(id)).containsExactly("payout.created");
        api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"R-1\"}").expect(200);
        assertThat(fixture.commission(commission).get("status").asText()).isEqualTo("paid");
    }

    @Test
    void cancelReleasesTheCommissionsToTheNextBatch() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        String first = fixture.earn(program, partner, "8.00").id();
        JsonNode payout = fixture.batch(program).getFirst();
        String id = payout.get("id").asText();

        JsonNode cancelled =
                api.post("/v1/payouts/" + id + "/cancel", null).expect(200).json();

        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.get("cancelledAt").isNull()).isFalse();
        assertThat(texts(cancelled.get("commissionIds"))).containsExactly(first);
        assertThat(api.post("/v1/payouts/" + id + "/cancel", null).expect(200).json())
                .isEqualTo(cancelled);
        assertThat(api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"late\"}")
                        .expect(409)
                        .json()
                        .get("code")
                        .asText())
                .isEqualTo("payout_cancelled");
        assertThat(auditActions(id)).containsExactly("payout.created", "payout.cancelled");

        String second = fixture.earn(program, partner, "1.00").id();
        JsonNode next = fixture.batch(program).getFirst();
        assertThat(next.get("amount").asText()).isEqualTo("9.00");
        assertThat(texts(next.get("commissionIds"))).containsExactlyInAnyOrder(first, second);
        api.post("/v1/payouts/01JZZZZZZZZZZZZZZZZZZZZZZZ/cancel", null).expect(404);
        api.post("/v1/payouts/01JZZZZZZZZZZZZZZZZZZZZZZZ/mark-paid", "{\"reference\":\"x\"}")
                .expect(404);
    }

    @Test
    void markPaidRefusesBadInputNamingTheField() {
        String program = fixture.program("USD");
        fixture.earn(program, fixture.partner(program), "1.00");
        String id = fixture.batch(program).getFirst().get("id").asText();
        String path = "/v1/payouts/" + id + "/mark-paid";
        assertThat(api.post(path, "{}").expect(400).errorFields()).containsExactly("reference");
        assertThat(api.post(path, "{\"reference\":\"   \"}").expect(400).errorFields())
                .containsExactly("reference");
        assertThat(api.post(path, "{\"reference\":\"a\\nb\"}").expect(400).errorFields())
                .containsExactly("reference");
        assertThat(api.post(path, "{\"reference\":\"%s\"}".formatted("x".repeat(201)))
                        .expect(400)
                        .errorFields())
                .containsExactly("reference");
        assertThat(api.post(path, "{\"reference\":7}").expect(400).errorFields())
                .containsExactly("reference");
        assertThat(api.post(path, "{\"reference\":\"r\",\"paidAt\":\"2999-01-01T00:00:00Z\",\"method\":12}")
                        .expect(400)
                        .errorFields())
                .containsExactlyInAnyOrder("paidAt", "method");
        assertThat(api.post(path, "{\"reference\":\"r\",\"payee\":\"me\"}")
                        .expect(400)
                        .errorFields())
                .containsExactly("payee");
        assertThat(api.get("/v1/payouts/" + id).expect(200).json().get("status").asText())
                .isEqualTo("pending");
    }

    @Test
    void payRefundAndTheNextBatchNetsTheNegative() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        PayoutFixture.Earned sale = fixture.earn(program, partner, "25.00");
        String id = fixture.batch(program).getFirst().get("id").asText();
        api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"PAY-1\"}")
                .expect(200);

        JsonNode reversal = fixture.refund(program, sale).get(0);
        assertThat(reversal.get("amount").asText()).isEqualTo("-25.00");
        assertThat(reversal.get("status").asText()).isEqualTo("approved");
        assertThat(fixture.commission(sale.id()).get("status").asText())
                .as("paid stays paid")
                .isEqualTo("paid");

        String later = fixture.earn(program, partner, "40.00").id();
        JsonNode next = fixture.batch(program).getFirst();
        assertThat(next.get("amount").asText()).isEqualTo("15.00");
        assertThat(texts(next.get("commissionIds")))
                .containsExactlyInAnyOrder(reversal.get("id").asText(), later);
    }

    @Test
    void aRefundWhileThePayoutIsPendingIsCarriedAsANegativeRow() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        PayoutFixture.Earned sale = fixture.earn(program, partner, "12.00");
        String id = fixture.batch(program).getFirst().get("id").asText();

        JsonNode reversal = fixture.refund(program, sale).get(0);

        // The claimed commission is frozen: the refund owes the money back through the next batch.
        assertThat(fixture.commission(sale.id()).get("status").asText()).isEqualTo("approved");
        assertThat(reversal.get("status").asText()).isEqualTo("approved");
        assertThat(reversal.get("amount").asText()).isEqualTo("-12.00");
        api.post("/v1/payouts/" + id + "/mark-paid", "{\"reference\":\"PAY-2\"}")
                .expect(200);
        assertThat(fixture.commission(sale.id()).get("status").asText()).isEqualTo("paid");
        fixture.earn(program, partner, "20.00");
        assertThat(fixture.batch(program).getFirst().get("amount").asText()).isEqualTo("8.00");
    }

    @Test
    void aClaimedCommissionCannotBeRejectedUntilThePayoutIsCancelled() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        String commission = fixture.earn(program, partner, "5.00").id();
        String other = fixture.earn(program, fixture.partner(program), "6.00").id();
        List<JsonNode> payouts = fixture.batch(program);
        String id = payouts.stream()
                .filter(p -> p.get("partnerId").asText().equals(partner.id()))
                .findFirst()
                .orElseThrow()
                .get("id")
                .asText();

        TestApi.Response refused = api.post("/v1/commissions/" + commission + "/reject", "{}");
        refused.expect(409);
        assertThat(refused.json().get("code").asText()).isEqualTo("in_payout");
        JsonNode bulk = api.post(
                        "/v1/commissions/bulk",
                        "{\"action\":\"reject\",\"ids\":[\"%s\",\"%s\"]}".formatted(commission, other))
                .expect(200)
                .json();
        assertThat(texts(bulk.get("skipped"))).containsExactlyInAnyOrder(commission, other);

        api.post("/v1/payouts/" + id + "/cancel", null).expect(200);
        api.post("/v1/commissions/" + commission + "/reject", "{}").expect(200);
        assertThat(fixture.batch(program)).isEmpty();
    }

    @Test
    void reDerivationLeavesClaimedCommissionsAndAdjustsThem() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        String commission = fixture.earn(program, partner, "10.00").id();
        JsonNode payout = fixture.batch(program).getFirst();
        api.patch("/v1/programs/" + program, "{\"commissionRules\":[{\"kind\":\"percent\",\"amount\":\"50\"}]}")
                .expect(200);

        api.post("/v1/attribution/rederive", "{\"programId\":\"%s\",\"dryRun\":false}".formatted(program))
                .expect(200);

        assertThat(fixture.commission(commission).get("amount").asText()).isEqualTo("10.00");
        assertThat(api.get("/v1/payouts/" + payout.get("id").asText())
                        .expect(200)
                        .json())
                .isEqualTo(payout);
        api.post("/v1/payouts/" + payout.get("id").asText() + "/mark-paid", "{\"reference\":\"R\"}")
                .expect(200);
        List<JsonNode> next = fixture.batch(program);
        assertThat(next).isEmpty();
        JsonNode preview = api.post("/v1/payouts/preview", "{\"programId\":\"%s\"}".formatted(program))
                .expect(200)
                .json();
        assertThat(preview.at("/items/0/amount").asText())
                .as("the -5.00 adjustment is owed back")
                .isEqualTo("-5.00");
    }

    @Test
    void theDatabaseRefusesASecondClaimAndAnyChangeToAClaimedCommission() {
        String program = fixture.program("USD");
        Ledger.Partner partner = fixture.partner(program);
        String commission = fixture.earn(program, partner, "4.00").id();
        String id = fixture.batch(program).getFirst().get("id").asText();
        UUID commissionId = Ulid.parse(commission).orElseThrow();
        UUID payoutId = Ulid.parse(id).orElseThrow();
        String another = fixture.earn(program, partner, "1.00").id();
        // Alone, a claim of this one adds up (one commission of 4.00): only the payout's claims
        // already in the table show it as a second one.
        String twin = fixture.earn(program, partner, "4.00").id();

        List<String> refused = new ArrayList<>();
        for (String statement : List.of(
                // A second claim of the same commission, by this payout or another.
                "insert into payout_commission (commission_id, payout_id) values ('%s', '%s')"
                        .formatted(commissionId, UUID.randomUUID()),
                // A claim that makes the payout no longer add up.
                "insert into payout_commission (commission_id, payout_id) values ('%s', '%s')"
                        .formatted(Ulid.parse(another).orElseThrow(), payoutId),
                "insert into payout_commission (commission_id, payout_id) values ('%s', '%s')"
                        .formatted(Ulid.parse(twin).orElseThrow(), payoutId),
                "update commission set status = 'reversed' where id = '%s'".formatted(commissionId),
                "update commission set amount_minor = 1 where id = '%s'".formatted(commissionId),
                "update commission set status = 'paid' where id = '%s'".formatted(commissionId),
                "delete from commission where id = '%s'".formatted(commissionId),
                "delete from payout_commission where payout_id = '%s'".formatted(payoutId),
                "update payout set amount_minor = 1 where id = '%s'".formatted(payoutId),
                "delete from payout where id = '%s'".formatted(payoutId))) {
            try {
                api.dsl().transaction(trx -> trx.dsl().execute(statement));
            } catch (RuntimeException e) {
                refused.add(statement);
            }
        }

        assertThat(refused).hasSize(10);
        assertThat(api.dsl()
                        .select(DSL.count())
                        .from("payout_commission")
                        .where(DSL.field("payout_id").eq(payoutId))
                        .fetchOne(0, Integer.class))
                .isEqualTo(1);
        assertThat(fixture.commission(commission).get("status").asText()).isEqualTo("approved");
    }
}
