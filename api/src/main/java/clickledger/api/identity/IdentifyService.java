package clickledger.api.identity;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.ProgramLocks;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.attribution.UserLock;
import clickledger.api.event.EventRepository;
import clickledger.api.event.EventRow;
import clickledger.api.event.EventService;
import clickledger.api.event.EventView;
import clickledger.api.group.GroupCommit;
import clickledger.db.Pipeline;
import clickledger.db.Transactions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * {@code POST /v1/identify}: ties a merchant's user id to a click (by its cref). Idempotent; one
 * user may collect several clicks (multi-touch). The user's first stitch in a program attributes
 * the events that arrived before any identity (backfill), exactly once: it runs under the user's
 * lock and moves those events out of the "no_identity" state it selects on.
 */
public final class IdentifyService implements AutoCloseable {
    // Group commit (decision 0031). Two writers: with one, PostgreSQL works on one batch at a time, on
    // one of the two cores, and the next batch waits for the last one's four round trips; measured on
    // the busy box, one and two were within its noise of each other (0031). The cap keeps
    // a batch's advisory locks (one per user, plus one per program) far below PostgreSQL's lock
    // table (64 slots per connection by default, shared), as EventBatch's 250 does. The queue holds
    // about 0.4 s of the 2,500/s target: a request behind a longer one would miss the p99 anyway, so
    // it is better answered 503 at once. The timeout is a checkout's patience, well past any batch.
    static final int WRITERS = 2;
    static final int MAX_BATCH = 200;
    static final int QUEUE_CAPACITY = 1_000;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final DSLContext dsl;
    private final Clock clock;
    private final EventService.EventListener listener;
    // Null: every stitch in its own transaction (IDENTIFY_GROUP_COMMIT=false, or inside a caller's
    // transaction such as the Stripe webhook's).
    private final GroupCommit<Stitch, Result> group;
    private final ProgramLocks locks;

    /**
     * One transaction per stitch, on {@code dsl} (which may be a caller's transaction); a stitch of
     * a re-derived program refused at once ({@link ProgramLocks#REFUSE}).
     */
    public IdentifyService(DSLContext dsl, Clock clock, EventService.EventListener listener) {
        this(dsl, clock, listener, null, ProgramLocks.REFUSE);
    }

    /** One transaction per stitch; {@code locks}: how a stitch meets a re-derivation of its program. */
    public IdentifyService(DSLContext dsl, Clock clock, EventService.EventListener listener, ProgramLocks locks) {
        this(dsl, clock, listener, null, locks);
    }

