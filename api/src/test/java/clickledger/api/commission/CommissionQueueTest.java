package clickledger.api.commission;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.event.Ledger;
import clickledger.api.stats.ClickRollup;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the portal's review queue and program form read: commissions filtered by their event's
 * time and type with the event on each row, a program's hasEvents and its currency locked once
 * events exist, and the top rows of grouped stats.
 */
class CommissionQueueTest {
    private static TestApi api;
    private static Ledger ledger;
    private static String programId;
    private static Ledger.Partner ada;

    @BeforeAll
    static void start() {
        api = TestApi.start();
        ledger = new Ledger(api);
        programId =
                ledger.program("USD", "last_click", "[{\"trigger\":\"every\",\"kind\":\"percent\",\"amount\":\"10\"}]");
        ada = ledger.partner(programId);
        String click = ledger.click(programId, ada, Instant.parse("2030-01-05T08:00:00Z"));
        ledger.identify(click, "user-1").expect(201);
        ledger.event(programId, "order-1", "user-1", "10.00", Instant.parse("2030-01-06T09:00:00Z"))
                .expect(201);
        ledger.event(programId, "order-2", "user-1", "20.00", Instant.parse("2030-01-08T09:00:00Z"))
                .expect(201);
        api.post(
                        "/v1/events",
                        """
                        {"programId":"%s","eventId":"signup-1","userId":"user-1","type":"signup","value":"0.00",
                         "ts":"2030-01-09T09:00:00Z"}"""
                                .formatted(programId))
                .expect(201);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode items(String query) {
        return api.get("/v1/commissions?programId=" + programId + query)
                .expect(200)
                .json()
                .get("items");
    }

    @Test
    void eachRowCarriesItsEvent() {
        JsonNode first = items("&eventType=purchase").get(0);

        assertThat(first.get("eventId").asText()).isEqualTo("order-2");
        assertThat(first.get("eventType").asText()).isEqualTo("purchase");
        assertThat(first.get("eventTs").asText()).isEqualTo("2030-01-08T09:00:00Z");
        assertThat(first.get("eventValue").asText()).isEqualTo("20.00");
        assertThat(first.get("amount").asText()).isEqualTo("2.00");
    }

    @Test
    void filtersByTheEventsDayRangeAndType() {
        assertThat(items("&from=2030-01-06&to=2030-01-06"))
                .extracting(item -> item.get("eventId").asText())
                .containsExactly("order-1");
        assertThat(items("&from=2030-01-07T00:00:00Z"))
                .extracting(item -> item.get("eventId").asText())
                .containsExactly("order-2");
        assertThat(items("&to=2030-01-05")).isEmpty();
        assertThat(items("&eventType=refund")).isEmpty();
        assertThat(api.get("/v1/commissions?from=last-week").errorFields()).containsExactly("from");
        assertThat(api.get("/v1/commissions?to=2030-02-30").errorFields()).containsExactly("to");
        assertThat(api.get("/v1/commissions?eventType=" + "x".repeat(300)).errorFields())
                .containsExactly("eventType");
    }

    @Test
    void theCurrencyIsLockedOnceTheProgramHasEvents() {
        assertThat(api.get("/v1/programs/" + programId).json().get("hasEvents").asBoolean())
                .isTrue();
        TestApi.Response locked = api.patch("/v1/programs/" + programId, "{\"currency\":\"EUR\"}");
        assertThat(locked.status()).isEqualTo(409);
        assertThat(locked.json().get("code").asText()).isEqualTo("currency_locked");
        assertThat(locked.errorFields()).containsExactly("currency");
        // The same currency again is no change, so no conflict.
        api.patch("/v1/programs/" + programId, "{\"currency\":\"USD\"}").expect(200);

        String fresh = api.createProgram();
        JsonNode created = api.get("/v1/programs/" + fresh).expect(200).json();
        assertThat(created.get("hasEvents").asBoolean()).isFalse();
        assertThat(api.patch("/v1/programs/" + fresh, "{\"currency\":\"JPY\"}")
                        .expect(200)
                        .json()
                        .get("currency")
                        .asText())
                .isEqualTo("JPY");
        assertThat(api.patch("/v1/programs/" + fresh, "{\"currency\":\"XYZ1\"}").errorFields())
                .containsExactly("currency");
        assertThat(api.get("/v1/programs?limit=200").expect(200).json().get("items"))
                .anySatisfy(program -> {
                    assertThat(program.get("id").asText()).isEqualTo(programId);
                    assertThat(program.get("hasEvents").asBoolean()).isTrue();
                })
                .anySatisfy(program -> {
                    assertThat(program.get("id").asText()).isEqualTo(fresh);
                    assertThat(program.get("hasEvents").asBoolean()).isFalse();
                });
    }

    @Test
    void groupedStatsCanBeCutToTheTopRows() {
        Ledger.Partner bob = ledger.partner(programId);
        ledger.click(programId, bob, Instant.parse("2030-01-05T09:00:00Z"));
        new ClickRollup(api.dsl(), api.clock()).rebuild(LocalDate.parse("2030-01-01"), LocalDate.parse("2030-01-14"));
        String query = "/v1/stats?programId=" + programId + "&from=2030-01-01&to=2030-01-15&groupBy=partner";

        JsonNode all = api.get(query).expect(200).json();
        JsonNode top = api.get(query + "&limit=1").expect(200).json();

        assertThat(all.get("rows")).hasSize(2);
        assertThat(top.get("rows")).hasSize(1);
        assertThat(top.get("rows").get(0)).isEqualTo(all.get("rows").get(0));
        assertThat(top.get("totals")).isEqualTo(all.get("totals"));
        assertThat(api.get(query + "&limit=0").errorFields()).containsExactly("limit");
    }
}
