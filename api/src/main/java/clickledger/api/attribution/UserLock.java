package clickledger.api.attribution;

import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Serialises everything that reads and writes one user's attribution in one program (events,
 * identify, backfill, refunds) with a transaction-scoped advisory lock. Two events of the same user
 * in parallel would otherwise both see the same "first conversion" history, and two racing
 * identical events would both try to attribute. Locks of different users never contend.
 */
public final class UserLock {
    private UserLock() {}

    public static void acquire(DSLContext trx, UUID programId, String userId) {
        trx.select(DSL.field("pg_advisory_xact_lock(hashtextextended({0}, 0))", Object.class, programId + ":" + userId))
                .fetch();
    }
}
