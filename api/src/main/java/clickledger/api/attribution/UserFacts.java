package clickledger.api.attribution;

import clickledger.db.Pipeline;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * What attribution reads of one user in one program, queued on a {@link Pipeline} so it costs no
 * round trip of its own: whether the user has identities, the touches that may earn credit, the
 * commission overrides of their partners, and (when the rules need it) the partner's earlier
 * conversions with the user. Filled when the pipeline runs.
 */
public final class UserFacts {
    /**
     * Every identity of the user with its touch (V7 copies the click's link, partner and billable
     * state onto it), and whether the partner may earn: active, and not removed from the program.
     * One index scan of identity's (program_id, user_id, click_id) key; partner and membership by
     * their keys. No click partition is read.
     */
    static final String TOUCHES =
            """
            select i.click_id, i.click_ts, i.link_id, i.partner_id,
                   coalesce(i.billable, false) and p.status = 'active' and coalesce(pp.status, 'approved') = 'approved',
                   pp.commission_override::text
              from identity i
              left join partner p on p.id = i.partner_id
              left join partner_program pp on pp.partner_id = i.partner_id and pp.program_id = i.program_id
             where i.program_id = ?::uuid and i.user_id = ?""";

    /**
     * The user's other conversions per crediting partner and event type: how many, and the
     * earliest. From the user's events (event_program_user_idx) to their touches
     * (attribution_event_stats_idx). "Other", not "earlier in time": an older event that arrives late must
     * not become a second "first conversion" after a later one was paid as first.
     */
    static final String HISTORY =
            """
            select a.partner_id, e.type, count(distinct e.id), min(e.ts)
              from event e join attribution a on a.event_id = e.id
             where e.program_id = ?::uuid and e.user_id = ? and e.refund_of is null and e.id <> ?::uuid
             group by a.partner_id, e.type""";

    private record Conversions(UUID partnerId, String type, int count, Instant first) {}

    private boolean hasIdentity;
    private final List<Touch> candidates = new ArrayList<>();
    private final Map<UUID, String> overrides = new HashMap<>();
    private List<Conversions> history;

    private UserFacts() {}

    /** A user with no identity at all. */
    public static UserFacts none() {
        UserFacts facts = new UserFacts();
        facts.history = new ArrayList<>();
        return facts;
    }

    /** {@link #TOUCHES} of several users, with the user's id first; the callers add which users. */
    private static final String USERS_TOUCHES =
            """
            select i.user_id, i.click_id, i.click_ts, i.link_id, i.partner_id,
                   coalesce(i.billable, false) and p.status = 'active' and coalesce(pp.status, 'approved') = 'approved',
                   pp.commission_override::text
              from identity i
              left join partner p on p.id = i.partner_id
              left join partner_program pp on pp.partner_id = i.partner_id and pp.program_id = i.program_id
             where i.program_id = ?::uuid""";

    /** {@link #HISTORY} of several users (every conversion of theirs), with the user's id first. */
    private static final String USERS_HISTORY =
            """
            select e.user_id, a.partner_id, e.type, count(distinct e.id), min(e.ts)
              from event e join attribution a on a.event_id = e.id
             where e.program_id = ?::uuid and e.refund_of is null""";

    private static final String HISTORY_GROUPS = " group by e.user_id, a.partner_id, e.type";

    // Every user with a non-refund event in a range of time.
    private static final String IN_RANGE = " in (select user_id from event where program_id = ?::uuid"
            + " and refund_of is null and ts >= ?::timestamptz and ts < ?::timestamptz)";

    /**
     * {@link #read} for every user with a non-refund event in {@code [from, to)}, with their
     * history as the database has it, in two queries. A re-derivation reads it after clearing the
     * range's attribution, so the history holds the events outside the range; it then adds each
     * event it derives ({@link #credited}), oldest first, as the database would have it.
     */
    public static Map<String, UserFacts> readAll(DSLContext dsl, UUID programId, Instant from, Instant to) {
        Map<String, UserFacts> users = new HashMap<>();
        Object[] range = {programId, programId, from, to};
        Pipeline reads = new Pipeline();
        queueUsers(
                reads,
                users,
                USERS_TOUCHES + " and i.user_id" + IN_RANGE,
                USERS_HISTORY + " and e.user_id" + IN_RANGE,
                range);
        AttributionEngine.run(dsl, reads);
        return users;
    }

