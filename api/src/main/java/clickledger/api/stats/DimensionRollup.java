package clickledger.api.stats;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * The daily rollup of clicks by dimension ({@code click_daily_dimension}, V62), written by {@link
 * ClickRollup} in the transactions that write the other rollups, so a day's dimension rows always
 * add up to the day's clicks there. See docs/decisions/0023-stats-dimensions.md.
 *
 * <p>Bounded: a program keeps at most {@link GroupBy#cap()} named values of a dimension per day.
 * A rebuild names the busiest values of the day (ties by value); a run adds to the values the day
 * already names, names new ones while the day has room (busiest of the run first), and counts the
 * rest as the day's "other" ('o'). Clicks without a value are the day's "unknown" ('u').
 */
final class DimensionRollup {
    private DimensionRollup() {}

    private static final GroupBy[] DIMENSIONS =
            Arrays.stream(GroupBy.values()).filter(GroupBy::isDimension).toArray(GroupBy[]::new);

    /** Each click's value of each dimension, for a click aliased {@code c}: (dimension, value). */
    private static final String VALUES = Arrays.stream(DIMENSIONS)
            .map(groupBy -> "('" + groupBy.dimension() + "', " + DimensionRepository.valueOf(groupBy) + ")")
            .collect(Collectors.joining(", ", "cross join lateral (values ", ") as d (dimension, value)"));

    /** The named values a program keeps per dimension and day. */
    private static final String CAPS = Arrays.stream(DIMENSIONS)
            .map(groupBy -> "('" + groupBy.dimension() + "', " + groupBy.cap() + ")")
            .collect(Collectors.joining(", ", "(values ", ") as caps (dimension, cap)"));

    private static final String COLUMNS = "c.ts, c.is_bot, c.fraud_flag, "
            + Arrays.stream(DIMENSIONS).map(groupBy -> "c." + groupBy.column()).collect(Collectors.joining(", "));

    /**
     * A run's new clicks {@code ? <= ts < ?} added, per program through {@code
     * click_program_ts_idx} as ClickRollup's INCREMENT reads them. Returns the rows written.
     */
    static final String INCREMENT =
            """
            with counted as (
                select cast((c.ts at time zone 'UTC') as date) as day, p.id as program_id, d.dimension, d.value,
                       count(*) as clicks, count(*) filter (where not c.is_bot and c.fraud_flag is null) as billable
                  from program p
                 cross join lateral (
                    select %s from click c
                     where c.program_id = p.id and c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz)
                    offset 0) c
                 %s
                 group by 1, 2, 3, 4
            ),
            known as (
                select n.*, x.value is not null as named
                  from counted n
                  left join click_daily_dimension x
                    on x.program_id = n.program_id and x.dimension = n.dimension and x.day = n.day
                   and x.bucket = 'v' and x.value = n.value
            ),
            held as (
                -- The values each (program, dimension, day) names already: a probe of the key each.
                select g.program_id, g.dimension, g.day,
                       (select count(*) from click_daily_dimension x
                         where x.program_id = g.program_id and x.dimension = g.dimension and x.day = g.day
                           and x.bucket = 'v') as held
                  from (select distinct program_id, dimension, day from counted) g
            ),
            ranked as (
                select k.*, coalesce(h.held, 0)
                           + row_number() over (partition by k.program_id, k.dimension, k.day, k.named, k.value is null
                                                order by k.clicks desc, k.value) as rank
                  from known k
                  left join held h on h.program_id = k.program_id and h.dimension = k.dimension and h.day = k.day
            ),
            bucketed as (
                select r.program_id, r.dimension, r.day,
                       case when r.value is null then 'u' when r.named or r.rank <= caps.cap then 'v' else 'o' end
                           as bucket,
                       case when r.value is not null and (r.named or r.rank <= caps.cap) then r.value else '' end
                           as value,
                       r.clicks, r.billable
                  from ranked r join %s on caps.dimension = r.dimension
            ),
            written as (
                insert into click_daily_dimension as t (program_id, dimension, day, bucket, value, clicks, billable)
                select program_id, dimension, day, bucket, value, sum(clicks), sum(billable)
                  from bucketed
                 group by program_id, dimension, day, bucket, value
                on conflict (program_id, dimension, day, bucket, value) do update
                    set clicks = t.clicks + excluded.clicks, billable = t.billable + excluded.billable
                returning 1
            )
            select count(*) from written
            """
                    .formatted(COLUMNS, VALUES, CAPS);

    /**
     * The days {@code ?} to {@code ?} (dates) counted from scratch from their clicks {@code ? <= ts
     * < ?}: the busiest values of each day named, rows whose figures changed rewritten, rows no
     * longer there deleted. Returns the rows written or deleted.
     */
    static final String REBUILD =
            """
            with counted as (
                select cast((c.ts at time zone 'UTC') as date) as day, c.program_id, d.dimension, d.value,
                       count(*) as clicks, count(*) filter (where not c.is_bot and c.fraud_flag is null) as billable
                  from click c
                 %s
                 where c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz)
                 group by 1, 2, 3, 4
            ),
            ranked as (
                select n.*, row_number() over (partition by n.program_id, n.dimension, n.day, n.value is null
                                               order by n.clicks desc, n.value) as rank
                  from counted n
            ),
            fresh as (
                select r.program_id, r.dimension, r.day,
                       case when r.value is null then 'u' when r.rank <= caps.cap then 'v' else 'o' end as bucket,
                       case when r.value is not null and r.rank <= caps.cap then r.value else '' end as value,
                       cast(sum(r.clicks) as bigint) as clicks, cast(sum(r.billable) as bigint) as billable
                  from ranked r join %s on caps.dimension = r.dimension
                 group by 1, 2, 3, 4, 5
            ),
            written as (
                insert into click_daily_dimension as t (program_id, dimension, day, bucket, value, clicks, billable)
                select program_id, dimension, day, bucket, value, clicks, billable from fresh
                on conflict (program_id, dimension, day, bucket, value) do update
                    set clicks = excluded.clicks, billable = excluded.billable
                    where (t.clicks, t.billable) is distinct from (excluded.clicks, excluded.billable)
                returning 1
            ),
            removed as (
                delete from click_daily_dimension t
                 where t.day >= cast(? as date) and t.day <= cast(? as date)
                   and not exists (select 1 from fresh f
                                    where f.program_id = t.program_id and f.dimension = t.dimension and f.day = t.day
                                      and f.bucket = t.bucket and f.value = t.value)
                returning 1
            )
            select (select count(*) from written) + (select count(*) from removed)
            """
                    .formatted(VALUES, CAPS);

    /** Adds the clicks {@code from <= ts < to}; in the caller's transaction. */
    static int increment(DSLContext tx, OffsetDateTime from, OffsetDateTime to) {
        return tx.fetchSingle(INCREMENT, from, to).get(0, Integer.class);
    }

    /**
     * Counts the days {@code fromDay} to {@code toDay} again from their clicks {@code start <= ts <
     * upper}; in the caller's transaction.
     */
    static int rebuild(DSLContext tx, OffsetDateTime start, OffsetDateTime upper, LocalDate fromDay, LocalDate toDay) {
        return tx.fetchSingle(REBUILD, start, upper, fromDay, toDay).get(0, Integer.class);
    }
}
