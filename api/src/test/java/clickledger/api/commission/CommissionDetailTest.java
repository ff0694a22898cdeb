package clickledger.api.commission;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A commission's detail: the event, every touch with its weight and click, and notes for review. */
class CommissionDetailTest {
    private static TestApi api;
    private static String programId;
    private static Ledger.Partner ada;
    private static Ledger.Partner bob;
    private static String adaClick;
    private static String bobClick;
    private static JsonNode event;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        Ledger ledger = new Ledger(api);
        programId = ledger.program("USD", "linear", "[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"10\"}]");
        ada = ledger.partner(programId);
        bob = ledger.partner(programId);
        adaClick = ledger.click(programId, ada, Instant.parse("2030-01-10T08:00:00Z"));
        bobClick = ledger.click(programId, bob, Instant.parse("2030-01-12T08:00:00Z"));
        ledger.identify(adaClick, "user-1").expect(201);
        ledger.identify(bobClick, "user-1").expect(201);
        event = ledger.event(programId, "order-1", "user-1", "49.00", Instant.parse("2030-01-14T09:00:00Z"))
                .expect(201)
                .json();
        // Flagged after the fact, as a fraud review would: the detail must show it.
        api.dsl()
                .update(CLICK)
                .set(CLICK.FRAUD_FLAG, "burst")
                .where(CLICK.ID.eq(Ulid.parse(bobClick).orElseThrow()))
                .execute();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String commissionOf(Ledger.Partner partner) {
        for (JsonNode commission : event.get("commissions")) {
            if (commission.get("partnerId").asText().equals(partner.id())) {
                return commission.get("id").asText();
            }
        }
        throw new AssertionError("no commission for " + partner.id() + " in " + event);
    }

    @Test
    void detailShowsTheEventTheTouchesAndWhichOneThisCommissionPays() {
        JsonNode detail = api.get("/v1/commissions/" + commissionOf(ada) + "/detail")
                .expect(200)
                .json();

        assertThat(detail.get("id").asText()).isEqualTo(commissionOf(ada));
        assertThat(detail.get("amount").asText()).isEqualTo("2.45");
        assertThat(detail.get("status").asText()).isEqualTo("pending");
        assertThat(detail.at("/event/eventId").asText()).isEqualTo("order-1");
        assertThat(detail.at("/event/type").asText()).isEqualTo("purchase");
        assertThat(detail.at("/event/value").asText()).isEqualTo("49.00");
        assertThat(detail.at("/event/currency").asText()).isEqualTo("USD");
        assertThat(detail.at("/event/ts").asText()).isEqualTo("2030-01-14T09:00:00Z");
        assertThat(detail.get("model").asText()).isEqualTo("linear");
        JsonNode touches = detail.get("touches");
        assertThat(touches).hasSize(2);
        assertThat(touches.get(0).get("clickId").asText()).isEqualTo(adaClick);
        assertThat(touches.get(0).get("partnerId").asText()).isEqualTo(ada.id());
        assertThat(touches.get(0).get("linkId").asText()).isEqualTo(ada.linkId());
        assertThat(touches.get(0).get("weight").asText()).isEqualTo("0.5");
        assertThat(touches.get(0).get("value").asText()).isEqualTo("24.50");
        assertThat(touches.get(0).get("credited").asBoolean()).isTrue();
        assertThat(touches.get(0).get("isBot").asBoolean()).isFalse();
        assertThat(touches.get(1).get("clickId").asText()).isEqualTo(bobClick);
        assertThat(touches.get(1).get("credited").asBoolean()).isFalse();
        assertThat(touches.get(1).get("fraudFlag").asText()).isEqualTo("burst");
        assertThat(detail.get("notes"))
                .extracting(JsonNode::asText)
                .anySatisfy(note -> assertThat(note).contains(bobClick).contains("burst"));
    }

    @Test
    void unknownOrMalformedIdsAre404And400() {
        assertThat(api.get("/v1/commissions/01J00000000000000000000000/detail").status())
                .isEqualTo(404);
        assertThat(api.get("/v1/commissions/nope/detail").errorFields()).containsExactly("id");
    }
}
