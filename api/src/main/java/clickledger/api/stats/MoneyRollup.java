package clickledger.api.stats;

import static clickledger.db.jooq.Tables.STATS_CHANGE;
import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Keeps the money of the daily rollups (conversions, revenue, net commissions, at the link,
 * partner and program grains) equal to the ledger tables. Triggers note in {@code stats_change}
 * the (program, day) of every change to attribution, commission or an event's conversion status;
 * each batch here recomputes those days from event, attribution and commission in one statement,
 * re-sums their months, and deletes the notes it applied. A note committed meanwhile stays for the
 * next batch; until then, stats read that day's money live.
 */
public final class MoneyRollup {
    /**
     * Program-days per transaction: a day of a busy program is a few hundred events, so a batch
     * stays well under a second; the first run after the migration works through a year in a few.
     */
    static final int BATCH_DAYS = 100;

    private static final String RECOMPUTE =
            """
            with dirty (program_id, day) as (
                select * from unnest(cast(? as uuid[]), cast(? as date[]))
            ),
            events as (
                select e.id, e.program_id, d.day,
                       e.refund_of is null and e.attribution_status = 'attributed' as conversion
                from dirty d
                join event e on e.program_id = d.program_id
                    and e.ts >= cast(d.day as timestamp) at time zone 'UTC'
                    and e.ts < cast(d.day + 1 as timestamp) at time zone 'UTC'
            ),
            parts as (
                select ev.day, ev.program_id, a.partner_id, a.link_id, a.event_id,
                       a.value_minor as credited, cast(0 as bigint) as paid, true as touch
                from events ev join attribution a on a.event_id = ev.id
                where ev.conversion
                union all
                -- A commission pays the partner of its touch; one with no touch counts for its
                -- partner and the program, under no link.
                select ev.day, ev.program_id, coalesce(a.partner_id, c.partner_id), a.link_id, c.event_id,
                       cast(0 as bigint), c.amount_minor, false
                from events ev join commission c on c.event_id = ev.id
                left join attribution a on a.id = c.attribution_id
                where c.status not in ('rejected', 'reversed')
            ),
            money as (
                select day, program_id, partner_id, link_id,
                       count(distinct event_id) filter (where touch) as conversions,
                       cast(sum(credited) as bigint) as revenue, cast(sum(paid) as bigint) as commissions,
                       grouping(partner_id, link_id) as grain
                from parts
                group by day, program_id, rollup (partner_id, link_id)
            ),
            links as (
                insert into click_daily as d (day, link_id, program_id, partner_id, clicks, billable, visitors,
                                              conversions, revenue_minor, commissions_minor)
                select day, link_id, program_id, partner_id, 0, 0, 0, conversions, revenue, commissions
                from money where grain = 0 and link_id is not null
                on conflict (day, link_id) do update
                    set conversions = excluded.conversions, revenue_minor = excluded.revenue_minor,
                        commissions_minor = excluded.commissions_minor
                    where (d.conversions, d.revenue_minor, d.commissions_minor)
                        is distinct from (excluded.conversions, excluded.revenue_minor, excluded.commissions_minor)
                returning 1
            ),
            links_cleared as (
                update click_daily d set conversions = 0, revenue_minor = 0, commissions_minor = 0
                from dirty
                where d.program_id = dirty.program_id and d.day = dirty.day
                  and (d.conversions, d.revenue_minor, d.commissions_minor) <> (0, 0, 0)
                  and not exists (select 1 from money m where m.grain = 0 and m.link_id = d.link_id and m.day = d.day)
                returning 1
            ),
            partners as (
                insert into click_daily_partner as d (day, program_id, partner_id, conversions, revenue_minor,
                                                      commissions_minor)
                select day, program_id, partner_id, conversions, revenue, commissions
                from money where grain = 1
                on conflict (program_id, day, partner_id) do update
                    set conversions = excluded.conversions, revenue_minor = excluded.revenue_minor,
                        commissions_minor = excluded.commissions_minor
                    where (d.conversions, d.revenue_minor, d.commissions_minor)
                        is distinct from (excluded.conversions, excluded.revenue_minor, excluded.commissions_minor)
                returning 1
            ),
            partners_cleared as (
                update click_daily_partner d set conversions = 0, revenue_minor = 0, commissions_minor = 0
                from dirty
                where d.program_id = dirty.program_id and d.day = dirty.day
                  and (d.conversions, d.revenue_minor, d.commissions_minor) <> (0, 0, 0)
                  and not exists (select 1 from money m where m.grain = 1 and m.program_id = d.program_id
                                  and m.partner_id = d.partner_id and m.day = d.day)
                returning 1
            ),
            programs as (
                insert into click_daily_program as d (day, program_id, conversions, revenue_minor, commissions_minor)
                select day, program_id, conversions, revenue, commissions
                from money where grain = 3
                on conflict (program_id, day) do update
                    set conversions = excluded.conversions, revenue_minor = excluded.revenue_minor,
                        commissions_minor = excluded.commissions_minor
                    where (d.conversions, d.revenue_minor, d.commissions_minor)
                        is distinct from (excluded.conversions, excluded.revenue_minor, excluded.commissions_minor)
                returning 1
            ),
            programs_cleared as (
                update click_daily_program d set conversions = 0, revenue_minor = 0, commissions_minor = 0
                from dirty
                where d.program_id = dirty.program_id and d.day = dirty.day
                  and (d.conversions, d.revenue_minor, d.commissions_minor) <> (0, 0, 0)
                  and not exists (select 1 from money m where m.grain = 3 and m.program_id = d.program_id
                                  and m.day = d.day)
                returning 1
            )
            select (select count(*) from links) + (select count(*) from links_cleared),
                   (select count(*) from partners) + (select count(*) from partners_cleared),
                   (select count(*) from programs) + (select count(*) from programs_cleared)
            """;

