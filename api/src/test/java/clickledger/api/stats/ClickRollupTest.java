package clickledger.api.stats;

import static clickledger.db.jooq.Tables.CLICK_DAILY;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PARTNER;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PROGRAM;
import static clickledger.db.jooq.Tables.CLICK_ROLLUP_DAY;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The click rollups and the job that keeps them current. Each test has a database of its own: a
 * run rolls up every earlier day, so one test's run would otherwise mark another test's days done
 * before that test wrote its clicks.
 */
class ClickRollupTest {
    private TestApi api;
    private StatsSeed seed;

    @BeforeEach
    void start() {
        api = TestApi.start(Map.of("STATS_ROLLUP_SECONDS", "86400"));
        StatsSeed.awaitFirstRollupRun(api);
        seed = new StatsSeed(api.dsl());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private ClickRollup rollup() {
        return new ClickRollup(api.dsl(), api.clock());
    }

    private ClickRollupJob job() {
        return new ClickRollupJob(
                rollup(), new MoneyRollup(api.dsl()), api.clock(), Duration.ofHours(1), new SimpleMeterRegistry());
    }

    private StatsSeed.Link newLink() {
        return seed.link(seed.program("EUR"), seed.partner());
    }

    /** Every rollup row of a program, with the transaction that wrote it (xmin). */
    private List<String> rollupRows(UUID program) {
        List<String> rows = new ArrayList<>();
        rows.addAll(api.dsl()
                .select(
                        DSL.field("xmin::text"),
                        CLICK_DAILY.DAY,
                        CLICK_DAILY.LINK_ID,
                        CLICK_DAILY.CLICKS,
                        CLICK_DAILY.BILLABLE,
                        CLICK_DAILY.VISITORS)
                .from(CLICK_DAILY)
                .where(CLICK_DAILY.PROGRAM_ID.eq(program))
                .orderBy(CLICK_DAILY.DAY, CLICK_DAILY.LINK_ID)
                .fetch()
                .map(Object::toString));
        rows.addAll(api.dsl()
                .select(
                        DSL.field("xmin::text"),
                        CLICK_DAILY_PARTNER.DAY,
                        CLICK_DAILY_PARTNER.PARTNER_ID,
                        CLICK_DAILY_PARTNER.CLICKS,
                        CLICK_DAILY_PARTNER.BILLABLE,
                        CLICK_DAILY_PARTNER.VISITORS)
                .from(CLICK_DAILY_PARTNER)
                .where(CLICK_DAILY_PARTNER.PROGRAM_ID.eq(program))
                .orderBy(CLICK_DAILY_PARTNER.DAY, CLICK_DAILY_PARTNER.PARTNER_ID)
                .fetch()
                .map(Object::toString));
        rows.addAll(api.dsl()
                .select(
                        DSL.field("xmin::text"),
                        CLICK_DAILY_PROGRAM.DAY,
                        CLICK_DAILY_PROGRAM.CLICKS,
                        CLICK_DAILY_PROGRAM.BILLABLE,
                        CLICK_DAILY_PROGRAM.VISITORS)
                .from(CLICK_DAILY_PROGRAM)
                .where(CLICK_DAILY_PROGRAM.PROGRAM_ID.eq(program))
                .orderBy(CLICK_DAILY_PROGRAM.DAY)
                .fetch()
                .map(Object::toString));
        return rows;
    }

    private long linkClicks(StatsSeed.Link link, String day) {
        Long clicks = api.dsl()
                .select(CLICK_DAILY.CLICKS)
                .from(CLICK_DAILY)
                .where(CLICK_DAILY.LINK_ID.eq(link.id()))
                .and(CLICK_DAILY.DAY.eq(LocalDate.parse(day)))
                .fetchOne(CLICK_DAILY.CLICKS);
        return clicks == null ? 0 : clicks;
    }

    private JsonNode totals(UUID program, String from, String to) {
        return api.get("/v1/stats?programId=" + Ulid.encode(program) + "&from=" + from + "&to=" + to)
                .expect(200)
                .json()
                .get("totals");
    }

    @Test
    void rollupWritesEveryGrainAndRunningItAgainChangesNothing() {
        api.clock().set(Instant.parse("2030-07-01T12:00:00Z"));
        StatsSeed.Link first = newLink();
        StatsSeed.Link second = seed.link(first.programId(), first.partnerId());
        seed.click(first, "2030-06-03T10:00:00Z", 1);
        seed.click(second, "2030-06-03T11:00:00Z", 1);
        seed.click(first, Instant.parse("2030-06-03T12:00:00Z"), 2, true, null);
        seed.click(first, "2030-06-17T10:00:00Z", 3);

        ClickRollup.Result written = rollup().rebuild(LocalDate.parse("2030-06-01"), LocalDate.parse("2030-06-30"));

        assertThat(written).isEqualTo(new ClickRollup.Result(3, 2, 2, 3));
        List<String> rows = rollupRows(first.programId());
        assertThat(rows).hasSize(7);
        assertThat(api.dsl()
                        .select(CLICK_DAILY_PROGRAM.CLICKS, CLICK_DAILY_PROGRAM.BILLABLE, CLICK_DAILY_PROGRAM.VISITORS)
                        .from(CLICK_DAILY_PROGRAM)
                        .where(CLICK_DAILY_PROGRAM.PROGRAM_ID.eq(first.programId()))
                        .and(CLICK_DAILY_PROGRAM.DAY.eq(LocalDate.parse("2030-06-03")))
                        .fetchSingle()
                        .intoList())
                .containsExactly(3L, 2L, 1L);

        ClickRollup.Result again = rollup().rebuild(LocalDate.parse("2030-06-01"), LocalDate.parse("2030-06-30"));

        assertThat(again).isEqualTo(ClickRollup.Result.NONE);
        assertThat(rollupRows(first.programId())).isEqualTo(rows);
    }

    @Test
    void nextRunPicksUpLateClicksOfYesterdayAndToday() {
        api.clock().set(Instant.parse("2030-08-15T12:00:00Z"));
        StatsSeed.Link link = newLink();
        seed.click(link, "2030-08-14T10:00:00Z", 1);
        seed.click(link, "2030-08-14T11:00:00Z", 2);
        seed.click(link, "2030-08-15T09:00:00Z", 1);
        ClickRollupJob job = job();
        assertThat(job.runOnce()).isTrue();
        assertThat(linkClicks(link, "2030-08-14")).isEqualTo(2);
        assertThat(linkClicks(link, "2030-08-15")).isEqualTo(1);

        // Replayed from a router's spool: committed now, stamped with when the visitor clicked.
        seed.click(link, "2030-08-14T23:00:00Z", 3);
        seed.click(link, "2030-08-15T10:00:00Z", 4);
        assertThat(job.runOnce()).isTrue();

        assertThat(linkClicks(link, "2030-08-14")).isEqualTo(3);
        assertThat(linkClicks(link, "2030-08-15")).isEqualTo(2);
        JsonNode totals = totals(link.programId(), "2030-08-14", "2030-08-15");
        assertThat(totals.get("clicks").asLong()).isEqualTo(5);
        assertThat(totals.get("uniqueVisitors").asLong()).isEqualTo(5);
    }

    @Test
    void clicksAfterTheLastRunAreCountedLiveAndOnceAfterTheNextRun() {
        api.clock().set(Instant.parse("2030-09-10T23:50:00Z"));
        StatsSeed.Link link = newLink();
        seed.click(link, "2030-09-10T08:00:00Z", 1);
        assertThat(job().runOnce()).isTrue();
        // After that run: one click late in the day, and one each from two visitors after midnight.
        seed.click(link, "2030-09-10T23:59:30Z", 2);
        api.clock().set(Instant.parse("2030-09-11T00:05:00Z"));
        seed.click(link, "2030-09-11T00:01:00Z", 2);
        seed.click(link, Instant.parse("2030-09-11T00:02:00Z"), 3, false, "burst");

        JsonNode live = totals(link.programId(), "2030-09-10", "2030-09-11");

        assertThat(live.get("clicks").asLong()).isEqualTo(4);
        assertThat(live.get("billableClicks").asLong()).isEqualTo(3);
        // Visitor 2 on each day, visitor 1 on the 10th, visitor 3 on the 11th.
        assertThat(live.get("uniqueVisitors").asLong()).isEqualTo(4);
        JsonNode byLink = api.get("/v1/stats?programId=" + Ulid.encode(link.programId())
                        + "&from=2030-09-10&to=2030-09-11&groupBy=link")
                .expect(200)
                .json();
        assertThat(byLink.at("/rows/0/clicks").asLong()).isEqualTo(4);

        assertThat(job().runOnce()).isTrue();

        assertThat(linkClicks(link, "2030-09-10")).isEqualTo(2);
        assertThat(linkClicks(link, "2030-09-11")).isEqualTo(2);
        JsonNode rolledUp = totals(link.programId(), "2030-09-10", "2030-09-11");
        assertThat(rolledUp.get("clicks").asLong()).isEqualTo(4);
        assertThat(rolledUp.get("billableClicks").asLong()).isEqualTo(3);
        assertThat(rolledUp.get("uniqueVisitors").asLong()).isEqualTo(4);
    }

    @Test
    void thisMonthReadFromItsMonthlySumStillAddsTheClicksAfterTheLastRun() {
        api.clock().set(Instant.parse("2030-09-20T12:00:00Z"));
        StatsSeed.Link link = newLink();
        seed.click(link, "2030-09-01T08:00:00Z", 1);
        seed.click(link, "2030-09-20T10:00:00Z", 2);
        assertThat(job().runOnce()).isTrue();
        seed.click(link, "2030-09-20T11:59:58Z", 3);

        // The whole of September so far is one monthly row per link, plus the live click.
        String month = "/v1/stats?programId=" + Ulid.encode(link.programId()) + "&from=2030-09-01&to=2030-09-30";
        JsonNode byLink = api.get(month + "&groupBy=link").expect(200).json();
        JsonNode byDay = api.get(month + "&groupBy=day").expect(200).json();

        assertThat(byLink.at("/rows/0/clicks").asLong()).isEqualTo(3);
        assertThat(byLink.at("/rows/0/uniqueVisitors").asLong()).isEqualTo(3);
        assertThat(byLink.get("totals")).isEqualTo(byDay.get("totals"));
    }

    @Test
    void firstRunRollsUpEveryEarlierDayThatNeverWas() {
        api.clock().set(Instant.parse("2030-11-05T12:00:00Z"));
        StatsSeed.Link link = newLink();
        seed.click(link, "2030-10-02T10:00:00Z", 1);
        seed.click(link, "2030-10-20T10:00:00Z", 1);
        seed.click(link, "2030-11-05T10:00:00Z", 1);
        assertThat(rollup().incompleteDaysBefore(LocalDate.parse("2030-11-04")))
                .contains(LocalDate.parse("2030-10-02"), LocalDate.parse("2030-10-20"), LocalDate.parse("2030-11-03"));

        assertThat(job().runOnce()).isTrue();

        assertThat(linkClicks(link, "2030-10-02")).isEqualTo(1);
        assertThat(linkClicks(link, "2030-10-20")).isEqualTo(1);
        assertThat(linkClicks(link, "2030-11-05")).isEqualTo(1);
        assertThat(rollup().incompleteDaysBefore(LocalDate.parse("2030-11-04"))).isEmpty();
        // Quiet days are marked complete too, so they are not looked at again.
        assertThat(api.dsl()
                        .select(CLICK_ROLLUP_DAY.THROUGH)
                        .from(CLICK_ROLLUP_DAY)
                        .where(CLICK_ROLLUP_DAY.DAY.eq(LocalDate.parse("2030-10-10")))
                        .fetchOne(CLICK_ROLLUP_DAY.THROUGH))
                .isEqualTo(OffsetDateTime.parse("2030-10-11T00:00:00Z"));
    }

    @Test
    void aRunIsSkippedWhileAnotherProcessHoldsTheLock() throws SQLException {
        api.clock().set(Instant.parse("2030-12-10T12:00:00Z"));
        StatsSeed.Link link = newLink();
        seed.click(link, "2030-12-10T10:00:00Z", 1);

        // Held in an open transaction, the way another api process's run holds it; a session lock
        // would not stay on one server connection behind a transaction-mode PgBouncer.
        try (Connection other = api.app().database().pool().getConnection();
                Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            statement.execute("select pg_advisory_xact_lock(" + ClickRollup.LOCK_KEY + ")");
            try {
                assertThat(rollup().tryRebuild(LocalDate.parse("2030-12-10"), LocalDate.parse("2030-12-10")))
                        .isEmpty();
                assertThat(job().runOnce()).isTrue();
                assertThat(linkClicks(link, "2030-12-10")).isZero();
            } finally {
                other.rollback();
                other.setAutoCommit(true);
            }
        }

        assertThat(rollup().tryRebuild(LocalDate.parse("2030-12-10"), LocalDate.parse("2030-12-10")))
                .hasValue(new ClickRollup.Result(1, 1, 1, 2));
    }
}
