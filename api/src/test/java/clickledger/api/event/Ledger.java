package clickledger.api.event;

import static clickledger.db.jooq.Tables.CLICK;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/** Seeds programs, partners, links and clicks for attribution tests, through the api where it can. */
public final class Ledger {
    final TestApi api;

    /** A 10 % rule, a first-conversion bounty and a recurring renewal rule: every event reads the partner's history. */
    static final String RULES_WITH_HISTORY =
            """
            [{"trigger":"every","kind":"percent","amount":"10"},
             {"trigger":"first","kind":"fixed","amount":"5.00"},
             {"eventType":"renewal","trigger":"subsequent","kind":"percent","amount":"2.5","recurringMonths":1}]""";

    public Ledger(TestApi api) {
        this.api = api;
    }

    /**
     * Checks that the test's flows left no row naming a row that does not exist ({@link #orphans}),
     * then stops the api, whatever the check found: every test class's {@code @AfterAll}.
     */
    public void close() {
        try {
            assertThat(orphans()).as("ledger rows naming missing rows (V70)").isEmpty();
        } finally {
            api.close();
        }
    }

    public record Partner(String id, String linkId) {}

    /** A program with these settings; rules is a JSON array. */
    public String program(String currency, String model, String rules) {
        return api.post(
                        "/v1/programs",
                        """
                        {"slug":"%s","name":"Shop","destinationUrl":"https://shop.example.com/","currency":"%s",
                         "attributionModel":"%s","lookbackDays":60,"holdbackDays":30,"commissionRules":%s}"""
                                .formatted(TestApi.unique("shop-"), currency, model, rules))
                .expect(201)
                .json()
                .get("id")
                .asText();
    }

    /** An active partner with one link in the program. */
    public Partner partner(String programId) {
        String partnerId = api.createPartner();
        String linkId = api.post(
                        "/v1/links",
                        """
                        {"programId":"%s","partnerId":"%s"}"""
                                .formatted(programId, partnerId))
                .expect(201)
                .json()
                .get("id")
                .asText();
        return new Partner(partnerId, linkId);
    }

    /** A click on the partner's link at {@code ts}, as the router would store it; returns the cref. */
    public String click(String programId, Partner partner, Instant ts) {
        return click(programId, partner, ts, false, null);
    }

    public String click(String programId, Partner partner, Instant ts, boolean bot, String fraudFlag) {
        UUID id = Ulid.newUuidV7(ts.toEpochMilli());
        api.dsl()
                .insertInto(CLICK)
                .set(CLICK.ID, id)
                .set(CLICK.TS, Instant.ofEpochMilli(ts.toEpochMilli()).atOffset(ZoneOffset.UTC))
                .set(CLICK.LINK_ID, Ulid.parse(partner.linkId()).orElseThrow())
                .set(CLICK.PROGRAM_ID, Ulid.parse(programId).orElseThrow())
                .set(CLICK.PARTNER_ID, Ulid.parse(partner.id()).orElseThrow())
                .set(CLICK.IS_BOT, bot)
                .set(CLICK.BOT_REASON, bot ? "crawler:other" : null)
                .set(CLICK.FRAUD_FLAG, fraudFlag)
                .execute();
        return Ulid.encode(id);
    }

    public TestApi.Response identify(String cref, String userId) {
        return api.post("/v1/identify", """
                {"cref":"%s","userId":"%s"}""".formatted(cref, userId));
    }

    public TestApi.Response event(String programId, String eventId, String userId, String value, Instant ts) {
        return api.post(
                "/v1/events",
                """
                {"programId":"%s","eventId":"%s","userId":"%s","type":"purchase","value":"%s","ts":"%s"}"""
                        .formatted(programId, eventId, userId, value, ts));
    }

    /**
     * Every ledger row that names a row that does not exist, one line each. V70 dropped the foreign
     * keys of the event path (docs/decisions/0028); its writers keep the rows whole by
     * construction, and the attribution tests check here, after their flows, that they did.
     */
    public java.util.List<String> orphans() {
        return api.dsl()
                .fetch(
                        """
                        select 'attribution ' || a.id || ' of missing event ' || a.event_id from attribution a
                         where not exists (select 1 from event e where e.id = a.event_id)
                        union all
                        select 'commission ' || c.id || ' of missing event ' || c.event_id from commission c
                         where not exists (select 1 from event e where e.id = c.event_id)
                        union all
                        select 'commission ' || c.id || ' of missing attribution ' || c.attribution_id from commission c
                         where c.attribution_id is not null
                           and not exists (select 1 from attribution a where a.id = c.attribution_id)
                        union all
                        select 'event ' || e.id || ' of missing program ' || e.program_id from event e
                         where not exists (select 1 from program p where p.id = e.program_id)
                        union all
                        select 'identity ' || i.id || ' of missing program ' || i.program_id from identity i
                         where not exists (select 1 from program p where p.id = i.program_id)""")
                .getValues(0, String.class);
    }

    /** A dry-run re-derivation of the program would add, change and remove nothing. */
    void assertNothingToRederive(String programId) {
        JsonNode diff = api.post("/v1/attribution/rederive", "{\"programId\":\"%s\"}".formatted(programId))
                .expect(200)
                .json();
        org.assertj.core.api.Assertions.assertThat(diff.get("added"))
                .as(programId)
                .isEmpty();
        org.assertj.core.api.Assertions.assertThat(diff.get("changed"))
                .as(programId)
                .isEmpty();
        org.assertj.core.api.Assertions.assertThat(diff.get("removed"))
                .as(programId)
                .isEmpty();
    }

    /** The commission amounts of an event's touches, in touch order, as "partnerId=amount". */
    static java.util.List<String> amounts(JsonNode event) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode commission : event.get("commissions")) {
            out.add(commission.get("partnerId").asText() + "="
                    + commission.get("amount").asText());
        }
        return out;
    }
}
