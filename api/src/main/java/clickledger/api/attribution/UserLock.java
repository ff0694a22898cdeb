package clickledger.api.attribution;

import clickledger.db.Pipeline;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Serialises everything that reads and writes one user's attribution in one program (events,
 * identify, backfill, refunds) with a transaction-scoped advisory lock. Two events of the same user
 * in parallel would otherwise both see the same "first conversion" history, and two racing
 * identical events would both try to attribute. Locks of different users never contend.
 *
 * <p>Each of them also holds the program's lock in shared mode, which a re-derivation takes
 * exclusively: it rewrites the attribution of every user of the program at once, and a lock per
 * user would need more lock table slots than PostgreSQL has (a few thousand) for a program with a
 * million events. Shared holders never wait for each other.
 */
public final class UserLock {
    // Program shared, then user exclusive: every holder takes them in this order. Outside a turn of
    // ProgramLocks the program's lock is only tried (a re-derivation holds it exclusively for
    // minutes, and a wait for it would hold a pooled connection): its first column says whether it
    // was got. In a turn, the statement sets the turn's lock_timeout, then waits.
    private static final String TRY = "select pg_try_advisory_xact_lock_shared(hashtextextended(?, 1)),"
            + " pg_advisory_xact_lock(hashtextextended(?, 0))";
    private static final String WAIT = "select set_config('lock_timeout', ?, true),"
            + " pg_advisory_xact_lock_shared(hashtextextended(?, 1)), pg_advisory_xact_lock(hashtextextended(?, 0))";

    /**
     * {@link #TRY} or {@link #WAIT}, and for the rest of the transaction every prepared statement
     * runs its generic plan ({@code SET LOCAL plan_cache_mode = force_generic_plan}, as set_config,
     * so it costs no statement of its own). The event path's history query ({@link UserFacts})
     * otherwise got a custom plan on every call: PostgreSQL judged its generic plan dearer, and
     * planning it took 0.46 ms, a third of the server's CPU per event, for a 0.05 ms execution
     * (decision 0028). Every other statement of an event already ran its generic plan.
     */
    private static final String GENERIC_PLANS = ", set_config('plan_cache_mode', 'force_generic_plan', true)";

    private static final String PROGRAM_TRY = "select pg_try_advisory_xact_lock_shared(hashtextextended(?, 1))";
    private static final String PROGRAM_WAIT =
            "select set_config('lock_timeout', ?, true), pg_advisory_xact_lock_shared(hashtextextended(?, 1))";

    // The first column of TRY and PROGRAM_TRY: false when a re-derivation holds the program's lock.
    private static final Pipeline.Rows PROGRAM_GOT = rows -> {
        rows.next();
        if (!rows.getBoolean(1)) {
            throw ProgramLocks.busy();
        }
    };

    // Several locks in one statement, taken in the array's order, each as its row is produced;
    // offset 0 keeps the subquery as written, so its volatile lock calls are never optimised away.
    private static final String USER_LOCKS =
            "select count(*) from (select pg_advisory_xact_lock(hashtextextended(k, 0))"
                    + " from unnest(?::text[]) with ordinality as u (k, n) order by n offset 0) as taken";
    // Each program's lock tried once, as its row is produced; the rows are the programs not got.
    private static final String PROGRAM_LOCKS_TRIED = "select cast(k as uuid) from unnest(?::text[]) as u (k)"
            + " where not pg_try_advisory_xact_lock_shared(hashtextextended(k, 1))";

    /**
     * How long a group commit's batch (events, identify) waits for a lock before it hands its items
     * back to their requests (decisions 0030, 0031): longer than any event or stitch holds a user's
     * lock (a few milliseconds), short next to the p99 a batch may add to its requests, and far
     * short of a re-derivation's hold on its program.
     */
    public static final String BATCH_LOCK_TIMEOUT = "100ms";

    /** SQLSTATE lock_not_available: a statement met a lock it waited {@link #BATCH_LOCK_TIMEOUT} for. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";

    private UserLock() {}

    /** Queues {@link #BATCH_LOCK_TIMEOUT} as the lock_timeout of the rest of the transaction. */
    public static Pipeline batchLockTimeout(Pipeline pipeline) {
        return pipeline.execute("select set_config('lock_timeout', ?, true)", BATCH_LOCK_TIMEOUT);
    }