    private final DSLContext dsl;

    /** @param dsl the primary: the rollups are written there and reach a replica by replication */
    public MoneyRollup(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /**
     * Applies the oldest noted changes, up to {@link #BATCH_DAYS} program-days, in one
     * transaction; empty when another process holds the rollup lock.
     *
     * @return the rollup rows written and the program-days applied (0 when nothing was pending)
     */
    public Optional<Applied> tryApplyChanges() {
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            if (!ClickRollup.tryLock(tx)) {
                return Optional.empty();
            }
            List<UUID> programs = new ArrayList<>();
            List<LocalDate> days = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            // The oldest program-days first, each with every note of it, so none is applied halfway.
            tx.select(STATS_CHANGE.PROGRAM_ID, STATS_CHANGE.DAY, DSL.arrayAgg(STATS_CHANGE.ID))
                    .from(STATS_CHANGE)
                    .groupBy(STATS_CHANGE.PROGRAM_ID, STATS_CHANGE.DAY)
                    .orderBy(DSL.min(STATS_CHANGE.ID))
                    .limit(BATCH_DAYS)
                    .forEach(row -> {
                        programs.add(row.value1());
                        days.add(row.value2());
                        ids.addAll(List.of(row.value3()));
                    });
            if (days.isEmpty()) {
                return Optional.of(new Applied(ClickRollup.Result.NONE, 0));
            }
            Record written = tx.fetchSingle(RECOMPUTE, programs.toArray(UUID[]::new), days.toArray(LocalDate[]::new));
            ClickRollup.Result result = new ClickRollup.Result(
                    written.get(0, Integer.class), written.get(1, Integer.class), written.get(2, Integer.class), 0);
            for (LocalDate month :
                    days.stream().map(day -> day.withDayOfMonth(1)).distinct().toList()) {
                result = result.plus(ClickRollup.refreshMonths(tx, month, month));
            }
            tx.deleteFrom(STATS_CHANGE).where(STATS_CHANGE.ID.in(ids)).execute();
            return Optional.of(new Applied(result, days.size()));
        });
    }

    /** What one batch did: rollup rows written, and program-days recomputed. */
    public record Applied(ClickRollup.Result rows, int days) {}
}
