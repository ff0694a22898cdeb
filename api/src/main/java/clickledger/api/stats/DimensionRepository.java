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
 * StatsRepository} counts them. One partner: the same from the partner grain, {@code
 * click_daily_partner_dimension} (V72), and the partner's clicks after the last run. One link or
 * the links of a tag: their own clicks, counted from {@code click} (the rollup has no link grain:
 * links are many and few are asked for by dimension; no click index by link or partner exists
 * either, decision 0002, so this reads the program's clicks of the range).
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
        if (query.linkScoped()) {
            // One link's (or a tag's links') own clicks of the range, straight from click.
            List<Object> binds = new ArrayList<>(List.of(
                    query.programId().value(),
                    StatsRepository.startOf(query.from()),
                    StatsRepository.startOf(query.to().plusDays(1))));
            String where = "c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz)" + scope(query, binds);
            collect(dsl.fetch(clicksBy(groupBy, where), binds.toArray()), rows);
            return rows;
        }
        // The program's or the partner's rows of the rollup, one index-only range scan.
        List<Object> binds = new ArrayList<>();
        binds.add(query.programId().value());
        String table = "click_daily_dimension";
        String partner = "";
        if (query.partnerId() != null) {
            table = "click_daily_partner_dimension";
            partner = " and partner_id = cast(? as uuid)";
            binds.add(query.partnerId().value());
        }
        binds.addAll(List.of(groupBy.dimension(), query.from(), query.to()));
        dsl.fetch(
                        "select bucket, value, sum(clicks), sum(billable) from " + table
                                + " where program_id = cast(? as uuid)" + partner + " and dimension = ?"
                                + " and day >= cast(? as date) and day <= cast(? as date)"
                                + " group by bucket, value",
                        binds.toArray())
                .forEach(row -> rows.merge(
                        new Key(row.get(0, String.class), row.get(1, String.class)),
                        new Figures(row.get(2, Long.class), row.get(3, Long.class)),
                        Figures::plus));
        if (!live.isEmpty()) {
            // The clicks after the rollup's last run (today's and yesterday's newest), by value.
            List<Object> liveBinds = new ArrayList<>();
            liveBinds.add(query.programId().value());
            String when = live.stream()
                    .map(range -> {
                        liveBinds.add(range.from());
                        liveBinds.add(range.to());
                        return "(c.ts >= cast(? as timestamptz) and c.ts < cast(? as timestamptz))";
                    })
                    .collect(Collectors.joining(" or ", "(", ")"));
            collect(dsl.fetch(clicksBy(groupBy, when + scope(query, liveBinds)), liveBinds.toArray()), rows);
        }
        return rows;
    }

    /**
     * A count of a program's clicks ({@code c.program_id}, the first parameter) by {@code groupBy}'s
     * value, where {@code condition} holds.
     */
    private static String clicksBy(GroupBy groupBy, String condition) {
        return "select " + valueOf(groupBy)
                + ", count(*), count(*) filter (where not c.is_bot and c.fraud_flag is null)"
                + " from click c where c.program_id = cast(? as uuid) and " + condition + " group by 1";
    }

    /** The query's partner, link and tag as conditions on a click {@code c}, their values bound. */
    private static String scope(StatsQuery query, List<Object> binds) {
        StringBuilder sql = new StringBuilder();
        if (query.partnerId() != null) {
            sql.append(" and c.partner_id = cast(? as uuid)");
            binds.add(query.partnerId().value());
        }
        if (query.linkId() != null) {
            sql.append(" and c.link_id = cast(? as uuid)");
            binds.add(query.linkId().value());
        }
        if (query.tag() != null) {
            sql.append(" and c.link_id in (select t.link_id from link_tag t"
                    + " where t.program_id = cast(? as uuid) and t.tag = ?)");
            binds.add(query.programId().value());
            binds.add(query.tag());
        }
        return sql.toString();
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
