package clickledger.api.stats;

import static org.assertj.core.api.Assertions.assertThat;

import clickledger.api.TestApi;
import clickledger.api.link.LinkId;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.ExecuteListener;
import org.jooq.Query;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every query a stats request runs, explained by PostgreSQL over tables filled like a real
 * installation and analysed: 50 programs, 1,000 partners, three months of rollups holding clicks
 * and money, 40,000 events with their attribution and commissions, two days of clicks after the
 * last rollup run, and two days whose money changed since the rollup (read live). None of the
 * queries reads a large table whole, and each uses the index meant for it.
 */
class StatsExplainTest {
    // The tables that grow with traffic; program, partner and the rollup bookkeeping stay small.
    private static final Pattern LARGE_TABLE_SEQ_SCAN = Pattern.compile(
            "Seq Scan on (event|attribution|commission|click_daily\\w*|click_monthly\\w*|click_y\\d{4}m\\d{2})\\b");
    private static final LocalDate TODAY = LocalDate.parse("2030-04-20");
    private static final LocalDate LAST_30_DAYS = TODAY.minusDays(29);
    private static TestApi api;
    private static UUID program;
    private static UUID partner;
    private static UUID link;

    @BeforeAll
    static void seed() {
        api = TestApi.start(Map.of("STATS_ROLLUP_SECONDS", "86400"));
        StatsSeed.awaitFirstRollupRun(api);
        api.clock().set(Instant.parse("2030-04-20T12:00:00Z"));
        DSLContext dsl = api.dsl();
        dsl.execute(
                """
                insert into program (id, slug, name, destination_url, currency)
                select gen_random_uuid(), 'explain-program-' || p, 'Program', 'https://shop.example.com/', 'USD'
                from generate_series(1, 50) p""");
        dsl.execute(
                """
                insert into partner (id, email, name)
                select gen_random_uuid(), 'explain-' || n || '@example.com', 'Partner' from generate_series(1, 1000) n""");
        // Partner n belongs to program n % 50 and has two links.
        dsl.execute(
                """
                with programs as (select id, row_number() over (order by slug) - 1 as n from program),
                     partners as (select id, row_number() over (order by email) - 1 as n from partner)
                insert into link (id, slug, program_id, partner_id)
                select gen_random_uuid(), 'explain-link-' || pa.n || '-' || l, pr.id, pa.id
                from partners pa join programs pr on pr.n = pa.n % 50 cross join generate_series(1, 2) l""");
        dsl.execute(
                """
                insert into click_daily (day, link_id, program_id, partner_id, clicks, billable, visitors)
                select d::date, l.id, l.program_id, l.partner_id, 10, 9, 8
                from link l cross join generate_series(date '2030-01-15', date '2030-04-18', interval '1 day') d
                where l.slug like 'explain-link-%-1' or extract(day from d) % 2 = 0""");
        dsl.execute(
                """
                insert into click_daily_partner (day, program_id, partner_id, clicks, billable, visitors)
                select day, program_id, partner_id, sum(clicks), sum(billable), sum(visitors)
                from click_daily group by day, program_id, partner_id""");
        dsl.execute(
                """
                insert into click_daily_program (day, program_id, clicks, billable, visitors)
                select day, program_id, sum(clicks), sum(billable), sum(visitors)
                from click_daily group by day, program_id""");
        dsl.execute(
                """
                insert into click_monthly (month, link_id, program_id, partner_id, clicks, billable, visitors)
                select date_trunc('month', day)::date, link_id, program_id, partner_id, sum(clicks), sum(billable),
                       sum(visitors)
                from click_daily group by 1, 2, 3, 4""");
        dsl.execute(
                """
                insert into click_monthly_partner (month, program_id, partner_id, clicks, billable, visitors)
                select date_trunc('month', day)::date, program_id, partner_id, sum(clicks), sum(billable), sum(visitors)
                from click_daily_partner group by 1, 2, 3""");
        // Clicks by dimension: per program and day, 50 countries and 100 referrer domains (the cap).
        dsl.execute(
                """
                insert into click_daily_dimension (program_id, dimension, day, bucket, value, clicks, billable)
                select p.id, dim, d::date, 'v', dim || '-' || v, 10, 9
                from program p
                cross join generate_series(date '2030-01-15', date '2030-04-18', interval '1 day') d
                cross join (values ('country', 50), ('referrer', 100)) dims (dim, n)
                cross join lateral generate_series(1, dims.n) v""");
        // And per partner and day, up to the partner grain's cap: 10 countries and referrers.
        dsl.execute(
                """
                insert into click_daily_partner_dimension (program_id, partner_id, dimension, day, bucket, value,
                                                           clicks, billable)
                select l.program_id, l.partner_id, dim, d::date, 'v', dim || '-' || v, 2, 1
                from (select distinct program_id, partner_id from link) l
                cross join generate_series(date '2030-01-15', date '2030-04-18', interval '1 day') d
                cross join (values ('country'), ('referrer')) dims (dim)
                cross join generate_series(1, 10) v""");
        dsl.execute(
                """
                insert into click_rollup_day (day, through, rolled_at)
                select d::date, least(d + interval '1 day', timestamptz '2030-04-20T11:00:00Z'), now()
                from generate_series(date '2030-01-15', date '2030-04-20', interval '1 day') d
                on conflict (day) do update set through = excluded.through""");
        dsl.execute(
                "create table numbered_link as select row_number() over (order by slug) - 1 as position, * from link");
        // Two days of clicks, the rollups' live part.
        dsl.execute(
                """
                insert into click (id, ts, link_id, program_id, partner_id, ip_hash, is_bot)
                select gen_random_uuid(), timestamptz '2030-04-19T00:00:00Z' + (n * interval '8 seconds'),
                       l.id, l.program_id, l.partner_id, decode(md5((n % 5000)::text), 'hex'), n % 20 = 0
                from generate_series(1, 20000) n join numbered_link l on l.position = n % 2000""");
        // 100,000 events over the months: 90 % conversions, some refunds and unattributed ones;
        // one touch each, one commission per touch, a few rejected or reversed.
        dsl.execute(
                """
                insert into event (id, program_id, event_key, user_id, type, value_minor, currency, ts,
                                   attribution_status)
                select gen_random_uuid(), l.program_id, 'explain-' || n, 'user-' || n, 'purchase', 1000 + n % 5000,
                       'USD', timestamptz '2030-01-15T00:00:00Z' + (n * interval '200 seconds'),
                       case when n % 10 = 0 then 'no_identity' else 'attributed' end
                from generate_series(1, 40000) n join numbered_link l on l.position = n % 2000""");
        dsl.execute(
                """
                insert into attribution (id, event_id, click_id, click_ts, link_id, partner_id, program_id, model,
                                         weight, value_minor)
                select gen_random_uuid(), e.id, gen_random_uuid(), e.ts, l.id, l.partner_id, l.program_id,
                       'last_click', 1, e.value_minor
                from event e join link l on l.slug = 'explain-link-' || (substr(e.event_key, 9)::int % 1000) || '-1'
                where e.attribution_status = 'attributed'""");
        dsl.execute(
                """
                insert into commission (id, event_id, attribution_id, partner_id, program_id, amount_minor, currency,
                                        status, hold_until)
                select gen_random_uuid(), a.event_id, a.id, a.partner_id, a.program_id, a.value_minor / 10, 'USD',
                       case when random() < 0.05 then 'rejected' else 'approved' end, now()
                from attribution a""");
        // The rollups hold the money; only today and one earlier day changed since (as a refund
        // or a rejection would leave it), so requests read those two days' money live.
        dsl.execute("delete from stats_change");
        dsl.execute("update click_daily set conversions = 1, revenue_minor = 5000, commissions_minor = 500");
        dsl.execute(
                """
                insert into stats_change (program_id, day)
                select id, d from program cross join (values (date '2030-04-10'), (date '2030-04-20')) days (d)""");
        dsl.execute("drop table numbered_link");
        // What autovacuum does on a live installation: statistics, and the visibility map that lets
        // covering indexes answer without the table.
        dsl.execute("vacuum analyze");
        program = dsl.fetchSingle("select program_id from link where slug = 'explain-link-7-1'")
                .get(0, UUID.class);
        partner = dsl.fetchSingle("select partner_id from link where slug = 'explain-link-7-1'")
                .get(0, UUID.class);
        link = dsl.fetchSingle("select id from link where slug = 'explain-link-7-1'")
                .get(0, UUID.class);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** Runs a stats request and returns the plan of each query it sent. */
    private static List<String> plans(GroupBy groupBy, LocalDate from, UUID partnerId, UUID linkId) {
        List<Query> queries = new CopyOnWriteArrayList<>();
        DSLContext recording = api.dsl()
                .configuration()
                .derive(new DefaultExecuteListenerProvider(ExecuteListener.onStart(ctx -> queries.add(ctx.query()))))
                .dsl();
        StatsService service = new StatsService(recording, api.clock());
        StatsQuery asked = new StatsQuery(
                new ProgramId(program),
                from,
                TODAY,
                groupBy,
                partnerId == null ? null : new PartnerId(partnerId),
                linkId == null ? null : new LinkId(linkId));
        if (groupBy.isDimension()) {
            service.breakdown(asked, StatsRoutes.DEFAULT_DIMENSION_ROWS);
        } else {
            service.stats(asked);
        }
        List<String> plans = new ArrayList<>();
        for (Query query : queries) {
            String sql = api.dsl().renderInlined(query);
            plans.add(sql + "\n"
                    + String.join("\n", api.dsl().fetch("explain " + sql).getValues(0, String.class)));
        }
        return plans;
    }

    private static void assertPlans(List<String> plans, String... indexes) {
        String all = String.join("\n", plans);
        for (String plan : plans) {
            assertThat(LARGE_TABLE_SEQ_SCAN.matcher(plan).find()).as(plan).isFalse();
        }
        for (String index : indexes) {
            assertThat(Pattern.compile("\\b" + index + "\\b").matcher(all).find())
                    .as("uses " + index + " in\n" + all)
                    .isTrue();
        }
    }

    @Test
    void programByDayReadsTheProgramRollupConversionIndexAndEachEventsCommissions() {
        assertPlans(
                plans(GroupBy.DAY, LAST_30_DAYS, null, null),
                "click_daily_program_pkey",
                "event_conversion_idx",
                "click_y2030m04_program_id_ts_idx",
                "commission_event(_stats)?_idx");
    }

    @Test
    void programByPartnerReadsThePartnerRollupAndEachConversionsTouches() {
        assertPlans(
                plans(GroupBy.PARTNER, LAST_30_DAYS, null, null),
                "click_daily_partner_pkey",
                "event_conversion_idx",
                "attribution_event(_stats)?_idx",
                "commission_event(_stats)?_idx");
    }

    @Test
    void programByLinkReadsTheLinkRollupByProgram() {
        assertPlans(
                plans(GroupBy.LINK, LAST_30_DAYS, null, null),
                "click_daily_program_idx",
                "event_conversion_idx",
                "attribution_event(_stats)?_idx",
                "commission_event(_stats)?_idx");
    }

    @Test
    void wholeMonthsOfLongRangesComeFromTheMonthlyRollups() {
        assertPlans(
                plans(GroupBy.PARTNER, LocalDate.parse("2030-01-15"), null, null),
                "click_monthly_partner_pkey",
                "click_daily_partner_pkey",
                "attribution_event(_stats)?_idx");
        assertPlans(
                plans(GroupBy.LINK, LocalDate.parse("2030-01-15"), null, null),
                "click_monthly_program_idx",
                "click_daily_program_idx",
                "commission_event(_stats)?_idx");
    }

    @Test
    void aProgramsClicksByDimensionAreReadFromTheDimensionRollup() {
        for (GroupBy groupBy : GroupBy.values()) {
            if (groupBy.isDimension()) {
                assertPlans(
                        plans(groupBy, LAST_30_DAYS, null, null),
                        "click_daily_dimension_pkey",
                        // Today's newest clicks, counted live.
                        "click_y2030m04_program_id_ts_idx");
                assertPlans(plans(groupBy, LocalDate.parse("2030-01-15"), null, null), "click_daily_dimension_pkey");
            }
        }
    }

    @Test
    void onePartnersClicksByDimensionAreReadFromThePartnerGrainAndOneLinksFromItsClicks() {
        for (GroupBy groupBy : GroupBy.values()) {
            if (groupBy.isDimension()) {
                // The partner's rows of the partner grain, today's newest clicks live.
                assertPlans(
                        plans(groupBy, LAST_30_DAYS, partner, null),
                        "click_daily_partner_dimension_pkey",
                        "click_y2030m04_program_id_ts_idx");
                assertPlans(
                        plans(groupBy, LocalDate.parse("2030-01-15"), partner, null),
                        "click_daily_partner_dimension_pkey");
                // A link has no grain: its clicks by the program's index (no index by link,
                // decision 0002), never the whole partition. April only: the empty partitions of
                // earlier months are read whichever way is cheapest.
                LocalDate april = LocalDate.parse("2030-04-01");
                assertPlans(plans(groupBy, april, null, link), "click_y2030m04_(link|program)_id_ts_idx");
            }
        }
    }

    @Test
    void onePartnerIsReadByPartnerIndexes() {
        for (GroupBy groupBy : GroupBy.values()) {
            if (groupBy.isDimension()) {
                continue;
            }
            assertPlans(
                    plans(groupBy, LAST_30_DAYS, partner, null),
                    "click_daily_(partner_pkey|partner_idx|partner_partner_idx)",
                    // The two days of live money: the partner's touches, or that day's events'.
                    "attribution_(partner|event_stats|event)_idx",
                    "commission_(partner_status|event_stats|event)_idx");
        }
    }

    @Test
    void oneLinkIsReadByLinkIndexes() {
        for (GroupBy groupBy : GroupBy.values()) {
            if (groupBy.isDimension()) {
                continue;
            }
            assertPlans(
                    plans(groupBy, LAST_30_DAYS, null, link),
                    // The link's rows, or the program's from the covering index, filtered.
                    "click_daily_(link|program)_idx",
                    "attribution_(link|event_stats|event)_idx",
                    "commission_(attribution|event_stats|event)_idx");
        }
    }
}
