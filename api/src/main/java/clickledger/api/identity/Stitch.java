package clickledger.api.identity;

import clickledger.api.http.Timestamps;
import clickledger.api.identity.IdentifyService.ClickFacts;
import clickledger.api.identity.IdentifyService.Result;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One {@code POST /v1/identify}, checked and stamped on the request's thread: whether it is
 * written alone or in a batch, its click id, times and new identity id are the same.
 *
 * @param now when the request arrived (the identity's created_at, and backfill's "now")
 * @param identityId the id the identity gets if this request creates it
 * @param programScope the program the caller's key is bound to, or null for an admin key
 */
record Stitch(
        String cref,
        UUID clickId,
        Instant clickTs,
        String userId,
        Instant stitchedAt,
        Instant now,
        UUID identityId,
        UUID programScope) {

    /** Throws the 400 for a cref that is no click id. */
    static Stitch of(String cref, String userId, Instant ts, UUID programScope, Clock clock) {
        UUID clickId = Ulid.parse(cref).orElseThrow(() -> ApiException.badRequest("cref", "is not a click id"));
        Instant now = Timestamps.micros(clock.instant());
        return new Stitch(
                cref,
                clickId,
                Ulid.instant(clickId),
                userId,
                ts == null ? now : Timestamps.micros(ts),
                now,
                Ulid.newUuidV7(now.toEpochMilli()),
                programScope);
    }

    /** The click exists and the caller may stitch to it (else it is answered as unknown). */
    boolean mayUse(ClickFacts click) {
        return click != null && (programScope == null || programScope.equals(click.programId()));
    }

    /** The 404 of a click that does not exist, or that belongs to another program than the key's. */
    static ApiException unknownClick() {
        return new ApiException(404, "click_not_found", "Not found", "cref: no such click", List.of());
    }

    /** The answer when the user was already stitched to this click: 200 with that identity. */
    Result found(UUID programId, UUID existingIdentityId) {
        return new Result(
                Ulid.encode(existingIdentityId), cref, Ulid.encode(programId), userId, false, false, List.of());
    }

    /** The answer when this request wrote the identity: 201. */
    Result created(UUID programId, boolean firstStitch, List<String> backfilled) {
        return new Result(Ulid.encode(identityId), cref, Ulid.encode(programId), userId, true, firstStitch, backfilled);
    }
}