    /**
     * {@link #read} with the history for each of {@code userIds} (a user without identities
     * gets {@link #none}'s facts plus their history), queued on {@code reads} in two statements:
     * what a batch of events reads once for all its users, then derives each user's events in
     * order and adds each to the user's history ({@link #credited}) as the next event's read would
     * find it.
     */
    public static Map<String, UserFacts> read(Pipeline reads, UUID programId, List<String> userIds) {
        Map<String, UserFacts> users = new HashMap<>();
        for (String userId : userIds) {
            users.put(userId, none());
        }
        Object[] which = {programId, userIds.toArray(String[]::new)};
        queueUsers(
                reads,
                users,
                USERS_TOUCHES + " and i.user_id = any(?::text[])",
                USERS_HISTORY + " and e.user_id = any(?::text[])",
                which);
        return users;
    }

    private static void queueUsers(
            Pipeline reads, Map<String, UserFacts> users, String touches, String history, Object[] which) {
        reads.query(
                touches,
                rows -> {
                    while (rows.next()) {
                        users.computeIfAbsent(rows.getString(1), user -> none())
                                .touch(
                                        rows.getObject(2, UUID.class),
                                        rows.getObject(3, OffsetDateTime.class),
                                        rows.getObject(4, UUID.class),
                                        rows.getObject(5, UUID.class),
                                        rows.getBoolean(6),
                                        rows.getString(7));
                    }
                },
                which);
        reads.query(
                history + HISTORY_GROUPS,
                rows -> {
                    while (rows.next()) {
                        users.computeIfAbsent(rows.getString(1), user -> none())
                                .history
                                .add(new Conversions(
                                        rows.getObject(2, UUID.class),
                                        rows.getString(3),
                                        rows.getInt(4),
                                        rows.getObject(5, OffsetDateTime.class).toInstant()));
                    }
                },
                which);
    }

    /**
     * Adds a derived event to the history: one more conversion for each partner it credits, as
     * its attribution rows, once written, add to the history query's counts.
     */
    public void credited(String eventType, Instant eventTs, Derivation.Result result) {
        result.credits().stream()
                .map(credit -> credit.touch().partnerId())
                .distinct()
                .forEach(partnerId -> history.add(new Conversions(partnerId, eventType, 1, eventTs)));
    }

    /**
     * Queues the reads for {@code userId}; with {@code history}, also their conversions other than
     * {@code eventId}.
     */
    public static UserFacts read(Pipeline reads, UUID programId, String userId, UUID eventId, boolean history) {
        UserFacts facts = new UserFacts();
        reads.query(TOUCHES, facts::touches, programId, userId);
        if (history) {
            facts.history = new ArrayList<>();
            reads.query(HISTORY, facts::history, programId, userId, eventId);
        }
        return facts;
    }

    private void touches(ResultSet rows) throws SQLException {
        while (rows.next()) {
            touch(
                    rows.getObject(1, UUID.class),
                    rows.getObject(2, OffsetDateTime.class),
                    rows.getObject(3, UUID.class),
                    rows.getObject(4, UUID.class),
                    rows.getBoolean(5),
                    rows.getString(6));
        }
    }

    private void touch(
            UUID clickId, OffsetDateTime clickTs, UUID linkId, UUID partnerId, boolean eligible, String override) {
        hasIdentity = true;
        if (!eligible) {
            return;
        }
        candidates.add(new Touch(clickId, clickTs.toInstant(), linkId, partnerId));
        if (override != null) {
            overrides.put(partnerId, override);
        }
    }

    private void history(ResultSet rows) throws SQLException {
        while (rows.next()) {
            history.add(new Conversions(
                    rows.getObject(1, UUID.class),
                    rows.getString(2),
                    rows.getInt(3),
                    rows.getObject(4, OffsetDateTime.class).toInstant()));
        }
    }

    public boolean hasIdentity() {
        return hasIdentity;
    }

    /** Billable touches of partners that may earn, in no particular order ({@link Derivation} orders them). */
    public List<Touch> candidates() {
        return candidates;
    }

    /** The stored commission overrides of the candidates' partners, as JSON. */
    public Map<UUID, String> overrides() {
        return overrides;
    }

    public boolean historyRead() {
        return history != null;
    }

    /**
     * The history read with the rest, as {@link Derivation} asks for it: an event counts once per
     * partner whatever its type, so the per-type counts add up; without a type, the counts and
     * earliest times of every type combine.
     */
    public Derivation.HistorySource history() {
        if (history == null) {
            throw new IllegalStateException("history was not read");
        }
        return (partnerId, eventType) -> {
            int count = 0;
            Instant first = null;
            for (Conversions conversions : history) {
                if (!conversions.partnerId().equals(partnerId)
                        || (eventType != null && !eventType.equals(conversions.type()))) {
                    continue;
                }
                count += conversions.count();
                if (first == null || conversions.first().isBefore(first)) {
                    first = conversions.first();
                }
            }
            return count == 0 ? Derivation.History.NONE : new Derivation.History(count, first);
        };
    }
}
