package clickledger.api.stats;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/stats?groupBy=country|device|browser|os|referrer|utmSource|utmCampaign} over real
 * HTTP: the answers from the dimension rollup (rebuilt days, a run's increment, and the clicks
 * after it counted live) equal a count of the raw clicks, dimension by dimension, bots and flagged
 * clicks counted as every stats figure counts them; the rollup stays within its cap per day, the
 * values beyond it counted as "other" so the totals still add up; the partner grain is a count from
 * scratch after rebuilds, runs, a late day and V73's backfill; a partner's /v1/me/stats and
 * /v1/stats?partnerId= see its own clicks only, rolled up and live; and a groupBy nobody knows is a
 * 400 naming the field and the values allowed.
 */
class StatsDimensionTest {
    private static final String RANGE = "&from=2030-04-10&to=2030-04-20";
    private static final Instant START = Instant.parse("2030-04-10T00:00:00Z");
    private static final Instant NOW = Instant.parse("2030-04-20T12:00:00Z");
    /** The day on which more distinct utm_campaign values arrive than the rollup names. */
    private static final LocalDate CROWDED = LocalDate.parse("2030-04-15");

    private static final String[] COUNTRIES = {"US", "DE", "FR", "GB", "BR", "IN", "JP", null};
    private static final String[] DEVICES = {"desktop", "phone", "tablet", "other", null};
    private static final String[] BROWSERS = {"Chrome", "Safari", "Firefox", "Edge", "Samsung Internet", "Other", null};
    private static final String[] SYSTEMS = {"Windows", "macOS", "iOS", "Android", "Linux", "Other", null};
    private static final String[] REFERRERS = {"google.com", "news.ycombinator.com", "t.co", "reddit.com", null};
    private static final String[] SOURCES = {"newsletter", "twitter", "", null, "partner-blog"};

    private static TestApi api;
    private static StatsSeed seed;
    private static UUID program;
    private static UUID partnerA;
    private static UUID partnerB;
    private static StatsSeed.Link a1;
    private static StatsSeed.Link b1;
    private static final SplittableRandom RANDOM = new SplittableRandom(19);
    private static int clickNumber;

