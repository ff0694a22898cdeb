package clickledger.api.identity;

import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.IDENTITY;
import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.attribution.UserLock;
import clickledger.api.event.EventRepository;
import clickledger.api.event.EventRow;
import clickledger.api.event.EventService;
import clickledger.api.event.EventView;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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

    /**
     * @param programScope when the caller's key is bound to a program, clicks of other programs are
     *     reported as unknown rather than forbidden, so ids of other programs do not leak
     */
    public Result identify(String cref, String userId, Instant ts, UUID programScope) {
        UUID clickId = Ulid.parse(cref).orElseThrow(() -> ApiException.badRequest("cref", "is not a click id"));
        Instant clickTs = Ulid.instant(clickId);
        var click = dsl.select(CLICK.PROGRAM_ID)
                .from(CLICK)
                .where(CLICK.ID.eq(clickId).and(CLICK.TS.eq(clickTs.atOffset(ZoneOffset.UTC))))
                .fetchOptional();
        UUID programId = click.map(r -> r.value1()).orElse(null);
        if (programId == null || (programScope != null && !programScope.equals(programId))) {
            throw new ApiException(404, "click_not_found", "Not found", "cref: no such click", List.of());
        }
        Instant now = clock.instant();
        Instant stitchedAt = ts == null ? now : ts;
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            UserLock.acquire(trx, programId, userId);
            var existing = trx.select(IDENTITY.ID)
                    .from(IDENTITY)
                    .where(IDENTITY.PROGRAM_ID
                            .eq(programId)
                            .and(IDENTITY.USER_ID.eq(userId))
                            .and(IDENTITY.CLICK_ID.eq(clickId)))
                    .fetchOptional(IDENTITY.ID);
            if (existing.isPresent()) {
                return new Result(
                        Ulid.encode(existing.get()), cref, Ulid.encode(programId), userId, false, false, List.of());
            }
            boolean firstStitch =
                    !trx.fetchExists(IDENTITY, IDENTITY.PROGRAM_ID.eq(programId).and(IDENTITY.USER_ID.eq(userId)));
            UUID identityId = Ulid.newUuidV7(now.toEpochMilli());
            trx.insertInto(IDENTITY)
                    .set(IDENTITY.ID, identityId)
                    .set(IDENTITY.PROGRAM_ID, programId)
                    .set(IDENTITY.CLICK_ID, clickId)
                    .set(IDENTITY.CLICK_TS, clickTs.atOffset(ZoneOffset.UTC))
                    .set(IDENTITY.USER_ID, userId)
                    .set(IDENTITY.TS, stitchedAt.atOffset(ZoneOffset.UTC))
                    .set(IDENTITY.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                    .execute();
            List<String> backfilled = new ArrayList<>();
            List<EventRow> waiting = EventRepository.awaitingIdentity(trx, programId, userId);
            if (!waiting.isEmpty()) {
                ProgramSettings program = ProgramSettings.load(trx, programId);
                for (EventRow event : waiting) {
                    AttributionEngine.attribute(trx, program, event, now);
                    EventView view = EventView.load(
                            trx,
                            EventRepository.find(trx, programId, event.id()).orElseThrow());
                    listener.stored(trx, view);
                    backfilled.add(event.eventKey());
                }
            }
            return new Result(
                    Ulid.encode(identityId), cref, Ulid.encode(programId), userId, true, firstStitch, backfilled);
        });
    }
}
