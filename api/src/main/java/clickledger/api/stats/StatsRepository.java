package clickledger.api.stats;

import static clickledger.db.jooq.Tables.ATTRIBUTION;
import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.CLICK_DAILY;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PARTNER;
import static clickledger.db.jooq.Tables.CLICK_DAILY_PROGRAM;
import static clickledger.db.jooq.Tables.CLICK_MONTHLY;
import static clickledger.db.jooq.Tables.CLICK_MONTHLY_PARTNER;
import static clickledger.db.jooq.Tables.CLICK_ROLLUP_DAY;
import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.LINK_TAG;
import static clickledger.db.jooq.Tables.STATS_CHANGE;
import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectConditionStep;
import org.jooq.SelectField;
import org.jooq.Table;
import org.jooq.TableLike;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The stats queries. Everything comes from the daily and monthly rollups (clicks and money at the
 * link, partner and program grains), with two live corrections that keep answers exact between
 * rollup runs: the clicks of today and yesterday after the last click rollup, counted from
 * {@code click}; and, for days whose money changed since the money rollup last saw them (noted
 * in {@code stats_change} by triggers; usually just today), the money read from event,
 * attribution and commission in place of the rollup's. Every query here has an index that
 * {@code StatsExplainTest} shows it using. Status literals are inlined, not bound, so PostgreSQL
 * can match the partial index on conversions in every plan it caches.
 *
 * <p>Figures are returned by key: {@link Split#TOTAL}, a {@link LocalDate}, or a partner or link
 * id; live commissions split by link also have an {@link #UNLINKED} entry for those that pay no
 * particular touch (the rollup counts them at the partner and program grains only).
 */
final class StatsRepository {
    /** How the figures are split: one row for the whole scope, or a row per day, partner or link. */
    enum Split {
        TOTAL,
        DAY,
        PARTNER,
        LINK
    }

    /** The key of commissions with no attribution, split by link: in the totals, in no row. */
    static final Object UNLINKED = new Object();

    /** Clicks with {@code from <= ts < to} that no rollup has counted yet. */
    record LiveRange(OffsetDateTime from, OffsetDateTime to) {}

    private record Segment(boolean monthly, LocalDate from, LocalDate to) {}

    private final DSLContext dsl;

    /** @param dsl the read replica when there is one: every query here tolerates its lag */
    StatsRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /**
     * Where the rollups of the recent days (today and yesterday, UTC) stop: the clicks after that
     * point are counted live. Older days are complete once the rollup job has caught up.
     */
    List<LiveRange> liveRanges(LocalDate from, LocalDate to, LocalDate today) {
        LocalDate first = from.isAfter(today.minusDays(1)) ? from : today.minusDays(1);
        LocalDate last = to.isBefore(today) ? to : today;
        if (first.isAfter(last)) {
            return List.of();
        }
        Map<LocalDate, OffsetDateTime> through = new HashMap<>();
        dsl.select(CLICK_ROLLUP_DAY.DAY, CLICK_ROLLUP_DAY.THROUGH)
                .from(CLICK_ROLLUP_DAY)
                .where(CLICK_ROLLUP_DAY.DAY.between(first, last))
                .forEach(row -> through.put(row.value1(), row.value2()));
        List<LiveRange> ranges = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            OffsetDateTime end = startOf(day.plusDays(1));
            OffsetDateTime start = through.getOrDefault(day, startOf(day));
            if (start.isBefore(end)) {
                ranges.add(new LiveRange(start, end));
            }
        }
        return ranges;
    }

    /**
     * Every figure of the query's scope, split as asked: the rollups (clicks and money); for the
     * days whose money changed since the rollup last saw it, that money read live from the ledger
     * tables in place of the rollup's; and the clicks after the last rollup run, counted live.
     */
    Map<Object, Counts> counts(
            StatsQuery query, Split split, List<LiveRange> live, List<LocalDate> changedDays, LocalDate today) {
        Map<Object, Counts> rows = new HashMap<>();
        for (Segment segment : segments(query, split, today)) {
            rolledUp(query, split, segment.monthly(), day -> day.between(segment.from(), segment.to()))
                    .forEach((key, counts) -> rows.merge(key, counts, Counts::plus));
        }
        if (!changedDays.isEmpty()) {
            rolledUp(query, split, false, day -> day.in(changedDays))
                    .forEach((key, counts) ->
                            rows.merge(key, counts.withoutClicks().negated(), Counts::plus));
            conversions(query, split, changedDays).forEach((key, counts) -> rows.merge(key, counts, Counts::plus));
            commissions(query, split, changedDays).forEach((key, counts) -> rows.merge(key, counts, Counts::plus));
        }
        if (!live.isEmpty()) {
            liveClicks(query, split, live, rows);
        }
        return rows;
    }

    /** The days of the range whose money changed since the rollup last saw it (usually today). */
    List<LocalDate> changedDays(StatsQuery query) {
        return dsl.selectDistinct(STATS_CHANGE.DAY)
                .from(STATS_CHANGE)
                .where(STATS_CHANGE.PROGRAM_ID.eq(query.programId().value()))
                .and(STATS_CHANGE.DAY.between(query.from(), query.to()))
                .orderBy(STATS_CHANGE.DAY)
                .fetch(STATS_CHANGE.DAY);
    }

    /**
     * The range in daily and monthly pieces: the months it covers whole come from the monthly
     * sums, the days around them from the daily rows. A month counts as whole up to today: its
     * monthly row is the sum of its daily rows so far, re-summed in the same transaction as every
     * change to them, so "the last 30 days" reads a few days of the month before and one row for
     * this month. The program grain has no monthly table: it is one row a day.
     */
    private static List<Segment> segments(StatsQuery query, Split split, LocalDate today) {
        boolean programGrain =
                !query.linkScoped() && query.partnerId() == null && (split == Split.TOTAL || split == Split.DAY);
        if (programGrain || split == Split.DAY) {
            return List.of(new Segment(false, query.from(), query.to()));
        }
        LocalDate firstMonth = query.from().getDayOfMonth() == 1
                ? query.from()
                : query.from().withDayOfMonth(1).plusMonths(1);
        LocalDate afterLastMonth = firstMonth;
        while (!afterLastMonth.isAfter(today)
                && !lastDayNeeded(afterLastMonth, today).isAfter(query.to())) {
            afterLastMonth = afterLastMonth.plusMonths(1);
        }
        if (afterLastMonth.equals(firstMonth)) {
            return List.of(new Segment(false, query.from(), query.to()));
        }
        List<Segment> segments = new ArrayList<>();
        if (query.from().isBefore(firstMonth)) {
            segments.add(new Segment(false, query.from(), firstMonth.minusDays(1)));
        }
        segments.add(new Segment(true, firstMonth, afterLastMonth.minusMonths(1)));
        // Days after the last whole month that can have rows: none when the range ends in the future.
        LocalDate lastDay = query.to().isAfter(today) ? today : query.to();
        if (!afterLastMonth.isAfter(lastDay)) {
            segments.add(new Segment(false, afterLastMonth, query.to()));
        }
        return segments;
    }

    /** The last day of {@code month} that can have rows: its end, or today in the current month. */
    private static LocalDate lastDayNeeded(LocalDate month, LocalDate today) {
        LocalDate end = month.plusMonths(1).minusDays(1);
        return end.isAfter(today) ? today : end;
    }

    private Map<Object, Counts> rolledUp(
            StatsQuery query, Split split, boolean monthly, Function<Field<LocalDate>, Condition> days) {
        // The finest grain the question needs: the rollup at that grain counts each visitor (and
        // each conversion) once a day there, and is the smallest table that can answer.
        Table<?> table;
        Field<UUID> program;
        Field<LocalDate> day;
        Field<UUID> partner = null;
        Field<UUID> link = null;
        List<Field<Long>> figures;
        if ((query.linkScoped() || split == Split.LINK) && monthly) {
            table = CLICK_MONTHLY;
            program = CLICK_MONTHLY.PROGRAM_ID;
            day = CLICK_MONTHLY.MONTH;
            partner = CLICK_MONTHLY.PARTNER_ID;
            link = CLICK_MONTHLY.LINK_ID;
            figures = List.of(
                    CLICK_MONTHLY.CLICKS,
                    CLICK_MONTHLY.BILLABLE,
                    CLICK_MONTHLY.VISITORS,
                    CLICK_MONTHLY.CONVERSIONS,
                    CLICK_MONTHLY.REVENUE_MINOR,
                    CLICK_MONTHLY.COMMISSIONS_MINOR);
        } else if (query.linkScoped() || split == Split.LINK) {
            table = CLICK_DAILY;
            program = CLICK_DAILY.PROGRAM_ID;
            day = CLICK_DAILY.DAY;
            partner = CLICK_DAILY.PARTNER_ID;
            link = CLICK_DAILY.LINK_ID;
            figures = List.of(
                    CLICK_DAILY.CLICKS,
                    CLICK_DAILY.BILLABLE,
                    CLICK_DAILY.VISITORS,
                    CLICK_DAILY.CONVERSIONS,
                    CLICK_DAILY.REVENUE_MINOR,
                    CLICK_DAILY.COMMISSIONS_MINOR);
        } else if ((query.partnerId() != null || split == Split.PARTNER) && monthly) {
            table = CLICK_MONTHLY_PARTNER;
            program = CLICK_MONTHLY_PARTNER.PROGRAM_ID;
            day = CLICK_MONTHLY_PARTNER.MONTH;
            partner = CLICK_MONTHLY_PARTNER.PARTNER_ID;
            figures = List.of(
                    CLICK_MONTHLY_PARTNER.CLICKS,
                    CLICK_MONTHLY_PARTNER.BILLABLE,
                    CLICK_MONTHLY_PARTNER.VISITORS,
                    CLICK_MONTHLY_PARTNER.CONVERSIONS,
                    CLICK_MONTHLY_PARTNER.REVENUE_MINOR,
                    CLICK_MONTHLY_PARTNER.COMMISSIONS_MINOR);
        } else if (query.partnerId() != null || split == Split.PARTNER) {
            table = CLICK_DAILY_PARTNER;
            program = CLICK_DAILY_PARTNER.PROGRAM_ID;
            day = CLICK_DAILY_PARTNER.DAY;
            partner = CLICK_DAILY_PARTNER.PARTNER_ID;
            figures = List.of(
                    CLICK_DAILY_PARTNER.CLICKS,
                    CLICK_DAILY_PARTNER.BILLABLE,
                    CLICK_DAILY_PARTNER.VISITORS,
                    CLICK_DAILY_PARTNER.CONVERSIONS,
                    CLICK_DAILY_PARTNER.REVENUE_MINOR,
                    CLICK_DAILY_PARTNER.COMMISSIONS_MINOR);
        } else {
            table = CLICK_DAILY_PROGRAM;
            program = CLICK_DAILY_PROGRAM.PROGRAM_ID;
            day = CLICK_DAILY_PROGRAM.DAY;
            figures = List.of(
                    CLICK_DAILY_PROGRAM.CLICKS,
                    CLICK_DAILY_PROGRAM.BILLABLE,
                    CLICK_DAILY_PROGRAM.VISITORS,
                    CLICK_DAILY_PROGRAM.CONVERSIONS,
                    CLICK_DAILY_PROGRAM.REVENUE_MINOR,
                    CLICK_DAILY_PROGRAM.COMMISSIONS_MINOR);
        }
        Condition where = program.eq(query.programId().value()).and(days.apply(day));
        if (query.partnerId() != null) {
            where = where.and(partner.eq(query.partnerId().value()));
        }
        if (query.linkScoped()) {
            where = where.and(linkFilter(query, link));
        }
        Field<?> key =
                switch (split) {
                    case TOTAL -> null;
                    case DAY -> day;
                    case PARTNER -> partner;
                    case LINK -> link;
                };
        Map<Object, Counts> rows = new HashMap<>();
        fetchGrouped(table, where, key, figures.stream().map(DSL::sum).toList())
                .forEach(row -> rows.merge(
                        key(row, key),
                        new Counts(
                                whole(row, 1),
                                whole(row, 2),
                                whole(row, 3),
                                whole(row, 4),
                                whole(row, 5),
                                whole(row, 6)),
                        Counts::plus));
        return rows;
    }

    private void liveClicks(StatsQuery query, Split split, List<LiveRange> live, Map<Object, Counts> rows) {
        Condition when = DSL.falseCondition();
        for (LiveRange range : live) {
            when = when.or(CLICK.TS.ge(range.from()).and(CLICK.TS.lt(range.to())));
        }
        Condition where = CLICK.PROGRAM_ID.eq(query.programId().value()).and(when);
        if (query.partnerId() != null) {
            where = where.and(CLICK.PARTNER_ID.eq(query.partnerId().value()));
        }
        if (query.linkScoped()) {
            where = where.and(linkFilter(query, CLICK.LINK_ID));
        }
        Field<LocalDate> day = utcDay(CLICK.TS);
        Field<?> key =
                switch (split) {
                    case TOTAL, DAY -> null;
                    case PARTNER -> CLICK.PARTNER_ID;
                    case LINK -> CLICK.LINK_ID;
                };
        List<Field<?>> groupBy = new ArrayList<>();
        List<SelectField<?>> select = new ArrayList<>();
        if (key != null) {
            groupBy.add(key);
            select.add(key);
        }
        groupBy.add(day);
        select.add(day);
        // Visitors are distinct per day, as in the rollups, so the live part is grouped by day too.
        select.add(DSL.count());
        select.add(DSL.count().filterWhere(CLICK.IS_BOT.isFalse().and(CLICK.FRAUD_FLAG.isNull())));
        select.add(DSL.countDistinct(CLICK.IP_HASH).filterWhere(CLICK.IS_BOT.isFalse()));
        int first = key == null ? 1 : 2;
        dsl.select(select).from(CLICK).where(where).groupBy(groupBy).forEach(row -> {
            Object rowKey =
                    switch (split) {
                        case TOTAL -> Split.TOTAL;
                        case DAY -> row.get(day);
                        case PARTNER, LINK -> row.get(key);
                    };
            rows.merge(
                    rowKey,
                    Counts.clicks(
                            row.get(first, Long.class), row.get(first + 1, Long.class), row.get(first + 2, Long.class)),
                    Counts::plus);
        });
    }

    /** Conversions (attributed, non-refund events) and the revenue they credit, on their event's day. */
    Map<Object, Counts> conversions(StatsQuery query, Split split, List<LocalDate> days) {
        Map<Object, Counts> rows = new HashMap<>();
        Condition conversion = eventsOn(query, days)
                .and(EVENT.REFUND_OF.isNull())
                .and(EVENT.ATTRIBUTION_STATUS.eq(DSL.inline("attributed")));
        boolean wholeProgram = query.partnerId() == null && !query.linkScoped();
        if (wholeProgram && (split == Split.TOTAL || split == Split.DAY)) {
            // Each conversion's attribution shares add up to its value, so the program's figures
            // need the events alone: an index-only scan of event_conversion_idx.
            Field<?> key = split == Split.DAY ? utcDay(EVENT.TS) : null;
            fetchGrouped(EVENT, conversion, key, List.of(DSL.count(), DSL.sum(EVENT.VALUE_MINOR)))
                    .forEach(row -> rows.merge(
                            key(row, key), Counts.conversions(row.get(1, Long.class), whole(row, 2)), Counts::plus));
            return rows;
        }
        if (wholeProgram) {
            // Every partner or link of the program: per conversion in the range, its touches summed
            // by partner or link (one conversion there, however many touches). See perEvent.
            Field<UUID> touchKey = split == Split.LINK ? ATTRIBUTION.LINK_ID : ATTRIBUTION.PARTNER_ID;
            Table<?> touches = perEvent(DSL.select(
                            touchKey.as("row_key"),
                            DSL.sum(ATTRIBUTION.VALUE_MINOR).as("amount"))
                    .from(ATTRIBUTION)
                    .where(ATTRIBUTION.EVENT_ID.eq(EVENT.ID))
                    .groupBy(touchKey));
            Field<?> key = touches.field("row_key");
            fetchGrouped(
                            EVENT.crossJoin(touches),
                            conversion,
                            key,
                            List.of(DSL.count(), DSL.sum(touches.field("amount", BigDecimal.class))))
                    .forEach(row -> rows.merge(
                            key(row, key), Counts.conversions(row.get(1, Long.class), whole(row, 2)), Counts::plus));
            return rows;
        }
        // One partner or link: its own touches are few, found by attribution_partner_idx or
        // attribution_link_idx, each joined to its event. No condition on attribution.program_id:
        // the event's settles it, and PostgreSQL, not knowing the two agree, would take the pair for
        // far more selective than it is.
        Condition where = conversion;
        if (query.partnerId() != null) {
            where = where.and(ATTRIBUTION.PARTNER_ID.eq(query.partnerId().value()));
        }
        if (query.linkScoped()) {
            where = where.and(linkFilter(query, ATTRIBUTION.LINK_ID));
        }
        Field<?> key =
                switch (split) {
                    case TOTAL -> null;
                    case DAY -> utcDay(EVENT.TS);
                    case PARTNER -> ATTRIBUTION.PARTNER_ID;
                    case LINK -> ATTRIBUTION.LINK_ID;
                };
        // An event crediting the partner through several touches is one conversion.
        fetchGrouped(
                        EVENT.join(ATTRIBUTION).on(ATTRIBUTION.EVENT_ID.eq(EVENT.ID)),
                        where,
                        key,
                        List.of(DSL.countDistinct(ATTRIBUTION.EVENT_ID), DSL.sum(ATTRIBUTION.VALUE_MINOR)))
                .forEach(row -> rows.merge(
                        key(row, key), Counts.conversions(row.get(1, Long.class), whole(row, 2)), Counts::plus));
        return rows;
    }

    /**
     * Net commissions: every row but rejected and reversed ones, reversals and adjustments being
     * negative. A commission counts on the day of its event, and a reversal's event is the refund,
     * so a refund lowers the figures of the day it happened. A commission's link is the one of the
     * touch it pays for (reversals keep that touch); split by link, commissions paying no
     * particular touch are under {@link #UNLINKED}.
     */
    Map<Object, Counts> commissions(StatsQuery query, Split split, List<LocalDate> days) {
        Map<Object, Counts> rows = new HashMap<>();
        Condition live = COMMISSION.STATUS.notIn(DSL.inline("rejected"), DSL.inline("reversed"));
        if (query.partnerId() == null && !query.linkScoped()) {
            // The whole program: per event in the range, its commissions summed by partner or link.
            TableLike<?> from = split == Split.LINK
                    ? COMMISSION.leftJoin(ATTRIBUTION).on(ATTRIBUTION.ID.eq(COMMISSION.ATTRIBUTION_ID))
                    : COMMISSION;
            Field<UUID> paidKey = split == Split.LINK ? ATTRIBUTION.LINK_ID : COMMISSION.PARTNER_ID;
            Table<?> paid = perEvent(DSL.select(
                            paidKey.as("row_key"),
                            DSL.sum(COMMISSION.AMOUNT_MINOR).as("amount"))
                    .from(from)
                    .where(COMMISSION.EVENT_ID.eq(EVENT.ID).and(live))
                    .groupBy(paidKey));
            Field<?> key =
                    switch (split) {
                        case TOTAL -> null;
                        case DAY -> utcDay(EVENT.TS);
                        case PARTNER, LINK -> paid.field("row_key");
                    };
            fetchGrouped(
                            EVENT.crossJoin(paid),
                            eventsOn(query, days),
                            key,
                            List.of(DSL.sum(paid.field("amount", BigDecimal.class))))
                    .forEach(row -> {
                        Object rowKey = key(row, key);
                        rows.merge(rowKey == null ? UNLINKED : rowKey, Counts.commissions(whole(row, 1)), Counts::plus);
                    });
            return rows;
        }
        // One partner or link: its own commissions, found by commission_partner_status_idx or
        // through attribution_link_idx, each joined to its event for the day.
        Condition where = eventsOn(query, days).and(live);
        TableLike<?> from = EVENT.join(COMMISSION).on(COMMISSION.EVENT_ID.eq(EVENT.ID));
        if (query.partnerId() != null) {
            where = where.and(COMMISSION.PARTNER_ID.eq(query.partnerId().value()));
        }
        if (query.linkScoped() || split == Split.LINK) {
            from = EVENT.join(COMMISSION)
                    .on(COMMISSION.EVENT_ID.eq(EVENT.ID))
                    .leftJoin(ATTRIBUTION)
                    .on(ATTRIBUTION.ID.eq(COMMISSION.ATTRIBUTION_ID));
        }
        if (query.linkScoped()) {
            where = where.and(linkFilter(query, ATTRIBUTION.LINK_ID));
        }
        Field<?> key =
                switch (split) {
                    case TOTAL -> null;
                    case DAY -> utcDay(EVENT.TS);
                    case PARTNER -> COMMISSION.PARTNER_ID;
                    case LINK -> ATTRIBUTION.LINK_ID;
                };
        fetchGrouped(from, where, key, List.of(DSL.sum(COMMISSION.AMOUNT_MINOR)))
                .forEach(row -> {
                    Object rowKey = key(row, key);
                    rows.merge(rowKey == null ? UNLINKED : rowKey, Counts.commissions(whole(row, 1)), Counts::plus);
                });
        return rows;
    }

    /**
     * A per-event subquery joined LATERAL to the program's events in the range. Its GROUP BY keeps
     * PostgreSQL from flattening it into a plain join, so each event's rows are looked up through
     * their event_id index (the *_event_stats_idx indexes answer from the index alone). As a plain
     * join, PostgreSQL prefers hashing the whole attribution or commission table at its default
     * random_page_cost: for 30 days of a 10-million-click program that measured 618 ms against
     * 66 ms this way.
     */
    private static Table<?> perEvent(TableLike<?> select) {
        return DSL.lateral(select.asTable("per_event"));
    }

    /** The program's events on the given days (runs of consecutive days become one range). */
    private static Condition eventsOn(StatsQuery query, List<LocalDate> days) {
        Condition when = DSL.falseCondition();
        int i = 0;
        while (i < days.size()) {
            int last = i;
            while (last + 1 < days.size()
                    && days.get(last + 1).equals(days.get(last).plusDays(1))) {
                last++;
            }
            when = when.or(EVENT.TS
                    .ge(startOf(days.get(i)))
                    .and(EVENT.TS.lt(startOf(days.get(last).plusDays(1)))));
            i = last + 1;
        }
        return EVENT.PROGRAM_ID.eq(query.programId().value()).and(when);
    }

    /**
     * The links a link-scoped query counts: one link, or the program's links with the tag (issue
     * 19), found by link_tag_program_tag_idx; both when both are given.
     */
    private static Condition linkFilter(StatsQuery query, Field<UUID> link) {
        Condition condition = DSL.noCondition();
        if (query.linkId() != null) {
            condition = condition.and(link.eq(query.linkId().value()));
        }
        if (query.tag() != null) {
            condition = condition.and(link.in(DSL.select(LINK_TAG.LINK_ID)
                    .from(LINK_TAG)
                    .where(LINK_TAG.PROGRAM_ID.eq(query.programId().value()))
                    .and(LINK_TAG.TAG.eq(query.tag()))));
        }
        return condition;
    }

    /** Selects the key (when there is one) and the aggregates, grouped by the key. */
    private List<Record> fetchGrouped(
            TableLike<?> from, Condition where, Field<?> key, List<? extends SelectField<?>> aggregates) {
        List<SelectField<?>> select = new ArrayList<>();
        select.add(key == null ? DSL.inline(0) : key);
        select.addAll(aggregates);
        SelectConditionStep<Record> query = dsl.select(select).from(from).where(where);
        return key == null ? query.fetch() : query.groupBy(key).fetch();
    }

    private static Object key(Record row, Field<?> key) {
        return key == null ? Split.TOTAL : row.get(0);
    }

    private static Field<LocalDate> utcDay(Field<OffsetDateTime> ts) {
        return DSL.field("cast(({0} at time zone 'UTC') as date)", SQLDataType.LOCALDATE, ts);
    }

    private static long whole(Record row, int index) {
        BigDecimal value = row.get(index, BigDecimal.class);
        return value == null ? 0 : value.longValueExact();
    }

    static OffsetDateTime startOf(LocalDate day) {
        return day.atStartOfDay().atOffset(ZoneOffset.UTC);
    }
}
