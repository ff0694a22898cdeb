package clickledger.api.stats;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * The daily rollups of clicks by dimension, written by {@link ClickRollup} in the transactions
 * that write the other rollups, so a day's dimension rows always add up to the day's clicks there:
 * per program ({@code click_daily_dimension}, V62) and per partner ({@code
 * click_daily_partner_dimension}, V72), both from one read of the clicks. See
 * docs/decisions/0023-stats-dimensions.md.
 *
 * <p>Bounded: a program keeps at most {@link GroupBy#cap()} named values of a dimension per day, a
 * partner {@link GroupBy#partnerCap()}. A rebuild names the busiest values of the day (ties by
 * value); a run adds to the values the day already names, names new ones while the day has room
 * (busiest of the run first), and counts the rest as the day's "other" ('o'). Clicks without a
 * value are the day's "unknown" ('u').
 */
final class DimensionRollup {
    private DimensionRollup() {}

    private static final GroupBy[] DIMENSIONS =
            Arrays.stream(GroupBy.values()).filter(GroupBy::isDimension).toArray(GroupBy[]::new);

    /** Each click's value of each dimension, for a click aliased {@code c}: (dimension, value). */
    private static final String VALUES = Arrays.stream(DIMENSIONS)
            .map(groupBy -> "('" + groupBy.dimension() + "', " + DimensionRepository.valueOf(groupBy) + ")")
            .collect(Collectors.joining(", ", "cross join lateral (values ", ") as d (dimension, value)"));

    private static final String COLUMNS = "c.ts, c.partner_id, c.is_bot, c.fraud_flag, "
            + Arrays.stream(DIMENSIONS).map(groupBy -> "c." + groupBy.column()).collect(Collectors.joining(", "));

    /**
     * A table of the rollup: its name, the columns that say whose clicks a row counts (before the
     * dimension in its key), the named values it keeps per day, and a short prefix for its CTEs.
     */
    private record Grain(String prefix, String table, List<String> keys, ToIntFunction<GroupBy> cap) {
        /** The key columns, each prefixed with {@code alias.} unless the alias is empty. */
        String keys(String alias) {
            return keys.stream()
                    .map(key -> alias.isEmpty() ? key : alias + "." + key)
                    .collect(Collectors.joining(", "));
        }

        /** The key columns of {@code a} equal to those of {@code b}. */
        String same(String a, String b) {
            return keys.stream()
                    .map(key -> a + "." + key + " = " + b + "." + key)
                    .collect(Collectors.joining(" and "));
        }

        /** (dimension, cap) of each dimension, aliased {@code caps}. */
        String caps() {
            return Arrays.stream(DIMENSIONS)
                    .map(groupBy -> "('" + groupBy.dimension() + "', " + cap.applyAsInt(groupBy) + ")")
                    .collect(Collectors.joining(", ", "(values ", ") as caps (dimension, cap)"));
        }

        /** {@code template} with its placeholders filled in for this grain. */
        String fill(String template) {
            return template.replace("{g}", prefix)
                    .replace("{table}", table)
                    .replace("{keys}", keys(""))
                    .replace("{n.keys}", keys("n"))
                    .replace("{k.keys}", keys("k"))
                    .replace("{r.keys}", keys("r"))
                    .replace("{x=n}", same("x", "n"))
                    .replace("{m=n}", same("m", "n"))
                    .replace("{x.keys}", keys("x"))
                    .replace("{x=g}", same("x", "g"))
                    .replace("{h=k}", same("h", "k"))
                    .replace("{f=t}", same("f", "t"))
                    .replace("{caps}", caps());
        }
    }

    private static final Grain PROGRAM =
            new Grain("program", "click_daily_dimension", List.of("program_id"), GroupBy::cap);
    private static final Grain PARTNER = new Grain(
            "partner", "click_daily_partner_dimension", List.of("program_id", "partner_id"), GroupBy::partnerCap);
    private static final List<Grain> GRAINS = List.of(PROGRAM, PARTNER);

    /**
     * Each grain's figures from {@code counted} (day, program_id, partner_id, dimension, value,
     * clicks, billable: the finest grain) as {@code {g}_counted}.
     */
    private static final String SUMMED =
            """
            {g}_counted as (
                select day, {keys}, dimension, value, sum(clicks) as clicks, sum(billable) as billable
                  from counted
                 group by day, {keys}, dimension, value
            ),
            """;

    /** A grain's part of a run: its counts added, new values named while its days have room. */
    private static final String INCREMENT_GRAIN = SUMMED
            + """
            {g}_names as (
                -- The values each (grain, dimension, day) of the run names already: one range of
                -- the key each.
                select {x.keys}, x.dimension, x.day, x.value
                  from (select distinct {keys}, dimension, day from {g}_counted) g
                  join {table} x on {x=g} and x.dimension = g.dimension and x.day = g.day and x.bucket = 'v'
            ),
            {g}_held as (
                select {keys}, dimension, day, count(*) as held from {g}_names group by {keys}, dimension, day
            ),
            {g}_known as (
                select n.*, m.value is not null as named
                  from {g}_counted n
                  left join {g}_names m
                    on {m=n} and m.dimension = n.dimension and m.day = n.day and m.value = n.value
            ),
            {g}_ranked as (
                select k.*, coalesce(h.held, 0)
                           + row_number() over (partition by {k.keys}, k.dimension, k.day, k.named, k.value is null
                                                order by k.clicks desc, k.value) as rank
                  from {g}_known k
                  left join {g}_held h on {h=k} and h.dimension = k.dimension and h.day = k.day
            ),
            {g}_bucketed as (
                select {r.keys}, r.dimension, r.day,
                       case when r.value is null then 'u' when r.named or r.rank <= caps.cap then 'v' else 'o' end
                           as bucket,
                       case when r.value is not null and (r.named or r.rank <= caps.cap) then r.value else '' end
                           as value,
                       r.clicks, r.billable
                  from {g}_ranked r join {caps} on caps.dimension = r.dimension
            ),
            {g}_written as (
                insert into {table} as t ({keys}, dimension, day, bucket, value, clicks, billable)
                select {keys}, dimension, day, bucket, value, sum(clicks), sum(billable)
                  from {g}_bucketed
                 group by {keys}, dimension, day, bucket, value
                on conflict ({keys}, dimension, day, bucket, value) do update
                    set clicks = t.clicks + excluded.clicks, billable = t.billable + excluded.billable
                returning 1
            ),
            """;

    /** A grain's part of a rebuild: the days' rows replaced by a count from scratch. */
    private static final String REBUILD_GRAIN = SUMMED
            + """
            {g}_ranked as (
                select n.*, row_number() over (partition by {n.keys}, n.dimension, n.day, n.value is null
                                               order by n.clicks desc, n.value) as rank
                  from {g}_counted n
            ),
            {g}_fresh as (
                select {keys}, dimension, day, bucket, value,
                       cast(sum(clicks) as bigint) as clicks, cast(sum(billable) as bigint) as billable
                  from (select {r.keys}, r.dimension, r.day,
                               case when r.value is null then 'u' when r.rank <= caps.cap then 'v' else 'o' end
                                   as bucket,
                               case when r.value is not null and r.rank <= caps.cap then r.value else '' end as value,
                               r.clicks, r.billable
                          from {g}_ranked r join {caps} on caps.dimension = r.dimension) b
                 group by {keys}, dimension, day, bucket, value
            ),
            {g}_written as (
                insert into {table} as t ({keys}, dimension, day, bucket, value, clicks, billable)
                select {keys}, dimension, day, bucket, value, clicks, billable from {g}_fresh
                on conflict ({keys}, dimension, day, bucket, value) do update
                    set clicks = excluded.clicks, billable = excluded.billable
                    where (t.clicks, t.billable) is distinct from (excluded.clicks, excluded.billable)
                returning 1
            ),
            {g}_removed as (
                delete from {table} t
                 where t.day >= cast(? as date) and t.day <= cast(? as date)
                   and not exists (select 1 from {g}_fresh f
                                    where {f=t} and f.dimension = t.dimension and f.day = t.day
                                      and f.bucket = t.bucket and f.value = t.value)
                returning 1
            ),
            """;

    /** The rows the grains' CTEs named {@code {g}_<suffix>} returned, added up. */
    private static String total(String... suffixes) {
        return GRAINS.stream()
                .flatMap(grain -> Arrays.stream(suffixes)
                        .map(suffix -> "(select count(*) from " + grain.prefix() + "_" + suffix + ")"))
                .collect(Collectors.joining(" + ", "select ", "\n"));
    }

    private static String grains(String template) {
        String all = GRAINS.stream().map(grain -> grain.fill(template)).collect(Collectors.joining());
        // The last CTE before the final select takes no comma.
        return all.substring(0, all.lastIndexOf(',')) + "\n";
    }

    /**
     * A run's new clicks {@code ? <= ts < ?} added, per program through {@code
     * click_program_ts_idx} as ClickRollup's INCREMENT reads them, counted once at the finest grain
     * (partner) and summed per program. Returns the rows written.
     */
    static final String INCREMENT =
            """
            with counted as (
                select cast((c.ts at time zone 'UTC') as date) as day, p.id as program_id, c.partner_id,
                       d.dimension, d.value,
                       count(*) as clicks, count(*) filter (where not c.is_bot and c.fraud_flag is null) as billable
                  from program p
                 cross join lateral (
                    select %s from click c
                     where c.program_id = p.id and c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz)
                    offset 0) c
                 %s
                 group by 1, 2, 3, 4, 5
            ),
            """
                            .formatted(COLUMNS, VALUES)
                    + grains(INCREMENT_GRAIN)
                    + total("written");

    /**
     * The days {@code ?} to {@code ?} (dates, once per grain) counted from scratch from their
     * clicks {@code ? <= ts < ?} (the first two parameters): the busiest values of each day named,
     * rows whose figures changed rewritten, rows no longer there deleted. Returns the rows written
     * or deleted.
     */
    static final String REBUILD =
            """
            with counted as (
                select cast((c.ts at time zone 'UTC') as date) as day, c.program_id, c.partner_id, d.dimension, d.value,
                       count(*) as clicks, count(*) filter (where not c.is_bot and c.fraud_flag is null) as billable
                  from click c
                 %s
                 where c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz)
                 group by 1, 2, 3, 4, 5
            ),
            """
                            .formatted(VALUES)
                    + grains(REBUILD_GRAIN)
                    + total("written", "removed");

    /** Adds the clicks {@code from <= ts < to}; in the caller's transaction. */
    static int increment(DSLContext tx, OffsetDateTime from, OffsetDateTime to) {
        return tx.fetchSingle(INCREMENT, from, to).get(0, Integer.class);
    }

    /**
     * Counts the days {@code fromDay} to {@code toDay} again from their clicks {@code start <= ts <
     * upper}; in the caller's transaction.
     */
    static int rebuild(DSLContext tx, OffsetDateTime start, OffsetDateTime upper, LocalDate fromDay, LocalDate toDay) {
        Object[] binds = new Object[2 + 2 * GRAINS.size()];
        binds[0] = start;
        binds[1] = upper;
        for (int i = 0; i < GRAINS.size(); i++) {
            binds[2 + 2 * i] = fromDay;
            binds[3 + 2 * i] = toDay;
        }
        return tx.fetchSingle(REBUILD, binds).get(0, Integer.class);
    }
}
