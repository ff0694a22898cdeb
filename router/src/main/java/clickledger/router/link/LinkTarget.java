package clickledger.router.link;

import clickledger.router.redirect.Destination;
import java.util.UUID;

/**
 * What the router needs to answer one slug, resolved from link, program, partner and membership
 * when the cache loads it. Only the program's time window is checked per request, because it
 * changes with the clock rather than with a row.
 *
 * @param statusActive link active, partner active, membership not revoked, program active
 * @param startsAtMillis program start, or Long.MIN_VALUE
 * @param endsAtMillis program end, or Long.MAX_VALUE
 */
public record LinkTarget(
        UUID linkId,
        String slug,
        UUID programId,
        UUID partnerId,
        Destination destination,
        Destination programDestination,
        boolean statusActive,
        long startsAtMillis,
        long endsAtMillis,
        int cookieMaxAgeSeconds) {

    public boolean activeAt(long epochMillis) {
        return statusActive && epochMillis >= startsAtMillis && epochMillis < endsAtMillis;
    }
}
