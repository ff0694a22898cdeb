package clickledger.api.identity;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.attribution.UserLock;
import clickledger.api.event.EventRepository;
import clickledger.api.event.EventRow;
import clickledger.api.event.EventService;
import clickledger.api.event.EventView;
import clickledger.api.http.Timestamps;
import clickledger.common.id.Ulid;
import clickledger.db.Pipeline;
import clickledger.db.Transactions;
import clickledger.web.ApiException;
import java.time.Clock;
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
public final class IdentifyService {
    private final DSLContext dsl;
    private final Clock clock;
    private final EventService.EventListener listener;

    public IdentifyService(DSLContext dsl, Clock clock, EventService.EventListener listener) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
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

    private record ClickFacts(UUID programId, UUID linkId, UUID partnerId, boolean billable) {}

    /**
     * @param programScope when the caller's key is bound to a program, clicks of other programs are
     *     reported as unknown rather than forbidden, so ids of other programs do not leak
     */
    public Result identify(String cref, String userId, Instant ts, UUID programScope) {
        UUID clickId = Ulid.parse(cref).orElseThrow(() -> ApiException.badRequest("cref", "is not a click id"));
        Instant clickTs = Ulid.instant(clickId);
        Instant now = Timestamps.micros(clock.instant());
        Instant stitchedAt = ts == null ? now : Timestamps.micros(ts);
        UUID identityId = Ulid.newUuidV7(now.toEpochMilli());
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
                            clickId,
                            clickTs);
            AttributionEngine.run(trx, clickRead);
            ClickFacts click = found[0];
            if (click == null || (programScope != null && !programScope.equals(click.programId()))) {
                throw new ApiException(404, "click_not_found", "Not found", "cref: no such click", List.of());
            }
            UUID programId = click.programId();
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
                            clickId,
                            programId,
                            userId)
                    .execute(
                            INSERT,
                            identityId,
                            programId,
                            clickId,
                            clickTs,
                            userId,
                            stitchedAt,
                            now,
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
                return new Result(
                        Ulid.encode(existing[0]), cref, Ulid.encode(programId), userId, false, false, List.of());
            }
            List<String> backfilled = awaiting[0] ? backfill(trx, programId, userId, now) : List.of();
            return new Result(
                    Ulid.encode(identityId),
                    cref,
                    Ulid.encode(programId),
                    userId,
                    true,
                    !stitchedBefore[0],
                    backfilled);
        });
    }

    /** Attributes the events that arrived before the user's first identity, oldest first. */
    private List<String> backfill(DSLContext trx, UUID programId, String userId, Instant now) {
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
