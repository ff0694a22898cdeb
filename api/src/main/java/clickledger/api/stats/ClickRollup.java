package clickledger.api.stats;

import static clickledger.db.jooq.Tables.CLICK_LATE_DAY;
import static clickledger.db.jooq.Tables.CLICK_ROLLUP_MARK;
import static clickledger.db.jooq.Tables.CLICK_ROLLUP_STATE;
import static clickledger.db.jooq.Tables.CLICK_VISITOR;
import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Keeps the daily click rollups (link, partner and program grains) and their monthly sums.
 *
 * <p>Each run ({@link #tryAdvance}) counts only the clicks since the last one: those with
 * {@code watermark <= ts < next watermark}, found per program through {@code
 * click_program_ts_idx}, added to the day's rows. Distinct visitors do not add up, so the run also
 * records who it counted ({@code click_visitor}, per day and grain) and adds only visitors not
 * counted before that day. A run's cost is therefore its new clicks, whatever the day already
 * holds (measured in docs/decisions/0016).
 *
 * <p>Finding clicks by time is exact only if no click with an earlier time appears after the
 * watermark passed it. Two rules keep that: the next watermark stays {@link #LATE} + {@link #SKEW}
 * behind the oldest transaction still open (from {@code click_rollup_mark}, the transaction ids
 * noted before each run), so a click written within {@link #LATE} of its time is always visible
 * when the watermark passes it; and a click written later than that (a router's spool replayed
 * after an outage) notes its day in {@code click_late_day} (V7's trigger), and the next run counts
 * that day again from scratch ({@code REBUILD}). A run with no watermark yet, or after a gap of
 * more than a day, or a clock that went back, rebuilds yesterday and today from scratch too.
 *
 * <p>Each run and rebuild also writes the clicks by dimension ({@link DimensionRollup}) in the same
 * transaction, so those rows always add up to the day's clicks here.
 *
 * <p>{@code click_rollup_day.through} records the watermark per day; stats count the clicks after
 * it live. A row is only rewritten when its figures change, so running again changes nothing. An
 * advisory transaction lock keeps two api replicas from rolling up at once.
 */
public final class ClickRollup {
    static final long LOCK_KEY = 0x636c69636b5f726fL; // "click_ro"
    /**
     * The router answers only after its click is committed, within milliseconds of the click's
     * ts; the watermark stays at least 5 s behind now, leaving a click still in flight to the live
     * count of the stats query instead of missing it until the next run.
     */
    static final Duration SETTLE = Duration.ofSeconds(5);
    /**
     * A click written more than this after its time notes its day as late (V7's trigger, which
     * says 10 seconds too): routers write within milliseconds, or within their 250 ms database
     * budget, so only spool replays and stalled writes are late.
     */
    static final Duration LATE = Duration.ofSeconds(10);
    /**
     * How far the api's clock (the marks' times) and PostgreSQL's (the trigger's) may disagree
     * before a click could be missed; NTP keeps them within milliseconds.
     */
    static final Duration SKEW = Duration.ofSeconds(5);

    /**
     * The last CTE of a statement that counts days: each day from ? to ? (the last two parameters,
     * as timestamps) is counted through the first parameter (the watermark) or its end, whichever
     * is first, at the time of the second.
     */
    private static final String DAYS =
            """
            days as (
                insert into click_rollup_day as r (day, through, rolled_at)
                select cast(d as date),
                       greatest(d at time zone 'UTC', least((d + interval '1 day') at time zone 'UTC', cast(? as timestamptz))),
                       cast(? as timestamptz)
                from generate_series(cast(? as timestamp), cast(? as timestamp), interval '1 day') as d
                on conflict (day) do update set through = excluded.through, rolled_at = excluded.rolled_at
            )
            """;

    static final String REBUILD =
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
            """
                    + DAYS
                    + """
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

    /**
     * One run's new clicks, {@code ? <= ts < ?}, added to the rollups. Per program, a range scan of
     * {@code click_program_ts_idx}: {@code offset 0} keeps the planner from flattening the lateral
     * into one scan of the BRIN index on ts, which reads every block range not summarized yet (all
     * written since the last vacuum, millions of clicks on a busy day). Visitors the day has not counted at a grain are inserted into click_visitor; what
     * the inserts return (only rows that were new) are the day's new visitors there. Daily rows get
     * the new counts added, the months' rows the same amounts, and the days covered their through.
     */
    private static final String INCREMENT =
            """
            with new as (
                select cast((c.ts at time zone 'UTC') as date) as day, c.program_id, c.partner_id, c.link_id,
                       c.ip_hash, c.is_bot, c.fraud_flag
                  from program p
                 cross join lateral (
                    select ts, program_id, partner_id, link_id, ip_hash, is_bot, fraud_flag from click
                     where program_id = p.id and ts >= cast(? as timestamptz) and ts < cast(? as timestamptz)
                    offset 0) c
            ),
            visits as (
                select distinct day, program_id, partner_id, link_id, ip_hash from new
                 where not is_bot and ip_hash is not null
            ),
            link_visitors as (
                insert into click_visitor (day, entity, ip_hash) select day, link_id, ip_hash from visits
                on conflict do nothing
                returning day, entity
            ),
            partner_visitors as (
                insert into click_visitor (day, entity, ip_hash) select distinct day, partner_id, ip_hash from visits
                on conflict do nothing
                returning day, entity
            ),
            program_visitors as (
                insert into click_visitor (day, entity, ip_hash) select distinct day, program_id, ip_hash from visits
                on conflict do nothing
                returning day, entity
            ),
            fresh as (
                select day, entity, count(*) as visitors from link_visitors group by day, entity
                union all select day, entity, count(*) from partner_visitors group by day, entity
                union all select day, entity, count(*) from program_visitors group by day, entity
            ),
            agg as (
                select a.*, coalesce(f.visitors, 0) as visitors
                  from (select day, program_id, partner_id, link_id, count(*) as clicks,
                               count(*) filter (where not is_bot and fraud_flag is null) as billable,
                               grouping(partner_id, link_id) as grain
                          from new
                         group by day, program_id, rollup (partner_id, link_id)) a
                  left join fresh f
                    on f.day = a.day and f.entity = case a.grain when 0 then a.link_id when 1 then a.partner_id
                                                                 else a.program_id end
            ),
            links as (
                insert into click_daily as d (day, link_id, program_id, partner_id, clicks, billable, visitors)
                select day, link_id, program_id, partner_id, clicks, billable, visitors from agg where grain = 0
                on conflict (day, link_id) do update
                    set clicks = d.clicks + excluded.clicks, billable = d.billable + excluded.billable,
                        visitors = d.visitors + excluded.visitors
                returning 1
            ),
            partners as (
                insert into click_daily_partner as d (day, program_id, partner_id, clicks, billable, visitors)
                select day, program_id, partner_id, clicks, billable, visitors from agg where grain = 1
                on conflict (program_id, day, partner_id) do update
                    set clicks = d.clicks + excluded.clicks, billable = d.billable + excluded.billable,
                        visitors = d.visitors + excluded.visitors
                returning 1
            ),
            programs as (
                insert into click_daily_program as d (day, program_id, clicks, billable, visitors)
                select day, program_id, clicks, billable, visitors from agg where grain = 3
                on conflict (program_id, day) do update
                    set clicks = d.clicks + excluded.clicks, billable = d.billable + excluded.billable,
                        visitors = d.visitors + excluded.visitors
                returning 1
            ),
            link_months as (
                insert into click_monthly as m (month, link_id, program_id, partner_id, clicks, billable, visitors)
                select cast(date_trunc('month', day) as date), link_id, program_id, partner_id,
                       sum(clicks), sum(billable), sum(visitors)
                  from agg where grain = 0
                 group by cast(date_trunc('month', day) as date), link_id, program_id, partner_id
                on conflict (month, link_id) do update
                    set clicks = m.clicks + excluded.clicks, billable = m.billable + excluded.billable,
                        visitors = m.visitors + excluded.visitors
                returning 1
            ),
            partner_months as (
                insert into click_monthly_partner as m (month, program_id, partner_id, clicks, billable, visitors)
                select cast(date_trunc('month', day) as date), program_id, partner_id,
                       sum(clicks), sum(billable), sum(visitors)
                  from agg where grain = 1
                 group by cast(date_trunc('month', day) as date), program_id, partner_id
                on conflict (program_id, month, partner_id) do update
                    set clicks = m.clicks + excluded.clicks, billable = m.billable + excluded.billable,
                        visitors = m.visitors + excluded.visitors
                returning 1
            ),
            """
                    + DAYS
                    + """
            select (select count(*) from links), (select count(*) from partners), (select count(*) from programs),
                   (select count(*) from link_months) + (select count(*) from partner_months)
            """;

    /**
     * The visitors of a day's clicks {@code ? <= ts < ?} at every grain, after a rebuild of a day
     * the watermark is still in, so the next runs add only visitors that day has not counted.
     */
    private static final String REFILL_VISITORS =
            """
            with visits as (
                select distinct cast((ts at time zone 'UTC') as date) as day, program_id, partner_id, link_id, ip_hash
                  from click
                 where ts >= cast(? as timestamptz) and ts < cast(? as timestamptz)
                   and not is_bot and ip_hash is not null
            )
            insert into click_visitor (day, entity, ip_hash)
            select day, link_id, ip_hash from visits
            union all select distinct day, partner_id, ip_hash from visits
            union all select distinct day, program_id, ip_hash from visits
            on conflict do nothing
            """;

    /**
     * Before a run, in a transaction of its own: its transaction id, which every id assigned later
     * exceeds, and the api's clock read before it was assigned. (A snapshot's xmax would not do:
     * it is one past the last completed id, and transactions still open may hold ids above it.)
     */
    private static final String MARK =
            """
            insert into click_rollup_mark (mark_xid, at)
            values (cast(cast(pg_current_xact_id() as text) as bigint), cast(? as timestamptz))
            """;

    /**
     * The newest mark no open transaction predates: the oldest transaction this snapshot sees as
     * running (its xmin) is younger than the mark, so every transaction this run cannot see got
     * its id after the mark's time. A mark's own transaction has committed before the run starts,
     * so every running transaction older than it is below the snapshot's xmax and counts in xmin.
     */
    private static final String USABLE_MARK =
            """
            select mark_xid, at from click_rollup_mark
             where mark_xid < cast(cast(pg_snapshot_xmin(pg_current_snapshot()) as text) as bigint)
             order by mark_xid desc limit 1
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
     * One run: counts the clicks since the last run and the days noted late, unless another
     * process holds the lock (then it is that process's run, and this one is skipped).
     */
    public Optional<Result> tryAdvance() {
        mark();
        return dsl.transactionResult(trx -> {
            if (!tryLock(trx.dsl())) {
                return Optional.empty();
            }
            return Optional.of(advance(trx.dsl()));
        });
    }

    /**
     * Rebuilds every day from {@code from} to {@code to} (inclusive, UTC) from scratch, after a
     * run: one transaction per day so a long range never holds a long transaction, then the
     * monthly sums of those months; waits while another process is rolling up.
     */
    public Result rebuild(LocalDate from, LocalDate to) {
        mark();
        Result total = dsl.transactionResult(trx -> {
            lock(trx.dsl());
            return advance(trx.dsl());
        });
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            LocalDate current = day;
            total = total.plus(dsl.transactionResult(trx -> {
                lock(trx.dsl());
                return rebuildDays(trx.dsl(), current, current, watermark(trx.dsl()));
            }));
        }
        return total.plus(dsl.transactionResult(trx -> {
            lock(trx.dsl());
            return refreshMonths(trx.dsl(), from, to);
        }));
    }

    /**
     * A run, then {@code from} to {@code to} rebuilt from scratch, in one transaction, unless
     * another process holds the lock: then it is that process's run, and this one is skipped.
     */
    public Optional<Result> tryRebuild(LocalDate from, LocalDate to) {
        mark();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            if (!tryLock(tx)) {
                return Optional.empty();
            }
            Result advanced = advance(tx);
            return Optional.of(
                    advanced.plus(rebuildDays(tx, from, to, watermark(tx))).plus(refreshMonths(tx, from, to)));
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

    /** Notes the transaction ids assigned from now on; its own statement, before the run's transaction. */
    private void mark() {
        dsl.execute(MARK, clock.instant().atOffset(ZoneOffset.UTC));
    }

    /** The watermark, or null before the first run. */
    private static OffsetDateTime watermark(DSLContext tx) {
        return tx.select(CLICK_ROLLUP_STATE.WATERMARK).from(CLICK_ROLLUP_STATE).fetchOne(CLICK_ROLLUP_STATE.WATERMARK);
    }

    /**
     * Moves the watermark as far as it may go now and counts what it passed: the new clicks, or
     * yesterday and today from scratch (first run, a gap of more than a day, a clock that went
     * back), then the days noted late.
     */
    private Result advance(DSLContext tx) {
        Instant now = clock.instant();
        OffsetDateTime old = watermark(tx);
        OffsetDateTime next = nextWatermark(tx, now, old);
        if (next == null) {
            return Result.NONE;
        }
        boolean clockWentBack = old != null && now.minus(SETTLE).isBefore(old.toInstant());
        if (old != null && next.isBefore(old) && !clockWentBack) {
            // Only an older mark was usable (a long transaction is open): the watermark waits.
            next = old;
        }
        LocalDate day = dayOf(next);
        Result result;
        if (old == null || clockWentBack || dayOf(old).isBefore(day.minusDays(1))) {
            result = rebuildDays(tx, day.minusDays(1), day, next).plus(refreshMonths(tx, day.minusDays(1), day));
        } else {
            OffsetDateTime rolledAt = now.atOffset(ZoneOffset.UTC);
            Record counts = tx.fetchSingle(INCREMENT, old, next, next, rolledAt, dayOf(old), day);
            DimensionRollup.increment(tx, old, next);
            result = new Result(
                    counts.get(0, Integer.class),
                    counts.get(1, Integer.class),
                    counts.get(2, Integer.class),
                    counts.get(3, Integer.class));
        }
        result = result.plus(lateDays(tx, next));
        tx.deleteFrom(CLICK_VISITOR).where(CLICK_VISITOR.DAY.lt(day)).execute();
        tx.insertInto(CLICK_ROLLUP_STATE, CLICK_ROLLUP_STATE.ID, CLICK_ROLLUP_STATE.WATERMARK)
                .values(true, next)
                .onConflict(CLICK_ROLLUP_STATE.ID)
                .doUpdate()
                .set(CLICK_ROLLUP_STATE.WATERMARK, next)
                .execute();
        return result;
    }

    /**
     * {@link #SETTLE} before now, and {@link #LATE} + {@link #SKEW} before the newest mark no
     * open transaction predates; the old watermark when no mark is usable yet (a transaction older
     * than every mark is still open). Marks older than the one used are dropped.
     */
    private static OffsetDateTime nextWatermark(DSLContext tx, Instant now, OffsetDateTime old) {
        Record mark = tx.fetchOne(USABLE_MARK);
        if (mark == null) {
            return old;
        }
        long markXid = mark.get(0, Long.class);
        tx.deleteFrom(CLICK_ROLLUP_MARK)
                .where(CLICK_ROLLUP_MARK.MARK_XID.lt(markXid))
                .execute();
        Instant settled = now.minus(SETTLE);
        Instant visible =
                mark.get(1, OffsetDateTime.class).toInstant().minus(LATE).minus(SKEW);
        return (settled.isBefore(visible) ? settled : visible).atOffset(ZoneOffset.UTC);
    }

    /**
     * Rebuilds the days noted late (their notes, oldest first, a thousand a run) up to the
     * watermark, then forgets the notes read; a note written meanwhile waits for the next run.
     * Days after the watermark's are left to the runs that reach them.
     */
    private Result lateDays(DSLContext tx, OffsetDateTime watermark) {
        var notes = tx.select(CLICK_LATE_DAY.ID, CLICK_LATE_DAY.DAY)
                .from(CLICK_LATE_DAY)
                .orderBy(CLICK_LATE_DAY.ID)
                .limit(1000)
                .fetch();
        if (notes.isEmpty()) {
            return Result.NONE;
        }
        Result result = Result.NONE;
        LocalDate last = dayOf(watermark);
        for (LocalDate day : new TreeSet<>(notes.getValues(CLICK_LATE_DAY.DAY))) {
            if (!day.isAfter(last)) {
                result = result.plus(rebuildDays(tx, day, day, watermark)).plus(refreshMonths(tx, day, day));
            }
        }
        tx.deleteFrom(CLICK_LATE_DAY)
                .where(CLICK_LATE_DAY.ID.in(notes.getValues(CLICK_LATE_DAY.ID)))
                .execute();
        return result;
    }

    /**
     * Counts {@code from} to {@code to} from scratch, each day up to its end or the watermark,
     * whichever is first (all of it before the first run); a day the watermark is in gets its
     * visitors recorded anew for the runs that follow.
     */
    private Result rebuildDays(DSLContext tx, LocalDate from, LocalDate to, OffsetDateTime watermark) {
        Instant now = clock.instant();
        OffsetDateTime start = from.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = to.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime limit = watermark != null ? watermark : now.minus(SETTLE).atOffset(ZoneOffset.UTC);
        OffsetDateTime upper = limit.isBefore(end) ? limit : end;
        OffsetDateTime rolledAt = now.atOffset(ZoneOffset.UTC);
        Record counts = tx.fetchSingle(REBUILD, start, upper, upper, rolledAt, from, to);
        DimensionRollup.rebuild(tx, start, upper, from, to);
        if (watermark != null && !watermark.isBefore(start) && watermark.isBefore(end)) {
            LocalDate partial = dayOf(watermark);
            tx.deleteFrom(CLICK_VISITOR).where(CLICK_VISITOR.DAY.eq(partial)).execute();
            tx.execute(REFILL_VISITORS, partial.atStartOfDay().atOffset(ZoneOffset.UTC), watermark);
        }
        return new Result(counts.get(0, Integer.class), counts.get(1, Integer.class), counts.get(2, Integer.class), 0);
    }

    private static LocalDate dayOf(OffsetDateTime time) {
        return time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    }

    /** Re-sums the months from {@code from}'s to {@code to}'s from the daily rows; in the caller's transaction. */
    static Result refreshMonths(DSLContext tx, LocalDate from, LocalDate to) {
        LocalDate first = from.withDayOfMonth(1);
        LocalDate end = to.withDayOfMonth(1).plusMonths(1);
        Record counts = tx.fetchSingle(REFRESH_MONTHS, first, end, first, end);
        return new Result(0, 0, 0, counts.get(0, Integer.class) + counts.get(1, Integer.class));
    }
}