    @BeforeAll
    static void start() {
        api = TestApi.start(Map.of("STATS_ROLLUP_SECONDS", "86400"));
        StatsSeed.awaitFirstRollupRun(api);
        api.clock().set(NOW);
        seed = new StatsSeed(api.dsl());
        program = seed.program("USD");
        partnerA = seed.partner();
        partnerB = seed.partner();
        a1 = seed.link(program, partnerA);
        b1 = seed.link(program, partnerB);
        // Another program's clicks never count here.
        StatsSeed.Link elsewhere = seed.link(seed.program("USD"), partnerA);
        for (int i = 0; i < 40; i++) {
            click(elsewhere, START.plus(Duration.ofHours(i)), "elsewhere-" + i);
        }
        // Ten and a half days of clicks, about 25 an hour, on both partners' links.
        for (Instant at = START; at.isBefore(NOW.minus(Duration.ofHours(1))); at = at.plusSeconds(150)) {
            click(RANDOM.nextInt(3) == 0 ? b1 : a1, at, "spring-" + RANDOM.nextInt(40));
        }
        // One crowded day: 130 campaigns, more than the 100 the rollup names a day.
        Instant crowded = CROWDED.atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(7);
        for (int campaign = 0; campaign < 130; campaign++) {
            for (int i = 0; i <= campaign % 3; i++) {
                click(a1, crowded.plusSeconds(campaign * 10L + i), "crowd-" + campaign);
            }
        }
        new ClickRollup(api.dsl(), api.clock()).rebuild(LocalDate.parse("2030-04-10"), LocalDate.parse("2030-04-20"));
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A click with random dimension values (bots are device "bot", as the parser says). */
    private static void click(StatsSeed.Link link, Instant at, String campaign) {
        boolean bot = RANDOM.nextInt(20) == 0;
        String flag = !bot && RANDOM.nextInt(25) == 0 ? "burst" : null;
        api.dsl()
                .execute(
                        """
                        insert into click (id, ts, link_id, program_id, partner_id, ip_hash, is_bot, bot_reason,
                                           fraud_flag, country, device, browser, os, referrer_domain, utm_source,
                                           utm_campaign)
                        values (cast(? as uuid), cast(? as timestamptz), cast(? as uuid), cast(? as uuid),
                                cast(? as uuid), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                        Ulid.newUuidV7(at.toEpochMilli()),
                        at.atOffset(ZoneOffset.UTC),
                        link.id(),
                        link.programId(),
                        link.partnerId(),
                        StatsSeed.ipHash(clickNumber++ % 500),
                        bot,
                        bot ? "user_agent" : null,
                        flag,
                        pick(COUNTRIES),
                        bot ? "bot" : pick(DEVICES),
                        pick(BROWSERS),
                        pick(SYSTEMS),
                        pick(REFERRERS),
                        pick(SOURCES),
                        RANDOM.nextInt(6) == 0 ? null : campaign);
    }

    private static String pick(String[] values) {
        return values[RANDOM.nextInt(values.length)];
    }

    private static JsonNode stats(String query) {
        return api.get("/v1/stats?programId=" + Ulid.encode(program) + query)
                .expect(200)
                .json();
    }

    /** Clicks and billable clicks by value ("" for none), counted from the raw clicks of the range. */
    private static Map<String, List<Long>> raw(GroupBy groupBy, UUID partner) {
        Map<String, List<Long>> counts = new HashMap<>();
        api.dsl()
                .fetch(
                        "select coalesce(" + DimensionRepository.valueOf(groupBy) + ", ''), count(*),"
                                + " count(*) filter (where not c.is_bot and c.fraud_flag is null)"
                                + " from click c where c.program_id = cast(? as uuid) and c.ts >= cast(? as timestamptz)"
                                + " and c.ts < cast(? as timestamptz)"
                                + (partner == null ? "" : " and c.partner_id = '" + partner + "'")
                                + " group by 1",
                        program,
                        START.atOffset(ZoneOffset.UTC),
                        Instant.parse("2030-04-21T00:00:00Z").atOffset(ZoneOffset.UTC))
                .forEach(row ->
                        counts.put(row.get(0, String.class), List.of(row.get(1, Long.class), row.get(2, Long.class))));
        return counts;
    }

    /** What an answer says, in the shape of {@link #raw}: named values, and "" for unknown. */
    private static Map<String, List<Long>> answered(JsonNode breakdown) {
        Map<String, List<Long>> counts = new HashMap<>();
        for (JsonNode row : breakdown.get("rows")) {
            counts.put(
                    row.get("key").asText(),
                    List.of(
                            row.get("clicks").asLong(),
                            row.get("billableClicks").asLong()));
        }
        JsonNode unknown = breakdown.get("unknown");
        if (unknown.get("clicks").asLong() > 0) {
            counts.put(
                    "",
                    List.of(
                            unknown.get("clicks").asLong(),
                            unknown.get("billableClicks").asLong()));
        }
        return counts;
    }

    private static void assertAddsUp(JsonNode breakdown, long clicks, long billable) {
        long rowClicks = 0;
        long rowBillable = 0;
        for (JsonNode row : breakdown.get("rows")) {
            rowClicks += row.get("clicks").asLong();
            rowBillable += row.get("billableClicks").asLong();
        }
        for (String rest : List.of("unknown", "other")) {
            rowClicks += breakdown.get(rest).get("clicks").asLong();
            rowBillable += breakdown.get(rest).get("billableClicks").asLong();
        }
        assertThat(rowClicks).as("clicks of " + breakdown).isEqualTo(clicks);
        assertThat(rowBillable).as("billable clicks of " + breakdown).isEqualTo(billable);
    }

    private static List<Long> rawTotals(Map<String, List<Long>> raw) {
        long clicks = raw.values().stream().mapToLong(figures -> figures.get(0)).sum();
        long billable =
                raw.values().stream().mapToLong(figures -> figures.get(1)).sum();
        return List.of(clicks, billable);
    }

    /**
     * Every dimension but utm_campaign (whose crowded day goes over the cap) answers exactly what
     * the raw clicks say; utm_campaign adds up, its named values never above the raw count.
     */
    private static void assertEveryDimensionMatchesTheRawClicks() {
        for (GroupBy groupBy : GroupBy.values()) {
            if (!groupBy.isDimension()) {
                continue;
            }
            JsonNode breakdown = stats(RANGE + "&groupBy=" + groupBy.wire() + "&limit=1000");
            Map<String, List<Long>> raw = raw(groupBy, null);
            List<Long> totals = rawTotals(raw);
            assertThat(breakdown.get("groupBy").asText()).isEqualTo(groupBy.wire());
            assertThat(breakdown.at("/totals/clicks").asLong()).isEqualTo(totals.get(0));
            assertThat(breakdown.at("/totals/billableClicks").asLong()).isEqualTo(totals.get(1));
            assertAddsUp(breakdown, totals.get(0), totals.get(1));
            if (groupBy == GroupBy.UTM_CAMPAIGN) {
                assertThat(breakdown.at("/other/clicks").asLong())
                        .as("over the cap")
                        .isPositive();
                answered(breakdown).forEach((value, figures) -> {
                    assertThat(figures.get(0))
                            .as(value)
                            .isLessThanOrEqualTo(raw.get(value).get(0));
                    assertThat(figures.get(1))
                            .as(value)
                            .isLessThanOrEqualTo(raw.get(value).get(1));
                });
            } else {
                assertThat(answered(breakdown)).as(groupBy.wire()).isEqualTo(raw);
                assertThat(breakdown.at("/other/clicks").asLong()).isZero();
            }
        }
    }

    /** Where the rollup's runs have counted the clicks up to. */
    private static Instant watermark() {
        return api.dsl()
                .fetchSingle("select watermark from click_rollup_state")
                .get(0, java.time.OffsetDateTime.class)
                .toInstant();
    }

    /** (partner, dimension, day) of a partner grain row: the rows of one partner's day and dimension. */
    private record PartnerDay(UUID partner, String dimension, LocalDate day) {}

    /**
     * The partner grain ({@code click_daily_partner_dimension}) of the days {@code from} to {@code
     * to} against a count from scratch of the clicks up to the rollup's watermark, for every
     * partner and dimension. {@code exact}: the days were rebuilt, so each (partner, dimension,
     * day) names exactly its {@link GroupBy#partnerCap()} busiest values (ties by value, in the
     * database's order) and counts the rest as 'o'. Otherwise (days a run added to), each adds up
     * to its clicks and billable clicks, its 'u' is exact, no named value counts more than its
     * clicks, at most the cap are named, and a day with no more values than the cap is exact.
     * Returns how many (partner, dimension, day) had an 'o' row.
     */
    private static int assertPartnerGrainMatchesTheClicks(LocalDate from, LocalDate to, boolean exact) {
        Map<String, Integer> caps = new HashMap<>();
        StringBuilder values = new StringBuilder();
        for (GroupBy groupBy : GroupBy.values()) {
            if (groupBy.isDimension()) {
                caps.put(groupBy.dimension(), groupBy.partnerCap());
                values.append(values.isEmpty() ? "" : ", ")
                        .append("('")
                        .append(groupBy.dimension())
                        .append("', ")
                        .append(DimensionRepository.valueOf(groupBy))
                        .append(')');
            }
        }
        var watermark = api.dsl()
                .fetchSingle("select watermark from click_rollup_state")
                .get(0, java.time.OffsetDateTime.class);
        var end = to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        // From scratch: each value's clicks, busiest first and ties by value as the database sorts.
        Map<PartnerDay, Map<String, List<Long>>> expected = new HashMap<>();
        Map<PartnerDay, List<Long>> totals = new HashMap<>();
        Map<PartnerDay, Map<String, List<Long>>> raw = new HashMap<>();
        Map<PartnerDay, Integer> distinct = new HashMap<>();
        api.dsl()
                .fetch(
                        "select c.partner_id, d.dimension, cast((c.ts at time zone 'UTC') as date), d.value, count(*),"
                                + " count(*) filter (where not c.is_bot and c.fraud_flag is null)"
                                + " from click c cross join lateral (values " + values + ") as d (dimension, value)"
                                + " where c.program_id = cast(? as uuid) and c.ts >= cast(? as timestamptz)"
                                + " and c.ts < cast(? as timestamptz)"
                                + " group by 1, 2, 3, 4 order by 1, 2, 3, 5 desc, 4",
                        program,
                        from.atStartOfDay().atOffset(ZoneOffset.UTC),
                        watermark.isBefore(end) ? watermark : end)
                .forEach(row -> {
                    PartnerDay key = new PartnerDay(
                            row.get(0, UUID.class), row.get(1, String.class), row.get(2, LocalDate.class));
                    String value = row.get(3, String.class);
                    List<Long> figures = List.of(row.get(4, Long.class), row.get(5, Long.class));
                    totals.merge(key, figures, StatsDimensionTest::sum);
                    Map<String, List<Long>> rows = expected.computeIfAbsent(key, k -> new HashMap<>());
                    if (value == null) {
                        rows.put("u/", figures);
                        return;
                    }
                    raw.computeIfAbsent(key, k -> new HashMap<>()).put(value, figures);
                    int rank = distinct.merge(key, 1, Integer::sum);
                    if (rank <= caps.get(key.dimension())) {
                        rows.put("v/" + value, figures);
                    } else {
                        rows.merge("o/", figures, StatsDimensionTest::sum);
                    }
                });
        Map<PartnerDay, Map<String, List<Long>>> actual = new HashMap<>();
        api.dsl()
                .fetch(
                        """
                        select partner_id, dimension, day, bucket, value, clicks, billable
                          from click_daily_partner_dimension
                         where program_id = cast(? as uuid) and day >= cast(? as date) and day <= cast(? as date)
                        """,
                        program,
                        from,
                        to)
                .forEach(row -> actual.computeIfAbsent(
                                new PartnerDay(
                                        row.get(0, UUID.class), row.get(1, String.class), row.get(2, LocalDate.class)),
                                k -> new HashMap<>())
                        .put(
                                row.get(3, String.class) + "/" + row.get(4, String.class),
                                List.of(row.get(5, Long.class), row.get(6, Long.class))));
        assertThat(actual.keySet()).as("the partners' days and dimensions").isEqualTo(expected.keySet());
        int overflowing = 0;
        for (var entry : expected.entrySet()) {
            PartnerDay key = entry.getKey();
            Map<String, List<Long>> rows = actual.get(key);
            if (rows.containsKey("o/")) {
                overflowing++;
            }
            boolean underCap = distinct.getOrDefault(key, 0) <= caps.get(key.dimension());
            if (exact || underCap) {
                assertThat(rows).as(key.toString()).isEqualTo(entry.getValue());
                continue;
            }
            assertThat(rows.values().stream().reduce(List.of(0L, 0L), StatsDimensionTest::sum))
                    .as("adds up: " + key)
                    .isEqualTo(totals.get(key));
            assertThat(rows.get("u/"))
                    .as("unknown of " + key)
                    .isEqualTo(entry.getValue().get("u/"));
            assertThat(rows.keySet().stream().filter(bucket -> bucket.startsWith("v/")))
                    .as("named of " + key)
                    .hasSizeLessThanOrEqualTo(caps.get(key.dimension()));
            rows.forEach((bucket, figures) -> {
                if (bucket.startsWith("v/")) {
                    List<Long> clicks = raw.get(key).get(bucket.substring(2));
                    assertThat(figures.get(0)).as(bucket).isLessThanOrEqualTo(clicks.get(0));
                    assertThat(figures.get(1)).as(bucket).isLessThanOrEqualTo(clicks.get(1));
                }
            });
        }
        return overflowing;
    }

    private static List<Long> sum(List<Long> a, List<Long> b) {
        return List.of(a.get(0) + b.get(0), a.get(1) + b.get(1));
    }

    @Test
    void thePartnerGrainIsACountFromScratchAfterRebuildsRunsAndALateDay() {
        LocalDate first = LocalDate.parse("2030-04-10");
        LocalDate yesterday = LocalDate.parse("2030-04-19");
        // The days rebuilt at the start: every partner, dimension and day exactly, some over the cap.
        assertThat(assertPartnerGrainMatchesTheClicks(first, yesterday, true))
                .as("(partner, dimension, day) with an 'o' row")
                .isPositive();
        // Today, which runs add to: it adds up, named values never above their clicks.
        assertPartnerGrainMatchesTheClicks(LocalDate.parse("2030-04-20"), LocalDate.parse("2030-04-20"), false);

        // A run over new clicks of partner B: many new campaigns (over B's cap), a new country.
        Instant watermark = watermark().isAfter(NOW) ? watermark() : NOW;
        for (int i = 0; i < 40; i++) {
            click(b1, watermark.plusMillis(100 + i), "run-" + (i % 20));
        }
        api.clock().set(watermark.plus(Duration.ofMinutes(1)));
        assertThat(new ClickRollup(api.dsl(), api.clock()).tryAdvance()).isPresent();
        assertPartnerGrainMatchesTheClicks(LocalDate.parse("2030-04-20"), LocalDate.parse("2030-04-20"), false);

        // A late day: clicks written long after their time (a spool replayed), the day noted late,
        // rebuilt by the next run, exactly as from scratch again.
        LocalDate late = LocalDate.parse("2030-04-12");
        for (int i = 0; i < 30; i++) {
            click(b1, late.atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(3 + i), "late-" + i);
            insertReferred(b1, late.atStartOfDay().toInstant(ZoneOffset.UTC).plusSeconds(3 + i), "late.example");
        }
        api.dsl().execute("insert into click_late_day (day) values (cast(? as date))", late);
        api.clock().set(watermark.plus(Duration.ofMinutes(2)));
        assertThat(new ClickRollup(api.dsl(), api.clock()).tryAdvance()).isPresent();
        assertThat(api.dsl()
                        .fetchSingle(
                                "select sum(clicks) from click_daily_partner_dimension where partner_id = cast(? as uuid)"
                                        + " and day = cast(? as date) and value = 'late.example'",
                                partnerB,
                                late)
                        .get(0, Long.class))
                .as("the late day's new referrer named")
                .isEqualTo(30);
        assertPartnerGrainMatchesTheClicks(first, yesterday, true);
        assertPartnerGrainMatchesTheClicks(LocalDate.parse("2030-04-20"), LocalDate.parse("2030-04-20"), false);
        api.clock().set(NOW);
    }

    @Test
    void rebuiltIncrementedAndLiveClicksAnswerAsTheRawClicksForEveryDimension() {
        assertEveryDimensionMatchesTheRawClicks();
        // Before the test could fail unnoticed, the table really answered: today's rows exist.
        assertThat(api.dsl()
                        .fetchSingle(
                                "select count(*) from click_daily_dimension where program_id = cast(? as uuid) and day = '2030-04-20'",
                                program)
                        .get(0, Long.class))
                .isPositive();

        // New clicks after the rollup's watermark (15 s before NOW, or where another test's runs
        // left it), of values the days have and new ones; the next run adds them (the increment)...
        Instant base = watermark().plusSeconds(1);
        for (int i = 0; i < 60; i++) {
            click(i % 2 == 0 ? a1 : b1, base.plusSeconds(i * 20L), i % 4 == 0 ? "fresh-" + i : "spring-" + i % 40);
        }
        api.clock().set(base.plus(Duration.ofMinutes(30)));
        assertThat(new ClickRollup(api.dsl(), api.clock()).tryAdvance()).isPresent();
        assertThat(api.dsl()
                        .fetchSingle(
                                "select count(*) from click_daily_dimension where program_id = cast(? as uuid)"
                                        + " and value like 'fresh-%'",
                                program)
                        .get(0, Long.class))
                .as("the run wrote the new values")
                .isPositive();
        assertPartnerGrainMatchesTheClicks(LocalDate.parse("2030-04-20"), LocalDate.parse("2030-04-20"), false);
        // ...and these come after the run: counted live.
        for (int i = 0; i < 30; i++) {
            click(a1, base.plus(Duration.ofMinutes(35)).plusMillis(i), "live-" + i);
        }
        assertEveryDimensionMatchesTheRawClicks();
        api.clock().set(NOW);
    }

    @Test
    void theRollupNamesAtMostItsCapOfValuesADayAndTheRestIsOther() {
        Map<String, Integer> caps = new HashMap<>();
        for (GroupBy groupBy : GroupBy.values()) {
            if (groupBy.isDimension()) {
                caps.put(groupBy.dimension(), groupBy.cap());
            }
        }
        api.dsl()
                .fetch(
                        """
                        select dimension, day, count(*) filter (where bucket = 'v'), sum(clicks) filter (where bucket = 'o')
                          from click_daily_dimension where program_id = cast(? as uuid) group by dimension, day
                        """,
                        program)
                .forEach(row -> assertThat(row.get(2, Integer.class))
                        .as(row.toString())
                        .isLessThanOrEqualTo(caps.get(row.get(0, String.class))));
        long named = api.dsl()
                .fetchSingle(
                        "select count(*) from click_daily_dimension where program_id = cast(? as uuid)"
                                + " and dimension = 'utm_campaign' and day = cast(? as date) and bucket = 'v'",
                        program,
                        CROWDED)
                .get(0, Long.class);
        assertThat(named).isEqualTo(GroupBy.UTM_CAMPAIGN.cap());
        // The busiest campaigns of the day are the ones named: crowd-2 had 3 clicks, crowd-0 one.
        JsonNode day = stats("&from=" + CROWDED + "&to=" + CROWDED + "&groupBy=utmCampaign&limit=1000");
        assertThat(day.get("rows").size()).isEqualTo(GroupBy.UTM_CAMPAIGN.cap());
        assertThat(day.get("rows").get(0).get("clicks").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(day.at("/other/clicks").asLong()).isPositive();
    }

    /** The program's dimension rows of the days before today, as text. */
    private static List<String> rowsBeforeToday() {
        return api.dsl()
                .fetch(
                        """
                        select concat_ws(' ', dimension, day, bucket, value, clicks, billable) from click_daily_dimension
                         where program_id = cast(? as uuid) and day < '2030-04-20'
                         order by dimension, day, bucket, value
                        """,
                        program)
                .getValues(0, String.class);
    }

    @Test
    void daysRolledUpBeforeV62AreFilledInByTheNextRunsThroughV63sLateNotes() throws Exception {
        List<String> before = rowsBeforeToday();
        assertThat(before).hasSizeGreaterThan(100);
        // An installation upgraded to V62: its days have V4's rollups and no dimension rows.
        api.dsl().execute("delete from click_daily_dimension");
        String migration;
        try (var in = getClass().getResourceAsStream("/db/migration/V63__click_dimension_backfill.sql")) {
            migration = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        api.dsl().execute(migration);
        assertThat(new ClickRollup(api.dsl(), api.clock()).tryAdvance()).isPresent();
        assertThat(rowsBeforeToday()).isEqualTo(before);
        assertThat(api.dsl().fetchCount(api.dsl().selectFrom("click_late_day"))).isZero();
    }

    @Test
    void daysRolledUpBeforeV72GetTheirPartnerRowsFromTheNextRunsThroughV73sLateNotes() throws Exception {
        String partnerRows =
                """
                select concat_ws(' ', partner_id, dimension, day, bucket, value, clicks, billable)
                  from click_daily_partner_dimension
                 where program_id = cast(? as uuid) and day < '2030-04-20'
                 order by partner_id, dimension, day, bucket, value
                """;
        List<String> before = api.dsl().fetch(partnerRows, program).getValues(0, String.class);
        assertThat(before).hasSizeGreaterThan(100);
        List<String> programRows = rowsBeforeToday();
        // An installation upgraded to V72: its days have every other rollup, no partner rows.
        api.dsl().execute("delete from click_daily_partner_dimension");
        String migration;
        try (var in = getClass().getResourceAsStream("/db/migration/V73__click_partner_dimension_backfill.sql")) {
            migration = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        api.dsl().execute(migration);
        long notes = api.dsl().fetchCount(api.dsl().selectFrom("click_late_day"));
        // Every day the rollup knows, once (a second run of the notes adds none).
        api.dsl().execute(migration);
        assertThat(api.dsl().fetchCount(api.dsl().selectFrom("click_late_day")))
                .isEqualTo(notes)
                .isEqualTo(api.dsl().fetchCount(api.dsl().selectFrom("click_rollup_day")));
        assertThat(new ClickRollup(api.dsl(), api.clock()).tryAdvance()).isPresent();
        assertThat(api.dsl().fetch(partnerRows, program).getValues(0, String.class))
                .isEqualTo(before);
        assertPartnerGrainMatchesTheClicks(LocalDate.parse("2030-04-10"), LocalDate.parse("2030-04-20"), true);
        assertThat(rowsBeforeToday()).as("the program grain as it was").isEqualTo(programRows);
        assertThat(api.dsl().fetchCount(api.dsl().selectFrom("click_late_day"))).isZero();
    }

    @Test
    void aLimitKeepsTheBusiestValuesAndCountsTheRestAsOther() {
        JsonNode all = stats(RANGE + "&groupBy=country");
        JsonNode top = stats(RANGE + "&groupBy=country&limit=3");
        assertThat(top.get("rows").size()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(top.get("rows").get(i)).isEqualTo(all.get("rows").get(i));
        }
        long rest = 0;
        for (int i = 3; i < all.get("rows").size(); i++) {
            rest += all.get("rows").get(i).get("clicks").asLong();
        }
        assertThat(top.at("/other/clicks").asLong()).isEqualTo(rest);
        assertAddsUp(
                top,
                all.at("/totals/clicks").asLong(),
                all.at("/totals/billableClicks").asLong());
        // Busiest first, and each share is clicks over the totals' clicks.
        JsonNode first = all.get("rows").get(0);
        assertThat(first.get("clicks").asLong())
                .isGreaterThanOrEqualTo(all.get("rows").get(1).get("clicks").asLong());
        assertThat(first.get("share").asText())
                .isEqualTo(Decimals.ratio(
                        first.get("clicks").asLong(), all.at("/totals/clicks").asLong()));
        // The totals are the program's, every figure, as groupBy=day reports them.
        assertThat(all.get("totals")).isEqualTo(stats(RANGE).get("totals"));
    }

    @Test
    void onePartnerIsReadFromThePartnerGrainAndOneLinkOrTagFromItsOwnClicks() {
        api.dsl()
                .execute(
                        "insert into link_tag (link_id, program_id, tag) values (cast(? as uuid), cast(? as uuid), 'spring')"
                                + " on conflict do nothing",
                        b1.id(),
                        program);
        for (GroupBy groupBy : List.of(GroupBy.COUNTRY, GroupBy.REFERRER, GroupBy.UTM_CAMPAIGN)) {
            Map<String, List<Long>> raw = raw(groupBy, partnerB);
            List<Long> totals = rawTotals(raw);
            JsonNode breakdown =
                    stats(RANGE + "&groupBy=" + groupBy.wire() + "&limit=1000&partnerId=" + Ulid.encode(partnerB));
            assertThat(breakdown.at("/totals/clicks").asLong()).isEqualTo(totals.get(0));
            assertAddsUp(breakdown, totals.get(0), totals.get(1));
            if (groupBy == GroupBy.UTM_CAMPAIGN) {
                // Some 40 campaigns a day, more than the partner grain's 10: the rest is "other".
                assertThat(breakdown.at("/other/clicks").asLong()).isPositive();
                assertThat(breakdown.get("rows").size()).isGreaterThanOrEqualTo(groupBy.partnerCap());
                answered(breakdown).forEach((value, figures) -> assertThat(figures.get(0))
                        .as(value)
                        .isLessThanOrEqualTo(raw.get(value).get(0)));
            } else {
                assertThat(answered(breakdown)).isEqualTo(raw);
                assertThat(breakdown.at("/other/clicks").asLong()).isZero();
            }
            // b1 is B's only link: its own clicks, exact and uncapped, by id or by its tag.
            JsonNode byLink =
                    stats(RANGE + "&groupBy=" + groupBy.wire() + "&limit=1000&linkId=" + Ulid.encode(b1.id()));
            assertThat(answered(byLink)).isEqualTo(raw);
            JsonNode byTag = stats(RANGE + "&groupBy=" + groupBy.wire() + "&limit=1000&tag=spring");
            assertThat(answered(byTag)).isEqualTo(raw);
            assertThat(byTag.at("/totals/clicks").asLong()).isEqualTo(totals.get(0));
        }
    }

    @Test
    void aPartnersBreakdownNeverHoldsAnotherPartnersClicksRolledUpOrLive() {
        // Partner B's clicks from one referrer only B has: on a rolled-up day (a late day the next
        // run rebuilds) and after the run's watermark (counted live).
        for (int i = 0; i < 5; i++) {
            insertReferred(b1, Instant.parse("2030-04-13T10:00:00Z").plusSeconds(i), "only-b.example");
        }
        api.dsl().execute("insert into click_late_day (day) values (date '2030-04-13')");
        Instant watermark = watermark().isAfter(NOW) ? watermark() : NOW;
        api.clock().set(watermark.plus(Duration.ofMinutes(1)));
        assertThat(new ClickRollup(api.dsl(), api.clock()).tryAdvance()).isPresent();
        assertThat(api.dsl()
                        .fetchSingle(
                                "select sum(clicks) from click_daily_partner_dimension where partner_id = cast(? as uuid)"
                                        + " and value = 'only-b.example'",
                                partnerB)
                        .get(0, Long.class))
                .as("through the rollup")
                .isEqualTo(5);
        Instant after = watermark();
        for (int i = 0; i < 3; i++) {
            insertReferred(b1, after.plusMillis(10 + i), "only-b.example");
        }
        String range = "&from=2030-04-10&to=2030-04-20&groupBy=referrer&limit=1000";
        for (UUID partner : List.of(partnerA, partnerB)) {
            JsonNode admin = stats(range + "&partnerId=" + Ulid.encode(partner));
            String key = partnerKey(partner);
            JsonNode own = api.send("GET", "/v1/me/stats?programId=" + Ulid.encode(program) + range, null, key)
                    .expect(200)
                    .json()
                    .at("/programs/0/breakdown");
            Map<String, List<Long>> raw = raw(GroupBy.REFERRER, partner);
            for (JsonNode breakdown : List.of(admin, own)) {
                assertThat(answered(breakdown)).isEqualTo(raw);
                List<Long> onlyB = answered(breakdown).get("only-b.example");
                if (partner.equals(partnerA)) {
                    assertThat(onlyB).as("partner A's breakdown").isNull();
                } else {
                    assertThat(onlyB.get(0)).as("rolled up and live").isEqualTo(8);
                }
            }
        }
        api.clock().set(NOW);
    }

    /** A partner-scoped API key of {@code partner}, a member of the program. */
    private static String partnerKey(UUID partner) {
        api.dsl()
                .execute(
                        "insert into partner_program (partner_id, program_id) values (cast(? as uuid), cast(? as uuid))"
                                + " on conflict do nothing",
                        partner,
                        program);
        return api.post(
                        "/v1/api-keys",
                        "{\"kind\":\"partner\",\"name\":\"p\",\"partnerId\":\"%s\"}".formatted(Ulid.encode(partner)))
                .expect(201)
                .json()
                .get("key")
                .asText();
    }

    /** A click of {@code link} from {@code referrer}, no other dimension. */
    private static void insertReferred(StatsSeed.Link link, Instant at, String referrer) {
        api.dsl()
                .execute(
                        """
                        insert into click (id, ts, link_id, program_id, partner_id, ip_hash, referrer_domain)
                        values (cast(? as uuid), cast(? as timestamptz), cast(? as uuid), cast(? as uuid),
                                cast(? as uuid), ?, ?)
                        """,
                        Ulid.newUuidV7(at.toEpochMilli()),
                        at.atOffset(ZoneOffset.UTC),
                        link.id(),
                        link.programId(),
                        link.partnerId(),
                        StatsSeed.ipHash(clickNumber++ % 500),
                        referrer);
    }

    @Test
    void aPartnerSeesOnlyItsOwnClicksByDimension() {
        for (UUID partner : List.of(partnerA, partnerB)) {
            String key = partnerKey(partner);
            JsonNode answer = api.send(
                            "GET",
                            "/v1/me/stats?groupBy=device&limit=1000&programId=" + Ulid.encode(program) + RANGE,
                            null,
                            key)
                    .expect(200)
                    .json();
            JsonNode breakdown = answer.at("/programs/0/breakdown");
            assertThat(breakdown.get("groupBy").asText()).isEqualTo("device");
            Map<String, List<Long>> own = raw(GroupBy.DEVICE, partner);
            assertThat(answered(breakdown)).isEqualTo(own);
            assertThat(own).isNotEqualTo(raw(GroupBy.DEVICE, null));
            assertThat(answer.at("/programs/0/totals/clicks").asLong())
                    .isEqualTo(rawTotals(own).get(0));
            // Asking for another partner's stats is not a thing a partner can say.
            assertThat(api.send("GET", "/v1/me/stats?groupBy=partner", null, key)
                            .expect(400)
                            .body())
                    .contains("groupBy")
                    .contains("utmCampaign");
        }
    }

    @Test
    void anUnknownGroupByIsA400NamingTheFieldAndTheValuesAllowed() {
        List<String> bodies = new ArrayList<>();
        for (String groupBy : List.of("planet", "COUNTRY", "utm_source", "referer", "%27%3B%20drop")) {
            TestApi.Response response = api.get("/v1/stats?programId=" + Ulid.encode(program) + "&groupBy=" + groupBy);
            assertThat(response.status()).as(groupBy).isEqualTo(400);
            assertThat(response.errorFields()).containsExactly("groupBy");
            bodies.add(response.body());
        }
        assertThat(bodies).allSatisfy(body -> assertThat(body)
                .contains("day, partner, link, country, device, browser, os, referrer, utmSource, utmCampaign"));
        assertThat(api.get("/v1/stats?programId=" + Ulid.encode(program) + "&groupBy=country&limit=0")
                        .expect(400)
                        .errorFields())
                .containsExactly("limit");
    }
}
