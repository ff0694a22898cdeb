package clickledger.api.stats;

import static clickledger.db.jooq.Tables.ATTRIBUTION;
import static clickledger.db.jooq.Tables.CLICK_DAILY;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PARTNER;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PROGRAM;
import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.STATS_CHANGE;
import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The money of the rollups: triggers note the days a change touches, MoneyRollup recomputes them,
 * and until it has, stats read those days live, so an answer never waits for the job. Each test
 * has a database of its own, since the notes are shared by every program.
 */
class StatsMoneyRollupTest {
    private TestApi api;
    private StatsSeed seed;

    @BeforeEach
    void start() {
        api = TestApi.start(Map.of("STATS_ROLLUP_SECONDS", "86400"));
        StatsSeed.awaitFirstRollupRun(api);
        api.clock().set(Instant.parse("2030-04-20T12:00:00Z"));
        seed = new StatsSeed(api.dsl());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private List<LocalDate> notedDays(UUID program) {
        return api.dsl()
                .selectDistinct(STATS_CHANGE.DAY)
                .from(STATS_CHANGE)
                .where(STATS_CHANGE.PROGRAM_ID.eq(program))
                .orderBy(STATS_CHANGE.DAY)
                .fetch(STATS_CHANGE.DAY);
    }

    private String totals(UUID program, String from, String to) {
        return api.get("/v1/stats?programId=" + Ulid.encode(program) + "&from=" + from + "&to=" + to)
                .expect(200)
                .json()
                .get("totals")
                .toString();
    }

    @Test
    void liveAndRolledUpMoneyGiveTheSameAnswers() {
        StatsScenario scenario = StatsScenario.seed(seed);
        new ClickRollup(api.dsl(), api.clock()).rebuild(LocalDate.parse("2029-12-01"), LocalDate.parse("2030-04-19"));
        String base = "/v1/stats?programId=" + Ulid.encode(scenario.program());
        List<String> questions = List.of(
                "&from=2030-01-01&to=2030-03-31",
                "&from=2030-01-01&to=2030-03-31&groupBy=partner",
                "&from=2030-01-01&to=2030-03-31&groupBy=link",
                "&from=2030-01-05&to=2030-03-05&groupBy=partner",
                "&from=2030-01-05&to=2030-03-05&groupBy=link&partnerId=" + Ulid.encode(scenario.partnerA()),
                "&from=2029-12-01&to=2030-04-20&groupBy=day&linkId="
                        + Ulid.encode(scenario.b1().id()),
                "&from=2027-04-21&to=2030-04-20&groupBy=partner");
        assertThat(notedDays(scenario.program()))
                .contains(LocalDate.parse("2030-01-12"), LocalDate.parse("2030-03-10"));
        Map<String, String> live = new LinkedHashMap<>();
        questions.forEach(question ->
                live.put(question, api.get(base + question).expect(200).body()));

        StatsSeed.applyMoneyChanges(api.dsl());

        assertThat(notedDays(scenario.program())).isEmpty();
        questions.forEach(
                question -> assertThat(api.get(base + question).expect(200).body())
                        .as(question)
                        .isEqualTo(live.get(question)));
        assertThat(new MoneyRollup(api.dsl()).tryApplyChanges().orElseThrow().days())
                .isZero();
    }

    @Test
    void triggersNoteTheDaysWhoseMoneyChangedAndNothingElse() {
        UUID program = seed.program("USD");
        StatsSeed.Link link = seed.link(program, seed.partner());
        UUID event = seed.conversion(program, "2030-02-01T10:00:00Z", 5000, "USD");
        UUID touch = seed.attribution(event, link, "1", 5000);
        UUID commission = seed.commission(event, touch, link, 500, "USD", "pending");
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-01"));
        StatsSeed.applyMoneyChanges(api.dsl());

        // Approving and paying leave every figure as it was.
        api.dsl()
                .update(COMMISSION)
                .set(COMMISSION.STATUS, "approved")
                .where(COMMISSION.ID.eq(commission))
                .execute();
        api.dsl()
                .update(COMMISSION)
                .set(COMMISSION.STATUS, "paid")
                .where(COMMISSION.ID.eq(commission))
                .execute();
        assertThat(notedDays(program)).isEmpty();

        // A refund: a reversal on the refund's day.
        UUID refund = seed.event(program, Instant.parse("2030-02-05T10:00:00Z"), 5000, "USD", "refund", event);
        seed.commission(refund, touch, link, -500, "USD", "approved", "reversal", commission);
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-05"));
        StatsSeed.applyMoneyChanges(api.dsl());

        // A rejection, and an event no longer counted as a conversion, touch the event's day.
        api.dsl()
                .update(COMMISSION)
                .set(COMMISSION.STATUS, "rejected")
                .where(COMMISSION.ID.eq(commission))
                .execute();
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-01"));
        StatsSeed.applyMoneyChanges(api.dsl());
        api.dsl()
                .update(EVENT)
                .set(EVENT.ATTRIBUTION_STATUS, "no_click")
                .where(EVENT.ID.eq(event))
                .execute();
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-01"));
    }

    private int notes(UUID program) {
        return api.dsl().fetchCount(STATS_CHANGE, STATS_CHANGE.PROGRAM_ID.eq(program));
    }

    @Test
    void anEventsTouchesAndCommissionsWrittenTogetherAreNotedOnce() {
        UUID program = seed.program("USD");
        StatsSeed.Link link = seed.link(program, seed.partner());
        UUID event = seed.conversion(program, "2030-02-01T10:00:00Z", 5000, "USD");
        assertThat(notes(program)).isZero();

        // As the event path writes them: its touch and the touch's commissions in one transaction.
        // The touch notes the day; its commissions (V70) add no second note.
        UUID[] touch = new UUID[1];
        api.dsl().transaction(configuration -> {
            StatsSeed together = new StatsSeed(configuration.dsl());
            touch[0] = together.attribution(event, link, "1", 5000);
            together.commission(event, touch[0], link, 500, "USD", "pending");
            together.commission(event, touch[0], link, 250, "USD", "pending");
        });
        assertThat(notes(program)).isEqualTo(1);
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-01"));
        StatsSeed.applyMoneyChanges(api.dsl());

        // A commission whose touch an earlier transaction wrote changes the day's money on its own:
        // noted.
        seed.commission(event, touch[0], link, 100, "USD", "pending");
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-01"));
        StatsSeed.applyMoneyChanges(api.dsl());

        // So is one whose touch is another event's, even in the touch's transaction, and one
        // without a touch.
        UUID other = seed.conversion(program, "2030-02-03T10:00:00Z", 7000, "USD");
        api.dsl().transaction(configuration -> {
            StatsSeed together = new StatsSeed(configuration.dsl());
            together.commission(event, together.attribution(other, link, "1", 7000), link, 300, "USD", "pending");
        });
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-01"), LocalDate.parse("2030-02-03"));
        StatsSeed.applyMoneyChanges(api.dsl());
        api.dsl().transaction(configuration -> {
            StatsSeed together = new StatsSeed(configuration.dsl());
            together.attribution(other, link, "1", 0);
            together.commission(event, null, link, 50, "USD", "pending");
        });
        assertThat(notedDays(program)).containsExactly(LocalDate.parse("2030-02-01"), LocalDate.parse("2030-02-03"));
    }

    @Test
    void aDayWhoseMoneyIsGoneIsZeroedAtEveryGrain() {
        UUID program = seed.program("USD");
        StatsSeed.Link link = seed.link(program, seed.partner());
        UUID event = seed.conversion(program, "2030-03-03T10:00:00Z", 5000, "USD");
        UUID touch = seed.attribution(event, link, "1", 5000);
        UUID commission = seed.commission(event, touch, link, 500, "USD", "approved");
        StatsSeed.applyMoneyChanges(api.dsl());
        LocalDate day = LocalDate.parse("2030-03-03");
        assertThat(api.dsl()
                        .select(
                                CLICK_DAILY_PROGRAM.CONVERSIONS,
                                CLICK_DAILY_PROGRAM.REVENUE_MINOR,
                                CLICK_DAILY_PROGRAM.COMMISSIONS_MINOR)
                        .from(CLICK_DAILY_PROGRAM)
                        .where(CLICK_DAILY_PROGRAM.PROGRAM_ID.eq(program))
                        .and(CLICK_DAILY_PROGRAM.DAY.eq(day))
                        .fetchSingle()
                        .intoList())
                .containsExactly(1L, 5000L, 500L);

        // A re-derivation finds no touch for it after all.
        api.dsl().deleteFrom(COMMISSION).where(COMMISSION.ID.eq(commission)).execute();
        api.dsl().deleteFrom(ATTRIBUTION).where(ATTRIBUTION.ID.eq(touch)).execute();
        api.dsl()
                .update(EVENT)
                .set(EVENT.ATTRIBUTION_STATUS, "no_click")
                .where(EVENT.ID.eq(event))
                .execute();
        StatsSeed.applyMoneyChanges(api.dsl());

        assertThat(api.dsl()
                        .select(
                                CLICK_DAILY_PROGRAM.CONVERSIONS,
                                CLICK_DAILY_PROGRAM.REVENUE_MINOR,
                                CLICK_DAILY_PROGRAM.COMMISSIONS_MINOR)
                        .from(CLICK_DAILY_PROGRAM)
                        .where(CLICK_DAILY_PROGRAM.PROGRAM_ID.eq(program))
                        .and(CLICK_DAILY_PROGRAM.DAY.eq(day))
                        .fetchSingle()
                        .intoList())
                .containsExactly(0L, 0L, 0L);
        assertThat(api.dsl()
                        .select(CLICK_DAILY_PARTNER.CONVERSIONS, CLICK_DAILY_PARTNER.COMMISSIONS_MINOR)
                        .from(CLICK_DAILY_PARTNER)
                        .where(CLICK_DAILY_PARTNER.PROGRAM_ID.eq(program))
                        .fetchSingle()
                        .intoList())
                .containsExactly(0L, 0L);
        assertThat(api.dsl()
                        .select(CLICK_DAILY.CONVERSIONS, CLICK_DAILY.REVENUE_MINOR)
                        .from(CLICK_DAILY)
                        .where(CLICK_DAILY.LINK_ID.eq(link.id()))
                        .fetchSingle()
                        .intoList())
                .containsExactly(0L, 0L);
        assertThat(totals(program, "2030-03-01", "2030-03-31"))
                .contains("\"conversions\":0", "\"commissions\":\"0.00\"");
    }

    @Test
    void aChangeShowsInStatsAtOnceAndTheSameOnceRolledUp() {
        UUID program = seed.program("USD");
        StatsSeed.Link link = seed.link(program, seed.partner());
        UUID event = seed.conversion(program, "2030-04-02T10:00:00Z", 5000, "USD");
        UUID commission = seed.commission(event, seed.attribution(event, link, "1", 5000), link, 500, "USD", "pending");
        StatsSeed.applyMoneyChanges(api.dsl());
        assertThat(totals(program, "2030-04-01", "2030-04-30")).contains("\"commissions\":\"5.00\"");

        api.dsl()
                .update(COMMISSION)
                .set(COMMISSION.STATUS, "rejected")
                .where(COMMISSION.ID.eq(commission))
                .execute();

        String beforeTheJob = totals(program, "2030-04-01", "2030-04-30");
        assertThat(beforeTheJob).contains("\"commissions\":\"0.00\"", "\"conversions\":1", "\"revenue\":\"50.00\"");
        StatsSeed.applyMoneyChanges(api.dsl());
        assertThat(totals(program, "2030-04-01", "2030-04-30")).isEqualTo(beforeTheJob);
    }
}
