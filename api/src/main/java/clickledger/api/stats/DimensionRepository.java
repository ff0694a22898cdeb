package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * The clicks of a program by one click dimension (docs/decisions/0023-stats-dimensions.md).
 *
 * <p>The whole program: the daily rollup {@code click_daily_dimension} (an index-only range scan
 * of its primary key) plus the clicks after the rollup's last run, counted live as {@link
 * StatsRepository} counts them. One partner or one link: their own clicks, counted from {@code
 * click} through {@code click_partner_ts_idx} or {@code click_link_ts_idx} (the rollup has no
 * partner grain: a partner-day-value row per few clicks would outgrow the click table).
 *
 * <p>Figures come back by {@link Key}: a named value, no value ({@link #UNKNOWN}), or the values a
 * day had beyond the rollup's cap ({@link #OTHER}).
 */
final class DimensionRepository {
    /** A row of the answer: bucket 'v' with the value, 'u' (no value) or 'o' (beyond the cap). */
    record Key(String bucket, String value) {}

    static final Key UNKNOWN = new Key("u", "");
    static final Key OTHER = new Key("o", "");

    /** Clicks and billable clicks (neither a bot nor flagged), as every stats figure counts them. */
    record Figures(long clicks, long billable) {
        static final Figures ZERO = new Figures(0, 0);

        Figures plus(Figures other) {
            return new Figures(clicks + other.clicks, billable + other.billable);
        }
    }

    /**
     * A click's value of a dimension as the rollup stores it: empty means none, and at most
     * {@value #MAX_VALUE} characters (an index key must stay small).
     */
    static final int MAX_VALUE = 200;

    private final DSLContext dsl;

    /** @param dsl the read replica when there is one */
    DimensionRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** The SQL of a click's value of {@code groupBy}'s dimension, for a click table aliased {@code c}. */
    static String valueOf(GroupBy groupBy) {
        return "left(nullif(c." + groupBy.column() + ", ''), " + MAX_VALUE + ")";
    }

    Map<Key, Figures> counts(StatsQuery query, List<StatsRepository.LiveRange> live) {
        GroupBy groupBy = query.groupBy();
        if (!groupBy.isDimension()) {
            throw new IllegalArgumentException("not a dimension: " + groupBy);
        }
        Map<Key, Figures> rows = new HashMap<>();
        if (query.partnerId() != null || query.linkId() != null) {
            // One partner's or link's own clicks of the range, straight from click.
            StringBuilder sql = new StringBuilder("select ")
                    .append(valueOf(groupBy))
                    .append(", count(*), count(*) filter (where not c.is_bot and c.fraud_flag is null)")
                    .append(" from click c where c.program_id = cast(? as uuid)")
                    .append(" and c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz)");
            List<Object> binds = new ArrayList<>(List.of(
                    query.programId().value(),
                    StatsRepository.startOf(query.from()),
                    StatsRepository.startOf(query.to().plusDays(1))));
            if (query.partnerId() != null) {
                sql.append(" and c.partner_id = cast(? as uuid)");
                binds.add(query.partnerId().value());
            }
            if (query.linkId() != null) {
                sql.append(" and c.link_id = cast(? as uuid)");
                binds.add(query.linkId().value());
            }
            sql.append(" group by 1");
            collect(dsl.fetch(sql.toString(), binds.toArray()), rows);
            return rows;
        }
        dsl.fetch(
                        """
                        select bucket, value, sum(clicks), sum(billable) from click_daily_dimension
                         where program_id = cast(? as uuid) and dimension = ?
                           and day >= cast(? as date) and day <= cast(? as date)
                         group by bucket, value
                        """,
                        query.programId().value(),
                        groupBy.dimension(),
                        query.from(),
                        query.to())
                .forEach(row -> rows.merge(
                        new Key(row.get(0, String.class), row.get(1, String.class)),
                        new Figures(row.get(2, Long.class), row.get(3, Long.class)),
                        Figures::plus));
        if (!live.isEmpty()) {
            // The clicks after the rollup's last run (today's and yesterday's newest), by value.
            List<Object> binds = new ArrayList<>();
            binds.add(query.programId().value());
            String when = live.stream()
                    .map(range -> {
                        binds.add(range.from());
                        binds.add(range.to());
                        return "(c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz))";
                    })
                    .collect(Collectors.joining(" or "));
            collect(
                    dsl.fetch(
                            "select " + valueOf(groupBy)
                                    + ", count(*), count(*) filter (where not c.is_bot and c.fraud_flag is null)"
                                    + " from click c where c.program_id = cast(? as uuid) and (" + when + ")"
                                    + " group by 1",
                            binds.toArray()),
                    rows);
        }
        return rows;
    }

    private static void collect(Iterable<? extends Record> result, Map<Key, Figures> rows) {
        for (var row : result) {
            String value = row.get(0, String.class);
            rows.merge(
                    value == null ? UNKNOWN : new Key("v", value),
                    new Figures(row.get(1, Long.class), row.get(2, Long.class)),
                    Figures::plus);
        }
    }
}
