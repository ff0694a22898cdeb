package clickledger.api.identity;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.UserLock;
import clickledger.api.event.EventService;
import clickledger.api.group.GroupCommit;
import clickledger.api.group.GroupCommit.Outcome;
import clickledger.api.identity.IdentifyService.ClickFacts;
import clickledger.api.identity.IdentifyService.Result;
import clickledger.db.Pipeline;
import clickledger.db.Transactions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of stitches in one transaction, each answered as {@link IdentifyService} would
 * have answered it alone, the batch's items taken one by one in their order (decision 0031).
 *
 * <p>Four round trips whatever the batch's size: (1) every item's click, by id and time; (2) every
 * user's lock (after their programs', shared), then for every item whether the user is stitched to
 * the click already, whether the user has any identity, and whether events wait for the user's
 * first identity; (3) the new identities, one insert; (4) the commit. The answers are worked out in
 * Java from what (2) read, in the items' order: an item whose (program, user, click) an earlier
 * item of the batch created is answered 200 with that identity, and a user's first stitch is the
 * first created item when the user had none. A user whose events wait for an identity has each of
 * their items stitched by {@link IdentifyService#stitchLocked} in order, as alone, so that the
 * backfill sees exactly the identities written before it.
 *
 * <p>The batch never waits long for a lock (lock_timeout): a user or program lock held by a slow
 * transaction (a re-derivation holds its program's for the whole run) would hold up every other
 * request of the batch. Then, and on a deadlock or a unique violation (another writer of identity,
 * such as an import, that takes no user lock), the transaction is rolled back and every item is
 * handed back to be stitched alone on its request's thread, each waiting only for its own locks.
 */
final class IdentifyBatch implements GroupCommit.Writer<Stitch, Result> {
    private static final Logger LOG = LoggerFactory.getLogger(IdentifyBatch.class);

    // The clicks by (id, ts): each row's ts prunes the probe to its click's monthly partition.
    private static final String CLICKS =
            """
            select u.n, c.program_id, c.link_id, c.partner_id, not c.is_bot and c.fraud_flag is null
              from unnest(?::uuid[], ?::timestamptz[]) with ordinality as u (id, ts, n)
              join lateral (select * from click where click.id = u.id and click.ts = u.ts) c on true""";
    private static final String BEFORE =
            """
            select u.n, i.id,
                   exists (select 1 from identity j where j.program_id = u.p and j.user_id = u.usr),
                   exists (select 1 from event e
                            where e.program_id = u.p and e.user_id = u.usr and e.attribution_status = 'no_identity')
              from unnest(?::uuid[], ?::text[], ?::uuid[]) with ordinality as u (p, usr, c, n)
              left join identity i on i.program_id = u.p and i.user_id = u.usr and i.click_id = u.c""";
    // No ON CONFLICT: the read above ran under the users' locks, so only a writer that takes none
    // can collide, and that rolls the batch back to be done alone (which has one).
    private static final String INSERT =
            """
            insert into identity (id, program_id, click_id, click_ts, user_id, ts, created_at, link_id, partner_id,
                                  billable)
            select * from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::timestamptz[], ?::text[], ?::timestamptz[],
                                 ?::timestamptz[], ?::uuid[], ?::uuid[], ?::bool[])""";

    // SQLSTATEs after which the batch's items are done alone: lock_not_available (lock_timeout),
    // deadlock_detected, serialization_failure, unique_violation.
    private static final Set<String> HAND_BACK = Set.of(UserLock.LOCK_NOT_AVAILABLE, "40P01", "40001", "23505");

    private final DSLContext dsl;
    private final EventService.EventListener listener;

    IdentifyBatch(DSLContext dsl, EventService.EventListener listener) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    @Override
    public List<Outcome<Result>> write(List<Stitch> items) {
        try {
            return Transactions.result(dsl, trx -> write(trx, items));
        } catch (DataAccessException e) {
            if (!HAND_BACK.contains(e.sqlState())) {
                throw e;
            }
            LOG.atInfo()
                    .addKeyValue("stitches", items.size())
                    .addKeyValue("sqlState", e.sqlState())
                    .addKeyValue("error", e.getMessage())
                    .log("identify batch rolled back; its stitches are done one by one");
            return Collections.nCopies(items.size(), new Outcome.Alone<>());
        }
    }

    private record UserKey(UUID programId, String userId) {}

    private record StitchKey(UUID programId, String userId, UUID clickId) {}

    private List<Outcome<Result>> write(DSLContext trx, List<Stitch> items) {
        int size = items.size();
        ClickFacts[] clicks = readClicks(trx, items);
        List<Outcome<Result>> outcomes = new ArrayList<>(Collections.nCopies(size, null));
        Map<UUID, Set<String>> usersByProgram = new HashMap<>();
        List<Integer> valid = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Stitch stitch = items.get(i);
            if (stitch.mayUse(clicks[i])) {
                valid.add(i);
                usersByProgram
                        .computeIfAbsent(clicks[i].programId(), program -> new HashSet<>())
                        .add(stitch.userId());
            } else {
                outcomes.set(i, new Outcome.Failed<>(Stitch.unknownClick()));
            }
        }
        if (valid.isEmpty()) {
            return outcomes;
        }

        // (2) the locks, then what each item finds, read under them.
        UUID[] programIds = new UUID[valid.size()];
        String[] userIds = new String[valid.size()];
        UUID[] clickIds = new UUID[valid.size()];
        for (int v = 0; v < valid.size(); v++) {
            int i = valid.get(v);
            programIds[v] = clicks[i].programId();
            userIds[v] = items.get(i).userId();
            clickIds[v] = items.get(i).clickId();
        }
        UUID[] existing = new UUID[valid.size()];
        Set<UserKey> stitchedBefore = new HashSet<>();
        Set<UserKey> awaiting = new HashSet<>();
        Pipeline reads = new Pipeline();
        Set<UUID> busy = new HashSet<>();
        UserLock.acquireAll(reads, usersByProgram, busy);
        reads.query(
                BEFORE,
                rows -> {
                    while (rows.next()) {
                        int v = rows.getInt(1) - 1;
                        existing[v] = rows.getObject(2, UUID.class);
                        UserKey user = new UserKey(programIds[v], userIds[v]);
                        if (rows.getBoolean(3)) {
                            stitchedBefore.add(user);
                        }
                        if (rows.getBoolean(4)) {
                            awaiting.add(user);
                        }
                    }
                },
                (Object) programIds,
                (Object) userIds,
                (Object) clickIds);
        AttributionEngine.run(trx, reads);

        // The answers, in the items' order, as one by one.
        Map<StitchKey, UUID> createdHere = new HashMap<>();
        Rows inserts = new Rows(valid.size());
        Map<UserKey, List<Integer>> alongside = new LinkedHashMap<>();
        for (int v = 0; v < valid.size(); v++) {
            int i = valid.get(v);
            Stitch stitch = items.get(i);
            ClickFacts click = clicks[i];
            if (busy.contains(click.programId())) {
                // A re-derivation holds the program: its request waits for it alone, in a turn
                // (ProgramLocks); the batch's other programs are written now.
                outcomes.set(i, new Outcome.Alone<>());
                continue;
            }
            UserKey user = new UserKey(click.programId(), stitch.userId());
            if (awaiting.contains(user)) {
                alongside.computeIfAbsent(user, key -> new ArrayList<>()).add(i);
                continue;
            }
            StitchKey key = new StitchKey(click.programId(), stitch.userId(), stitch.clickId());
            UUID found = existing[v] != null ? existing[v] : createdHere.get(key);
            if (found != null) {
                outcomes.set(i, new Outcome.Done<>(stitch.found(click.programId(), found)));
                continue;
            }
            // The user's first stitch: no identity before the batch, and none created earlier in it.
            boolean first = stitchedBefore.add(user);
            createdHere.put(key, stitch.identityId());
            inserts.add(stitch, click);
            outcomes.set(i, new Outcome.Done<>(stitch.created(click.programId(), first, List.of())));
        }

        // (3) the new identities, then the users whose events wait, one stitch at a time.
        if (inserts.size() > 0) {
            AttributionEngine.run(trx, inserts.insert());
        }
        for (List<Integer> userItems : alongside.values()) {
            for (int i : userItems) {
                outcomes.set(
                        i, new Outcome.Done<>(IdentifyService.stitchLocked(trx, listener, clicks[i], items.get(i))));
            }
        }
        return outcomes;
    }

    /** (1) Each item's click, or null where there is none. */
    private static ClickFacts[] readClicks(DSLContext trx, List<Stitch> items) {
        UUID[] ids = new UUID[items.size()];
        String[] times = new String[items.size()];
        for (int i = 0; i < items.size(); i++) {
            ids[i] = items.get(i).clickId();
            times[i] = items.get(i).clickTs().toString();
        }
        ClickFacts[] clicks = new ClickFacts[items.size()];
        Pipeline pipeline = UserLock.batchLockTimeout(new Pipeline())
                .query(
                        CLICKS,
                        rows -> {
                            while (rows.next()) {
                                clicks[rows.getInt(1) - 1] = new ClickFacts(
                                        rows.getObject(2, UUID.class),
                                        rows.getObject(3, UUID.class),
                                        rows.getObject(4, UUID.class),
                                        rows.getBoolean(5));
                            }
                        },
                        (Object) ids,
                        (Object) times);
        AttributionEngine.run(trx, pipeline);
        return clicks;
    }

    /** The columns of the identities a batch creates, as arrays for one insert. */
    private static final class Rows {
        private final List<Stitch> stitches;
        private final List<ClickFacts> clicks;

        Rows(int capacity) {
            this.stitches = new ArrayList<>(capacity);
            this.clicks = new ArrayList<>(capacity);
        }

        void add(Stitch stitch, ClickFacts click) {
            stitches.add(stitch);
            clicks.add(click);
        }

        int size() {
            return stitches.size();
        }

        Pipeline insert() {
            int n = stitches.size();
            UUID[] ids = new UUID[n];
            UUID[] programs = new UUID[n];
            UUID[] clickIds = new UUID[n];
            String[] clickTimes = new String[n];
            String[] users = new String[n];
            String[] stitchedAt = new String[n];
            String[] createdAt = new String[n];
            UUID[] links = new UUID[n];
            UUID[] partners = new UUID[n];
            Boolean[] billable = new Boolean[n];
            for (int r = 0; r < n; r++) {
                Stitch stitch = stitches.get(r);
                ClickFacts click = clicks.get(r);
                ids[r] = stitch.identityId();
                programs[r] = click.programId();
                clickIds[r] = stitch.clickId();
                clickTimes[r] = stitch.clickTs().toString();
                users[r] = stitch.userId();
                stitchedAt[r] = stitch.stitchedAt().toString();
                createdAt[r] = stitch.now().toString();
                links[r] = click.linkId();
                partners[r] = click.partnerId();
                billable[r] = click.billable();
            }
            return new Pipeline()
                    .execute(
                            INSERT,
                            (Object) ids,
                            (Object) programs,
                            (Object) clickIds,
                            (Object) clickTimes,
                            (Object) users,
                            (Object) stitchedAt,
                            (Object) createdAt,
                            (Object) links,
                            (Object) partners,
                            (Object) billable);
        }
    }
}