    /** {@link #acquire(Pipeline, UUID, String)}, then generic plans only ({@link #GENERIC_PLANS}). */
    public static void acquireWithGenericPlans(Pipeline pipeline, UUID programId, String userId) {
        lock(pipeline, GENERIC_PLANS, programId, userId);
    }

    /**
     * The locks of several users of one program in one statement (after the program's, shared),
     * taken in the order of their keys ({@link #key}) as Java sorts them: every holder of several
     * user locks takes them in that one order, so two of them cannot deadlock; holders of one
     * user's lock ({@link #acquire(Pipeline, UUID, String)}) cannot be part of a cycle. The array is read in its order by
     * {@code unnest}, each row's lock taken as its row is produced.
     */
    public static void acquireAll(Pipeline pipeline, UUID programId, java.util.Collection<String> userIds) {
        String[] keys = userIds.stream()
                .map(userId -> key(programId, userId))
                .distinct()
                .sorted()
                .toArray(String[]::new);
        String patience = ProgramLocks.patience();
        if (patience == null) {
            pipeline.query(PROGRAM_TRY, PROGRAM_GOT, programId.toString());
        } else {
            pipeline.execute(PROGRAM_WAIT, patience, programId.toString());
        }
        pipeline.execute(USER_LOCKS, (Object) keys);
    }

    /**
     * The locks of users of several programs in two statements: every program's, shared, only
     * tried (a re-derivation holds its program's for minutes: {@link ProgramLocks}), then every
     * user's in the order of their keys ({@link #key}). Every holder of several locks takes them in
     * this one order (all programs before any user, as {@link #acquire(Pipeline, UUID, String)} and
     * {@link #acquireAll(Pipeline, UUID, java.util.Collection)} do), so no two of them can wait for
     * each other in a cycle. The programs whose lock a re-derivation holds are added to {@code busy}
     * when the pipeline's results are read: the caller must write nothing of theirs (their users'
     * locks are taken all the same, which harms nobody: whoever waits for the program's lock holds
     * no user's).
     */
    public static void acquireAll(
            Pipeline pipeline,
            java.util.Map<UUID, ? extends java.util.Collection<String>> usersByProgram,
            java.util.Set<UUID> busy) {
        String[] programs =
                usersByProgram.keySet().stream().map(UUID::toString).sorted().toArray(String[]::new);
        String[] keys = usersByProgram.entrySet().stream()
                .flatMap(users -> users.getValue().stream().map(userId -> key(users.getKey(), userId)))
                .distinct()
                .sorted()
                .toArray(String[]::new);
        pipeline.query(
                PROGRAM_LOCKS_TRIED,
                rows -> {
                    while (rows.next()) {
                        busy.add(rows.getObject(1, UUID.class));
                    }
                },
                (Object) programs);
        pipeline.execute(USER_LOCKS, (Object) keys);
    }

    /** The locks, now; a re-derivation holding the program's is {@link ProgramLocks#busy()} (see there). */
    public static void acquire(DSLContext trx, UUID programId, String userId) {
        Pipeline pipeline = new Pipeline();
        acquire(pipeline, programId, userId);
        AttributionEngine.run(trx, pipeline);
    }

    /**
     * Queues the locks on a pipeline: the statements after them run once both are held, and when
     * the pipeline's results are read a re-derivation holding the program's is {@link
     * ProgramLocks#busy()} (the statements after it ran, without the program's lock: their results
     * are for nothing, and the transaction must end).
     */
    public static void acquire(Pipeline pipeline, UUID programId, String userId) {
        lock(pipeline, "", programId, userId);
    }

    private static void lock(Pipeline pipeline, String more, UUID programId, String userId) {
        String patience = ProgramLocks.patience();
        if (patience == null) {
            pipeline.query(TRY + more, PROGRAM_GOT, programId.toString(), key(programId, userId));
        } else {
            pipeline.execute(WAIT + more, patience, programId.toString(), key(programId, userId));
        }
    }

    /** The program's lock, exclusively: no event or identify of the program runs until the transaction ends. */
    public static void acquireProgram(DSLContext trx, UUID programId) {
        trx.fetch("select pg_advisory_xact_lock(hashtextextended(?, 1))", programId.toString());
    }

    /** The user lock's text, as SQL builds it too: {@code program_id::text || ':' || user_id}. */
    static String key(UUID programId, String userId) {
        return programId + ":" + userId;
    }
}
