package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import clickledger.api.program.ProgramId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * The live click counter of a dashboard: clicks of a program today (UTC) and in the last hour,
 * from one value per program shared by every caller and refreshed at most once per interval
 * (LIVE_STATS_SECONDS). A hundred open dashboards polling every second cost PostgreSQL one query
 * per interval per program, not a hundred: callers that find the value stale queue on the
 * program's lock, one of them queries, the rest read what it fetched.
 *
 * <p>The query is cheap however many clicks there are: today's clicks are the rollup's row of the
 * day ({@code click_daily_program}, by its primary key) plus the clicks after the rollup's
 * {@code through} (a minute or so of them, a range of {@code click_program_ts_idx}); the last
 * hour is one range of {@code click_program_ts_idx}. See {@code LiveClicksTest} for the plan and
 * docs/decisions/0014 for the figures at 10 million clicks.
 */
public final class LiveClicks {
    /**
     * Programs remembered. A value exists only for a program someone watches, so real deployments
     * stay far below; the bound only stops ids sent by a client from growing the map without end.
     * Clearing it when full costs one query per watched program, which is what no cache costs.
     */
    static final int MAX_PROGRAMS = 4_096;

    static final String SQL =
            """
            select exists (select 1 from program where id = cast(? as uuid)),
                   coalesce((select clicks from click_daily_program
                             where program_id = cast(? as uuid) and day = cast(? as date)), 0)
                   + (select count(*) from click
                      where program_id = cast(? as uuid)
                        and ts >= coalesce((select least(greatest(through, cast(? as timestamptz)), cast(? as timestamptz))
                                            from click_rollup_day where day = cast(? as date)),
                                           cast(? as timestamptz))
                        and ts < cast(? as timestamptz)),
                   (select count(*) from click
                    where program_id = cast(? as uuid) and ts >= cast(? as timestamptz) and ts < cast(? as timestamptz))
            """;

    /** What a dashboard shows; {@code asOf} is when it was counted. */
    public record Counts(String programId, long clicksToday, long clicksLastHour, Instant asOf) {}

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        volatile Optional<Counts> counts;
        volatile Instant fetchedAt;
    }

    private final DSLContext dsl;
    private final Clock clock;
    private final Duration interval;
    private final ConcurrentHashMap<ProgramId, Slot> slots = new ConcurrentHashMap<>();

    /** @param dsl the read replica when there is one: a counter may lag by the replica's delay */
    public LiveClicks(DSLContext dsl, Clock clock, Duration interval) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.interval = requireNonNull(interval, "interval is null");
    }

    public Duration interval() {
        return interval;
    }

    /** The program's counts, at most one interval old; empty when there is no such program. */
    public Optional<Counts> current(ProgramId programId) {
        Slot slot = slot(programId);
        Optional<Counts> fresh = freshIn(slot);
        if (fresh != null) {
            return fresh;
        }
        slot.lock.lock();
        try {
            // Whoever held the lock before us may have just refreshed it.
            fresh = freshIn(slot);
            if (fresh != null) {
                return fresh;
            }
            Instant now = clock.instant();
            Optional<Counts> counted = count(programId, now);
            slot.counts = counted;
            slot.fetchedAt = now;
            return counted;
        } finally {
            slot.lock.unlock();
        }
    }

    private Slot slot(ProgramId programId) {
        Slot slot = slots.get(programId);
        if (slot != null) {
            return slot;
        }
        if (slots.size() >= MAX_PROGRAMS) {
            slots.clear();
        }
        return slots.computeIfAbsent(programId, id -> new Slot());
    }

    /** The slot's value when fetched within the interval, else null. */
    private Optional<Counts> freshIn(Slot slot) {
        Instant fetchedAt = slot.fetchedAt;
        if (fetchedAt == null || !clock.instant().isBefore(fetchedAt.plus(interval))) {
            return null;
        }
        return slot.counts;
    }

    private Optional<Counts> count(ProgramId programId, Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        OffsetDateTime startOfToday = today.atStartOfDay().atOffset(ZoneOffset.UTC);
        OffsetDateTime end = now.atOffset(ZoneOffset.UTC);
        OffsetDateTime hourAgo = end.minusHours(1);
        Record row = dsl.resultQuery(
                        SQL,
                        programId.value(),
                        programId.value(),
                        today,
                        programId.value(),
                        startOfToday,
                        end,
                        today,
                        startOfToday,
                        end,
                        programId.value(),
                        hourAgo,
                        end)
                .fetchSingle();
        if (!Boolean.TRUE.equals(row.get(0, Boolean.class))) {
            return Optional.empty();
        }
        return Optional.of(new Counts(programId.toString(), row.get(1, Long.class), row.get(2, Long.class), now));
    }

    /** Values held, for the test of the bound. */
    int programsHeld() {
        return slots.size();
    }
}
