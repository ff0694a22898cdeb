package clickledger.api.stats;

import static clickledger.db.jooq.Tables.CLICK_DAILY;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PARTNER;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PROGRAM;
import static clickledger.db.jooq.Tables.CLICK_LATE_DAY;
import static clickledger.db.jooq.Tables.CLICK_MONTHLY;
import static clickledger.db.jooq.Tables.CLICK_MONTHLY_PARTNER;
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
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
                .map(row -> CLICK_DAILY_PROGRAM.getName() + row.intoList()));
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
    void clicksWrittenLongAfterTheirTimeAreCountedByTheNextRun() {
        // Lateness is judged by PostgreSQL's clock (V7's trigger), so this test runs at the real time.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        api.clock().set(now);
        StatsSeed.Link link = newLink();
        List<Visit> visits = new ArrayList<>(List.of(
                new Visit(now.minus(Duration.ofHours(26)), 1),
                new Visit(now.minus(Duration.ofHours(25)), 2),
                new Visit(now.minus(Duration.ofMinutes(10)), 1)));
        visits.forEach(visit -> seed.click(link, visit.at(), visit.visitor(), false, null));
        ClickRollupJob job = job();
        assertThat(job.runOnce()).isTrue();
        assertClicksPerDay(link, visits);

        // Replayed from a router's spool: committed now, stamped with when the visitor clicked.
        List<Visit> late =
                List.of(new Visit(now.minus(Duration.ofHours(24)), 3), new Visit(now.minus(Duration.ofMinutes(5)), 4));
        late.forEach(visit -> seed.click(link, visit.at(), visit.visitor(), false, null));
        visits.addAll(late);
        assertThat(api.dsl().fetchCount(CLICK_LATE_DAY)).isPositive();
        api.clock().set(now.plusSeconds(60));
        assertThat(job.runOnce()).isTrue();

        assertClicksPerDay(link, visits);
        assertThat(api.dsl().fetchCount(CLICK_LATE_DAY)).isZero();
        LocalDate from = LocalDate.ofInstant(now.minus(Duration.ofHours(26)), ZoneOffset.UTC);
        JsonNode totals = totals(
                link.programId(),
                from.toString(),
                LocalDate.ofInstant(now, ZoneOffset.UTC).toString());
        assertThat(totals.get("clicks").asLong()).isEqualTo(5);
        assertThat(totals.get("uniqueVisitors").asLong())
                .isEqualTo(visits.stream()
                        .map(visit -> LocalDate.ofInstant(visit.at(), ZoneOffset.UTC) + "/" + visit.visitor())
                        .distinct()
                        .count());
    }

    private record Visit(Instant at, int visitor) {}

    private void assertClicksPerDay(StatsSeed.Link link, List<Visit> visits) {
        Map<LocalDate, Long> expected = new java.util.TreeMap<>();
        visits.forEach(visit -> expected.merge(LocalDate.ofInstant(visit.at(), ZoneOffset.UTC), 1L, Long::sum));
        expected.forEach((day, clicks) -> assertThat(linkClicks(link, day.toString()))
                .as("clicks of %s", day)
                .isEqualTo(clicks));
    }

    /**
     * A run reads only the clicks after the watermark: a click slipped in below it without a late
     * note (what the watermark rules exist to prevent) stays uncounted until the day is rebuilt,
     * which shows the run did not rescan the day. Times run ahead of the real clock, so PostgreSQL
     * never sees these clicks as late.
     */
    @Test
    void aRunCountsOnlyTheClicksSinceTheLastRun() {
        Instant now = Instant.now()
                .plus(Duration.ofDays(2))
                .truncatedTo(ChronoUnit.HOURS)
                .plus(Duration.ofMinutes(30));
        api.clock().set(now);
        StatsSeed.Link link = newLink();
        seed.click(link, now.minus(Duration.ofMinutes(20)), 1, false, null);
        ClickRollupJob job = job();
        assertThat(job.runOnce()).isTrue();
        String day = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
        assertThat(linkClicks(link, day)).isEqualTo(1);

        seed.click(link, now.minus(Duration.ofMinutes(10)), 2, false, null);
        seed.click(link, now.plus(Duration.ofSeconds(30)), 3, false, null);
        api.clock().set(now.plus(Duration.ofMinutes(1)));
        assertThat(job.runOnce()).isTrue();

        assertThat(linkClicks(link, day)).isEqualTo(2);
        rollup().rebuild(LocalDate.parse(day), LocalDate.parse(day));
        assertThat(linkClicks(link, day)).isEqualTo(3);
    }

    /**
     * Runs add up to what a rebuild from scratch counts, at every grain and in the months:
     * visitors seen in an earlier run of the day, on another link of the partner, or as a bot are
     * not counted again.
     */
    @Test
    void runsAddUpToARebuildFromScratch() {
        Instant start = Instant.now()
                .plus(Duration.ofDays(3))
                .truncatedTo(ChronoUnit.DAYS)
                .plus(Duration.ofHours(23).plusMinutes(55));
        api.clock().set(start);
        UUID program = seed.program("EUR");
        UUID partner = seed.partner();
        List<StatsSeed.Link> links =
                List.of(seed.link(program, partner), seed.link(program, partner), seed.link(program, seed.partner()));
        ClickRollupJob job = job();
        assertThat(job.runOnce()).isTrue();
        java.util.Random random = new java.util.Random(17);
        Instant time = start;
        // Twelve runs a minute apart across midnight, each after a few clicks of a few visitors
        // between the last run's watermark (15 s before it, and a millisecond: every read of the
        // test clock advances it) and the next one's.
        for (int run = 0; run < 12; run++) {
            for (int i = 0; i < 15; i++) {
                Instant at = time.plus(Duration.ofSeconds(random.nextInt(58) - 14));
                int roll = random.nextInt(10);
                seed.click(
                        links.get(random.nextInt(links.size())),
                        at,
                        1 + random.nextInt(8),
                        roll == 0,
                        roll == 1 ? "burst" : null);
            }
            time = time.plus(Duration.ofMinutes(1));
            api.clock().set(time);
            assertThat(job.runOnce()).isTrue();
        }
        List<String> incremental = rollupFigures(program);

        LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
        rollup().rebuild(first, first.plusDays(1));

        assertThat(incremental).hasSizeGreaterThan(6).isEqualTo(rollupFigures(program));
    }

    /**
     * The watermark never passes a click whose transaction is still open: it would be committed
     * behind it, with no late note, and never counted.
     */
    @Test
    void aClickOfATransactionStillOpenIsCountedOnceItCommits() throws SQLException {
        Instant now = Instant.now()
                .plus(Duration.ofDays(2))
                .truncatedTo(ChronoUnit.HOURS)
                .plus(Duration.ofMinutes(30));
        api.clock().set(now);
        StatsSeed.Link link = newLink();
        ClickRollupJob job = job();
        assertThat(job.runOnce()).isTrue();
        String day = LocalDate.ofInstant(now, ZoneOffset.UTC).toString();
        try (Connection other = api.app().database().pool().getConnection()) {
            other.setAutoCommit(false);
            try (var insert =
                    other.prepareStatement("insert into click (id, ts, link_id, program_id, partner_id, ip_hash)"
                            + " values (?, ?, ?, ?, ?, ?)")) {
                Instant at = now.plusSeconds(10);
                insert.setObject(1, Ulid.newUuidV7(at.toEpochMilli()));
                insert.setObject(2, at.atOffset(ZoneOffset.UTC));
                insert.setObject(3, link.id());
                insert.setObject(4, link.programId());
                insert.setObject(5, link.partnerId());
                insert.setBytes(6, StatsSeed.ipHash(1));
                insert.executeUpdate();
            }
            api.clock().set(now.plus(Duration.ofMinutes(2)));
            assertThat(job.runOnce()).isTrue();
            other.commit();
        }
        assertThat(linkClicks(link, day)).isZero();

        api.clock().set(now.plus(Duration.ofMinutes(3)));
        assertThat(job.runOnce()).isTrue();

        assertThat(linkClicks(link, day)).isEqualTo(1);
    }

    /** Clicks, billable clicks and visitors of every daily and monthly rollup row of the program. */
    private List<String> rollupFigures(UUID program) {
        List<String> rows = new ArrayList<>();
        for (var table :
                List.of(CLICK_DAILY, CLICK_MONTHLY, CLICK_DAILY_PARTNER, CLICK_MONTHLY_PARTNER, CLICK_DAILY_PROGRAM)) {
            // The period (day or month) first, then the link or partner where the grain has one.
            var key = table.field("link_id") != null ? table.field("link_id") : table.field("partner_id");
            var period = table.field(0);
            rows.addAll(api.dsl()
                    .select(
                            period,
                            key == null ? period : key,
                            table.field("clicks"),
                            table.field("billable"),
                            table.field("visitors"))
                    .from(table)
                    .where(table.field("program_id", UUID.class).eq(program))
                    .orderBy(period, key == null ? period : key)
                    .fetch()
                    .map(row -> table.getName() + row.intoList()));
        }
        return rows;
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
