package clickledger.api.stats;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import clickledger.testkit.PostgresFixture;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With DATABASE_READ_URL set, stats are read from that database and never from the primary. The
 * "replica" is a second database seeded with other figures than the primary, under the same ids,
 * so an answer shows which one it came from.
 */
class StatsReplicaTest {
    private static TestApi api;
    private static DSLContext primary;
    private static DSLContext replica;
    private static UUID program;
    private static UUID onlyOnReplica;

    @BeforeAll
    static void start() {
        String readUrl = PostgresFixture.postgresUrl(PostgresFixture.get().newDatabase());
        api = TestApi.start(Map.of("DATABASE_READ_URL", readUrl, "STATS_ROLLUP_SECONDS", "86400"));
        StatsSeed.awaitFirstRollupRun(api);
        api.clock().set(Instant.parse("2030-04-20T12:00:00Z"));
        primary = api.dsl();
        replica = api.app().database().readDsl();
        assertThat(replica).isNotSameAs(primary);

        // The same program, partner and link ids in both, with different clicks and money.
        program = UUID.randomUUID();
        UUID partner = UUID.randomUUID();
        UUID link = UUID.randomUUID();
        seed(primary, "USD", program, partner, link, 2, 1000);
        seed(replica, "EUR", program, partner, link, 5, 7000);
        // A program the primary has never heard of.
        onlyOnReplica = UUID.randomUUID();
        seed(replica, "JPY", onlyOnReplica, UUID.randomUUID(), UUID.randomUUID(), 3, 500);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** {@code clicks} clicks on 2030-03-10 and one conversion of {@code value} minor units, rolled up. */
    private static void seed(
            DSLContext dsl, String currency, UUID program, UUID partner, UUID link, int clicks, long value) {
        dsl.execute(
                "insert into program (id, slug, name, destination_url, currency) values (?, ?, 'P', 'https://shop.example.com/', ?)",
                program,
                TestApi.unique("replica-program-"),
                currency);
        dsl.execute(
                "insert into partner (id, email, name) values (?, ?, 'Partner')",
                partner,
                TestApi.unique("replica-partner") + "@example.com");
        dsl.execute(
                "insert into link (id, slug, program_id, partner_id) values (?, ?, ?, ?)",
                link,
                TestApi.unique("replica-link-"),
                program,
                partner);
        StatsSeed seed = new StatsSeed(dsl);
        StatsSeed.Link seeded = new StatsSeed.Link(link, program, partner);
        for (int visitor = 0; visitor < clicks; visitor++) {
            seed.click(seeded, "2030-03-10T10:00:00Z", visitor);
        }
        UUID event = seed.conversion(program, "2030-03-10T11:00:00Z", value, currency);
        seed.commission(event, seed.attribution(event, seeded, "1", value), seeded, value / 10, currency, "approved");
        new ClickRollup(dsl, api.clock()).rebuild(LocalDate.parse("2030-03-01"), LocalDate.parse("2030-03-31"));
    }

    private static JsonNode stats(UUID program, String query) {
        return api.get("/v1/stats?programId=" + Ulid.encode(program) + "&from=2030-03-01&to=2030-03-31" + query)
                .expect(200)
                .json();
    }

    @Test
    void statsAreReadFromTheReadDatabase() {
        for (String groupBy : new String[] {"day", "partner", "link"}) {
            JsonNode report = stats(program, "&groupBy=" + groupBy);

            assertThat(report.get("currency").asText()).as(groupBy).isEqualTo("EUR");
            assertThat(report.at("/totals/clicks").asLong()).as(groupBy).isEqualTo(5);
            assertThat(report.at("/totals/revenue").asText()).as(groupBy).isEqualTo("70.00");
            assertThat(report.at("/totals/commissions").asText()).as(groupBy).isEqualTo("7.00");
        }
    }

    @Test
    void aProgramOnlyTheReadDatabaseHasIsAnswered() {
        JsonNode report = stats(onlyOnReplica, "");

        assertThat(report.get("currency").asText()).isEqualTo("JPY");
        assertThat(report.at("/totals/clicks").asLong()).isEqualTo(3);
        assertThat(report.at("/totals/revenue").asText()).isEqualTo("500");
    }

    @Test
    void statsStillAnswerWhenThePrimaryHasNoneOfTheTablesTheyRead() {
        // Were any stats query sent to the primary, it would now fail.
        try {
            for (String table : PRIMARY_TABLES) {
                primary.execute("alter table " + table + " rename to " + table + "_hidden");
            }

            JsonNode byLink = stats(program, "&groupBy=link");
            JsonNode byPartner = stats(program, "&groupBy=partner");
            JsonNode today = api.get("/v1/stats?programId=" + Ulid.encode(program))
                    .expect(200)
                    .json();

            assertThat(byLink.at("/totals/clicks").asLong()).isEqualTo(5);
            assertThat(byPartner.at("/totals/conversions").asLong()).isEqualTo(1);
            assertThat(today.get("currency").asText()).isEqualTo("EUR");
        } finally {
            for (String table : PRIMARY_TABLES) {
                primary.execute("alter table if exists " + table + "_hidden rename to " + table);
            }
        }
    }

    @Test
    void theRollupJobWritesToThePrimary() {
        // Its run at start (the test clock then said 2030-01-15) rolled up that day and the one
        // before on the primary; the read database only has the days seeded here.
        LocalDate started = LocalDate.parse("2030-01-15");
        String query = "select count(*) from click_rollup_day where day = ?";

        assertThat(primary.fetchSingle(query, started).get(0, Long.class)).isEqualTo(1);
        assertThat(replica.fetchSingle(query, started).get(0, Long.class)).isZero();
    }

    private static final String[] PRIMARY_TABLES = {
        "program",
        "click",
        "click_daily",
        "click_daily_partner",
        "click_daily_program",
        "click_monthly",
        "click_monthly_partner",
        "click_rollup_day",
        "event",
        "attribution",
        "commission"
    };
}
