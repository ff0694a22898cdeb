package clickledger.api.person;

import clickledger.web.ApiException;
import java.time.Instant;
import java.util.List;

/**
 * Why a single-use link (an invitation, a password reset, an email confirmation) does not work, as
 * one 404 per kind of link whose detail says what happened when the api can tell: the portal shows
 * it on a clear page. Saying "expired" or "used" tells nothing to someone without the token, since
 * only a token that hashes to a stored one gets that far; a guessed, altered or malformed token is
 * "unknown".
 */
public enum LinkRefusal {
    UNKNOWN,
    USED,
    EXPIRED,
    WITHDRAWN;

    /** What happened to a stored link at {@code now}; null when it still works. */
    public static LinkRefusal of(Instant usedAt, Instant revokedAt, Instant expiresAt, Instant now) {
        if (usedAt != null) {
            return USED;
        }
        if (revokedAt != null) {
            return WITHDRAWN;
        }
        if (!now.isBefore(expiresAt)) {
            return EXPIRED;
        }
        return null;
    }

    /**
     * @param code the kind's problem code ({@code reset_invalid})
     * @param expiresAt when the link expired, for EXPIRED; else ignored
     */
    public ApiException problem(String code, String link, Instant expiresAt) {
        String detail =
                switch (this) {
                    case UNKNOWN ->
                        "this " + link + " is unknown: check that it was copied whole, or ask for a new one";
                    case USED -> "this " + link + " was already used; ask for a new one if you still need it";
                    case EXPIRED -> "this " + link + " expired at " + expiresAt + "; ask for a new one";
                    case WITHDRAWN -> "this " + link + " was replaced by a newer one or withdrawn; use the newest";
                };
        return new ApiException(404, code, "Not found", detail, List.of());
    }
}
