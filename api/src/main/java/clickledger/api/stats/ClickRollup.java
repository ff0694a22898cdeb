package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Rebuilds the daily click rollups (link, partner and program grains) of whole UTC days from
 * {@code click}, in one set-based statement per run: one scan of the days' clicks, grouped by
 * {@code rollup (partner_id, link_id)}, upserted into the three tables. A row is only rewritten
 * when its figures changed, so running it again changes nothing. An advisory transaction lock
 * keeps two api replicas from rolling up at once.
 *
 * <p>Today is rolled up to a few seconds ago ({@link #SETTLE}); {@code click_rollup_day.through}
 * records that point, and stats count the clicks after it live.
 */
public final class ClickRollup {
    static final long LOCK_KEY = 0x636c69636b5f726fL; // "click_ro"
    /**
     * The router answers only after its click is committed, within milliseconds of the click's
     * ts; rolling up to 5 s ago leaves a click still in flight to the live count of the stats
     * query instead of missing it until the next run.
     */
    static final Duration SETTLE = Duration.ofSeconds(5);

    private static final String REBUILD =
            """
            with agg as (
                select cast((ts at time zone 'UTC') as date) as day, program_id, partner_id, link_id,
                       count(*) as clicks,
                       count(*) filter (where not is_bot and fraud_flag is null) as billable,
                       count(distinct ip_hash) filter (where not is_bot) as visitors,
                       grouping(partner_id, link_id) as grain
                from click
                where ts >= cast(? as timestamptz) and ts < cast(? as timestamptz)
                group by cast((ts at time zone 'UTC') as date), program_id, rollup (partner_id, link_id)
            ),
            links as (
                insert into click_daily as d (day, link_id, program_id, partner_id, clicks, billable, visitors)
                select day, link_id, program_id, partner_id, clicks, billable, visitors from agg where grain = 0
                on conflict (day, link_id) do update
                    set clicks = excluded.clicks, billable = excluded.billable, visitors = excluded.visitors
                    where (d.clicks, d.billable, d.visitors)
                        is distinct from (excluded.clicks, excluded.billable, excluded.visitors)
                returning 1
            ),
            partners as (
                insert into click_daily_partner as d (day, program_id, partner_id, clicks, billable, visitors)
                select day, program_id, partner_id, clicks, billable, visitors from agg where grain = 1
                on conflict (program_id, day, partner_id) do update
                    set clicks = excluded.clicks, billable = excluded.billable, visitors = excluded.visitors
                    where (d.clicks, d.billable, d.visitors)
                        is distinct from (excluded.clicks, excluded.billable, excluded.visitors)
                returning 1
            ),
            programs as (
                insert into click_daily_program as d (day, program_id, clicks, billable, visitors)
                select day, program_id, clicks, billable, visitors from agg where grain = 3
                on conflict (program_id, day) do update
                    set clicks = excluded.clicks, billable = excluded.billable, visitors = excluded.visitors
                    where (d.clicks, d.billable, d.visitors)
                        is distinct from (excluded.clicks, excluded.billable, excluded.visitors)
                returning 1
            ),
            days as (
                insert into click_rollup_day as r (day, through, rolled_at)
                select cast(d as date),
                       greatest(d at time zone 'UTC', least((d + interval '1 day') at time zone 'UTC', cast(? as timestamptz))),
                       cast(? as timestamptz)
                from generate_series(cast(? as timestamp), cast(? as timestamp), interval '1 day') as d
                on conflict (day) do update set through = excluded.through, rolled_at = excluded.rolled_at
            )
            select (select count(*) from links), (select count(*) from partners), (select count(*) from programs)
            """;

    /**
     * The monthly sums of the months from ? to ? (first days), from the daily rows, clicks and
     * money alike; like the daily upserts, a row is only rewritten when its sums changed.
     */
    private static final String REFRESH_MONTHS =
            """
            with link_sums as (
                select cast(date_trunc('month', day) as date) as month, link_id, program_id, partner_id,
                       cast(sum(clicks) as bigint) as clicks, cast(sum(billable) as bigint) as billable,
                       cast(sum(visitors) as bigint) as visitors, cast(sum(conversions) as bigint) as conversions,
                       cast(sum(revenue_minor) as bigint) as revenue_minor,
                       cast(sum(commissions_minor) as bigint) as commissions_minor
                from click_daily
                where day >= cast(? as date) and day < cast(? as date)
                group by cast(date_trunc('month', day) as date), link_id, program_id, partner_id
            ),
            links as (
                insert into click_monthly as m (month, link_id, program_id, partner_id, clicks, billable, visitors,
                                                conversions, revenue_minor, commissions_minor)
                select * from link_sums
                on conflict (month, link_id) do update
                    set clicks = excluded.clicks, billable = excluded.billable, visitors = excluded.visitors,
                        conversions = excluded.conversions, revenue_minor = excluded.revenue_minor,
                        commissions_minor = excluded.commissions_minor
                    where (m.clicks, m.billable, m.visitors, m.conversions, m.revenue_minor, m.commissions_minor)
                        is distinct from (excluded.clicks, excluded.billable, excluded.visitors,
                                          excluded.conversions, excluded.revenue_minor, excluded.commissions_minor)
                returning 1
            ),
            partner_sums as (
                select cast(date_trunc('month', day) as date) as month, program_id, partner_id,
                       cast(sum(clicks) as bigint) as clicks, cast(sum(billable) as bigint) as billable,
                       cast(sum(visitors) as bigint) as visitors, cast(sum(conversions) as bigint) as conversions,
                       cast(sum(revenue_minor) as bigint) as revenue_minor,
                       cast(sum(commissions_minor) as bigint) as commissions_minor
                from click_daily_partner
                where day >= cast(? as date) and day < cast(? as date)
                group by cast(date_trunc('month', day) as date), program_id, partner_id
            ),
            partners as (
                insert into click_monthly_partner as m (month, program_id, partner_id, clicks, billable, visitors,
                                                        conversions, revenue_minor, commissions_minor)
                select * from partner_sums
                on conflict (program_id, month, partner_id) do update
                    set clicks = excluded.clicks, billable = excluded.billable, visitors = excluded.visitors,
                        conversions = excluded.conversions, revenue_minor = excluded.revenue_minor,
                        commissions_minor = excluded.commissions_minor
                    where (m.clicks, m.billable, m.visitors, m.conversions, m.revenue_minor, m.commissions_minor)
                        is distinct from (excluded.clicks, excluded.billable, excluded.visitors,
                                          excluded.conversions, excluded.revenue_minor, excluded.commissions_minor)
                returning 1
            )
            select (select count(*) from links), (select count(*) from partners)
            """;

    /** Days before the given one whose rollup is missing or stops before the day's end. */
    private static final String INCOMPLETE_DAYS =
            """
            select cast(d as date)
            from generate_series(cast(? as timestamp), cast(? as timestamp), interval '1 day') as d
            where not exists (
                select 1 from click_rollup_day r
                where r.day = cast(d as date) and r.through >= (d + interval '1 day') at time zone 'UTC')
            order by 1
            """;

    /**
     * Rollup rows written (inserted, or updated because their figures changed) by one run: daily
     * rows of each grain, and monthly rows.
     */
    public record Result(int linkRows, int partnerRows, int programRows, int monthlyRows) {
        public static final Result NONE = new Result(0, 0, 0, 0);

        public Result plus(Result other) {
            return new Result(
                    linkRows + other.linkRows,
                    partnerRows + other.partnerRows,
                    programRows + other.programRows,
                    monthlyRows + other.monthlyRows);
        }

        public int rows() {
            return linkRows + partnerRows + programRows + monthlyRows;
        }
    }

    private final DSLContext dsl;
    private final Clock clock;

    /** @param dsl the primary: the rollups are written there and reach a replica by replication */
    public ClickRollup(DSLContext dsl, Clock clock) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Rebuilds every day from {@code from} to {@code to} (inclusive, UTC), one transaction per
     * day so a long range never holds a long transaction, then the monthly sums of those months;
     * waits while another process is rolling up.
     */
    public Result rebuild(LocalDate from, LocalDate to) {
        Result total = Result.NONE;
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            LocalDate current = day;
            total = total.plus(dsl.transactionResult(trx -> {
                lock(trx.dsl());
                return rebuildDays(trx.dsl(), current, current);
            }));
        }
        return total.plus(dsl.transactionResult(trx -> {
            lock(trx.dsl());
            return refreshMonths(trx.dsl(), from, to);
        }));
    }

    /**
     * Rebuilds {@code from} to {@code to} in one transaction, unless another process holds the
     * lock: then it is that process's run, and this one is skipped.
     */
    public Optional<Result> tryRebuild(LocalDate from, LocalDate to) {
        return dsl.transactionResult(trx -> {
            if (!tryLock(trx.dsl())) {
                return Optional.empty();
            }
            return Optional.of(rebuildDays(trx.dsl(), from, to).plus(refreshMonths(trx.dsl(), from, to)));
        });
    }

    /**
     * Days from the first click of any program up to (not including) {@code before} whose rollup
     * is missing or incomplete: after a first deployment over existing clicks, or when the api was
     * down across midnight.
     */
    public List<LocalDate> incompleteDaysBefore(LocalDate before) {
        // min(ts) per program walks click_program_ts_idx of each partition: a few index probes
        // where min(ts) over click would read every partition.
        OffsetDateTime first = dsl.fetchOne("select min(x.first) from program p cross join lateral"
                        + " (select min(c.ts) as first from click c where c.program_id = p.id) x")
                .get(0, OffsetDateTime.class);
        if (first == null) {
            return List.of();
        }
        LocalDate firstDay = first.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        LocalDate lastDay = before.minusDays(1);
        if (firstDay.isAfter(lastDay)) {
            return List.of();
        }
        return dsl.fetch(INCOMPLETE_DAYS, firstDay, lastDay).getValues(0, LocalDate.class);
    }

    /**
     * The lock every rollup writer takes (clicks and money share the rows), for the rest of the
     * transaction; false when another process holds it.
     */
    static boolean tryLock(DSLContext tx) {
        return Boolean.TRUE.equals(tx.select(DSL.field("pg_try_advisory_xact_lock({0})", Boolean.class, LOCK_KEY))
                .fetchOne(0, Boolean.class));
    }

    static void lock(DSLContext tx) {
        tx.fetch("select 1 from pg_advisory_xact_lock(?)", LOCK_KEY);
    }

    private Result rebuildDays(DSLContext tx, LocalDate from, LocalDate to) {
        Instant now = clock.instant();
        OffsetDateTime start = from.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime settled = now.minus(SETTLE).atOffset(ZoneOffset.UTC);
        OffsetDateTime upper = settled.isBefore(end) ? settled : end;
        OffsetDateTime rolledAt = now.atOffset(ZoneOffset.UTC);
        Record counts = tx.fetchSingle(REBUILD, start, upper, upper, rolledAt, from, to);
        return new Result(counts.get(0, Integer.class), counts.get(1, Integer.class), counts.get(2, Integer.class), 0);
    }

    /** Re-sums the months from {@code from}'s to {@code to}'s from the daily rows; in the caller's transaction. */
    static Result refreshMonths(DSLContext tx, LocalDate from, LocalDate to) {
        LocalDate first = from.withDayOfMonth(1);
        LocalDate end = to.withDayOfMonth(1).plusMonths(1);
        Record counts = tx.fetchSingle(REFRESH_MONTHS, first, end, first, end);
        return new Result(0, 0, 0, counts.get(0, Integer.class) + counts.get(1, Integer.class));
    }
}
