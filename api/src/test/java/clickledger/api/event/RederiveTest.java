package clickledger.api.event;

import static clickledger.db.jooq.Tables.ATTRIBUTION;
import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Re-derivation recomputes from the raw facts exactly what the live paths stored: events as they
 * arrive, identify's backfill and refunds. A merchant replaying history relies on it, and so does
 * the diff a re-derivation shows (an empty one means "nothing would change").
 */
class RederiveTest {
    private static final Instant NOW = TestApi.START;
    private static final String RULES = Ledger.RULES_WITH_HISTORY;
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

    @Test
    void reDerivingWhatTheLivePathsStoredChangesNothing() {
        for (String model : List.of("linear", "position", "time_decay", "last_click", "first_click")) {
            String program = ledger.program("EUR", model, RULES);
            List<Ledger.Partner> partners =
                    List.of(ledger.partner(program), ledger.partner(program), ledger.partner(program));
            // One partner has rules of its own.
            api.patch(
                            "/v1/programs/" + program + "/partners/"
                                    + partners.get(2).id(),
                            """
                            {"commissionRules":[{"trigger":"first","kind":"percent","amount":"20"}]}""")
                    .expect(200);
            Random random = new Random(model.hashCode());
            List<String> purchases = new ArrayList<>();
            for (int u = 0; u < 8; u++) {
                String user = TestApi.unique("user-");
                // Before any identity: it waits, and identify's backfill attributes it with the
                // touches known then. Such a user gets one click: a click stitched later could be
                // a touch of the early event too, which re-derivation (every identity known now)
                // would credit and the backfill (done by then) did not.
                boolean early = u % 3 == 0;
                if (early) {
                    ledger.event(program, TestApi.unique("early-"), user, "30.00", NOW.minus(Duration.ofDays(20)))
                            .expect(201);
                }
                for (int c = 0; c < (early ? 1 : 1 + random.nextInt(4)); c++) {
                    int kind = early ? 7 : random.nextInt(8);
                    String cref = ledger.click(
                            program,
                            partners.get(random.nextInt(partners.size())),
                            NOW.minus(Duration.ofDays(1 + random.nextInt(80))),
                            kind == 0,
                            kind == 1 ? "burst" : null);
                    ledger.identify(cref, user).expect(201);
                }
                for (int e = 0; e < 4; e++) {
                    String eventId = TestApi.unique("o-");
                    String type = e % 2 == 0 ? "purchase" : "renewal";
                    api.post(
                                    "/v1/events",
                                    """
                                    {"programId":"%s","eventId":"%s","userId":"%s","type":"%s","value":"%d.%02d","ts":"%s"}"""
                                            .formatted(
                                                    program,
                                                    eventId,
                                                    user,
                                                    type,
                                                    10 + random.nextInt(200),
                                                    random.nextInt(100),
                                                    NOW.minus(Duration.ofDays(15 - 3L * e))
                                                            .minusSeconds(random.nextInt(3600))))
                            .expect(201);
                    purchases.add(eventId + "/" + user);
                }
            }
            // A partial refund and a full one.
            for (String refunded : List.of(purchases.get(1), purchases.get(6))) {
                String[] parts = refunded.split("/");
                boolean partial = refunded.equals(purchases.get(1));
                api.post(
                                "/v1/events",
                                """
                                {"programId":"%s","eventId":"%s","userId":"%s","type":"refund","refundOf":"%s"%s}"""
                                        .formatted(
                                                program,
                                                TestApi.unique("r-"),
                                                parts[1],
                                                parts[0],
                                                partial ? ",\"value\":\"3.00\"" : ""))
                        .expect(201);
            }
            List<String> stored = ledgerOf(program);
            assertThat(stored).as("commissions of %s", model).hasSizeGreaterThan(20);

            JsonNode diff = api.post("/v1/attribution/rederive", "{\"programId\":\"%s\"}".formatted(program))
                    .expect(200)
                    .json();

            assertThat(diff.get("events").asInt()).as(model).isGreaterThan(30);
            assertThat(diff.get("added")).as(model).isEmpty();
            assertThat(diff.get("changed")).as(model).isEmpty();
            assertThat(diff.get("removed")).as(model).isEmpty();
            for (JsonNode partner : diff.get("partners")) {
                assertThat(partner.get("after").asText())
                        .as(model)
                        .isEqualTo(partner.get("before").asText());
            }
            api.post("/v1/attribution/rederive", "{\"programId\":\"%s\",\"dryRun\":false}".formatted(program))
                    .expect(200);
            assertThat(ledgerOf(program)).as("%s, applied", model).isEqualTo(stored);
        }
    }

    /**
     * What the ledger holds for a program, without the ids and times a re-derivation renews:
     * each event's status, its touches (click, weight, value) and its commissions.
     */
    private static List<String> ledgerOf(String programId) {
        UUID program = Ulid.parse(programId).orElseThrow();
        List<String> rows = new ArrayList<>();
        api.dsl()
                .select(EVENT.EVENT_KEY, EVENT.ATTRIBUTION_STATUS, EVENT.MODEL)
                .from(EVENT)
                .where(EVENT.PROGRAM_ID.eq(program))
                .fetch()
                .forEach(row -> rows.add("event " + row.intoList()));
        api.dsl()
                .select(EVENT.EVENT_KEY, ATTRIBUTION.CLICK_ID, ATTRIBUTION.WEIGHT, ATTRIBUTION.VALUE_MINOR)
                .from(ATTRIBUTION)
                .join(EVENT)
                .on(EVENT.ID.eq(ATTRIBUTION.EVENT_ID))
                .where(EVENT.PROGRAM_ID.eq(program))
                .fetch()
                .forEach(row -> rows.add("touch " + row.intoList()));
        api.dsl()
                .select(
                        EVENT.EVENT_KEY,
                        COMMISSION.PARTNER_ID,
                        COMMISSION.KIND,
                        COMMISSION.RULE_INDEX,
                        COMMISSION.AMOUNT_MINOR,
                        COMMISSION.STATUS,
                        COMMISSION.HOLD_UNTIL)
                .from(COMMISSION)
                .join(EVENT)
                .on(EVENT.ID.eq(COMMISSION.EVENT_ID))
                .where(EVENT.PROGRAM_ID.eq(program))
                .fetch()
                .forEach(row -> rows.add("commission " + row.intoList()));
        rows.sort(Comparator.naturalOrder());
        return rows;
    }
}