    private IdentifyService(
            DSLContext dsl,
            Clock clock,
            EventService.EventListener listener,
            GroupCommit<Stitch, Result> group,
            ProgramLocks locks) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.group = group;
        this.locks = requireNonNull(locks, "locks is null");
    }

    /**
     * Stitches written by group commit (IDENTIFY_GROUP_COMMIT): many requests' stitches in one
     * transaction, each answered as if it had been written alone (decision 0031). Close it after
     * the HTTP server stopped.
     */
    public static IdentifyService grouped(
            DSLContext dsl,
            Clock clock,
            EventService.EventListener listener,
            ProgramLocks locks,
            MeterRegistry registry) {
        GroupCommit<Stitch, Result> group = new GroupCommit<>(
                "identify",
                new IdentifyBatch(dsl, listener),
                WRITERS,
                QUEUE_CAPACITY,
                MAX_BATCH,
                TIMEOUT,
                // One queue for both writers: a batch works its answers out under its users' locks,
                // so two batches of one user answer in the order they took them (decision 0031).
                null,
                registry);
        return new IdentifyService(dsl, clock, listener, group, locks);
    }

    public record Result(
            String identityId,
            String clickId,
            String programId,
            String userId,
            boolean created,
            boolean firstStitch,
            List<String> backfilledEventIds) {}

    // Everything identify needs goes in one round trip after the one to the click: the user's
    // locks, whether the user is already stitched to this click or at all, the stitch itself with
    // the click's touch columns copied (V6), and whether events wait for the user's first identity.
    // Each statement sees what the one before it wrote; only the locks can wait.
    private static final String BEFORE =
            """
            select (select id from identity where program_id = ?::uuid and user_id = ? and click_id = ?::uuid),
                   exists (select 1 from identity where program_id = ?::uuid and user_id = ?)""";
    private static final String INSERT =
            """
            insert into identity (id, program_id, click_id, click_ts, user_id, ts, created_at, link_id, partner_id,
                                  billable)
            values (?::uuid, ?::uuid, ?::uuid, ?::timestamptz, ?, ?::timestamptz, ?::timestamptz, ?::uuid, ?::uuid, ?)
            on conflict (program_id, user_id, click_id) do nothing""";
    private static final String AWAITING =
            "select exists (select 1 from event where program_id = ?::uuid and user_id = ? and attribution_status = 'no_identity')";

    // By id and ts: the ts in the id prunes the lookup to the click's own monthly partition.
    private static final String CLICK_FACTS =
            "select program_id, link_id, partner_id, not is_bot and fraud_flag is null from click where id = ?::uuid and ts = ?::timestamptz";

    /** What a stitch copies from its click (V7), and the program it belongs to. */
    record ClickFacts(UUID programId, UUID linkId, UUID partnerId, boolean billable) {}

    /**
     * @param programScope when the caller's key is bound to a program, clicks of other programs are
     *     reported as unknown rather than forbidden, so ids of other programs do not leak
     */
    public Result identify(String cref, String userId, Instant ts, UUID programScope) {
        Stitch stitch = Stitch.of(cref, userId, ts, programScope, clock);
        return group == null ? alone(stitch) : group.submit(stitch, () -> alone(stitch));
    }

    /** Stops taking stitches (503), after writing those already queued. */
    @Override
    public void close() {
        if (group != null) {
            group.close();
        }
    }

    /** One stitch in its own transaction (again in a turn, if a re-derivation holds its program: ProgramLocks). */
    Result alone(Stitch stitch) {
        return locks.run(() -> aloneOnce(stitch));
    }

    private Result aloneOnce(Stitch stitch) {
        // Transactions, not jOOQ's transactionResult: no isolation-level round trip (decision 0028).
        // The click is read on the transaction's connection, in plain SQL: one pool checkout and no
        // jOOQ rendering per stitch (a fifth of the api's samples under identify load, 0028).
        return Transactions.result(dsl, trx -> {
            ClickFacts[] found = new ClickFacts[1];
            Pipeline clickRead = new Pipeline()
                    .query(
                            CLICK_FACTS,
                            rows -> {
                                if (rows.next()) {
                                    found[0] = new ClickFacts(
                                            rows.getObject(1, UUID.class),
                                            rows.getObject(2, UUID.class),
                                            rows.getObject(3, UUID.class),
                                            rows.getBoolean(4));
                                }
                            },
                            stitch.clickId(),
                            stitch.clickTs());
            AttributionEngine.run(trx, clickRead);
            ClickFacts click = found[0];
            if (!stitch.mayUse(click)) {
                throw Stitch.unknownClick();
            }
            return stitchLocked(trx, listener, click, stitch);
        });
    }

    /**
     * The stitch of a click that exists and that the caller may use, in the caller's transaction:
     * the user's locks, whether the user is already stitched to this click or at all, the insert,
     * and the backfill of the events that waited for the user's first identity.
     */
    static Result stitchLocked(DSLContext trx, EventService.EventListener listener, ClickFacts click, Stitch stitch) {
        UUID programId = click.programId();
        String userId = stitch.userId();
        UUID[] existing = new UUID[1];
        boolean[] stitchedBefore = new boolean[1];
        boolean[] awaiting = new boolean[1];
        Pipeline pipeline = new Pipeline();
        UserLock.acquire(pipeline, programId, userId);
        pipeline.query(
                        BEFORE,
                        rows -> {
                            rows.next();
                            existing[0] = rows.getObject(1, UUID.class);
                            stitchedBefore[0] = rows.getBoolean(2);
                        },
                        programId,
                        userId,
                        stitch.clickId(),
                        programId,
                        userId)
                .execute(
                        INSERT,
                        stitch.identityId(),
                        programId,
                        stitch.clickId(),
                        stitch.clickTs(),
                        userId,
                        stitch.stitchedAt(),
                        stitch.now(),
                        click.linkId(),
                        click.partnerId(),
                        click.billable())
                .query(
                        AWAITING,
                        rows -> {
                            rows.next();
                            awaiting[0] = rows.getBoolean(1);
                        },
                        programId,
                        userId);
        AttributionEngine.run(trx, pipeline);
        if (existing[0] != null) {
            return stitch.found(programId, existing[0]);
        }
        List<String> backfilled = awaiting[0] ? backfill(trx, listener, programId, userId, stitch.now()) : List.of();
        return stitch.created(programId, !stitchedBefore[0], backfilled);
    }

    /** Attributes the events that arrived before the user's first identity, oldest first. */
    private static List<String> backfill(
            DSLContext trx, EventService.EventListener listener, UUID programId, String userId, Instant now) {
        List<String> backfilled = new ArrayList<>();
        ProgramSettings program = ProgramSettings.load(trx, programId);
        for (EventRow event : EventRepository.awaitingIdentity(trx, programId, userId)) {
            AttributionEngine.attribute(trx, program, event, now);
            EventView view = EventView.load(
                    trx, EventRepository.find(trx, programId, event.id()).orElseThrow());
            listener.stored(trx, view);
            backfilled.add(event.eventKey());
        }
        return backfilled;
    }
}
