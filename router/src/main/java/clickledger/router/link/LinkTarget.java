package clickledger.router.link;

import clickledger.router.redirect.DeepLinks;
import clickledger.router.redirect.Destination;
import java.util.UUID;

/**
 * What the router needs to answer one slug, resolved from link, program, partner and membership
 * when the cache loads it. Only the program's time window is checked per request, because it
 * changes with the clock rather than with a row.
 *
 * <p>A million of these stay in the heap for the router's life, so the link id is two longs in
 * the record rather than a {@link UUID} object of its own: one object fewer per link for every
 * garbage collection to trace (docs/decisions/0002, revisions).
 *
 * @param linkIdHigh the link id's most significant bits
 * @param linkIdLow the link id's least significant bits
 * @param statusActive link active, partner active, membership not revoked, program active
 * @param startsAtMillis program start, or Long.MIN_VALUE
 * @param endsAtMillis program end, or Long.MAX_VALUE
 * @param rowHash PostgreSQL's hash of the row this was built from, for {@link LinkCache#fingerprint()}
 * @param domainIdHigh the link's custom domain's id, most significant bits; 0 with {@code
 *     domainIdLow} 0 for the router's default host(s) (docs/decisions/0024)
 * @param domainIdLow the link's custom domain's id, least significant bits
 * @param expiresAtMillis the link's expiry, or Long.MAX_VALUE (issue 19)
 * @param expiredDestination where visitors go after the expiry, or null for the program's destination
 * @param deepLinks where {@code ?to=} may lead, shared by the program's links
 */
public record LinkTarget(
        long linkIdHigh,
        long linkIdLow,
        String slug,
        UUID programId,
        UUID partnerId,
        Destination destination,
        Destination programDestination,
        boolean statusActive,
        long startsAtMillis,
        long endsAtMillis,
        int cookieMaxAgeSeconds,
        long rowHash,
        long domainIdHigh,
        long domainIdLow,
        long expiresAtMillis,
        Destination expiredDestination,
        DeepLinks deepLinks) {

    public UUID linkId() {
        return new UUID(linkIdHigh, linkIdLow);
    }

    public boolean isLink(long high, long low) {
        return linkIdHigh == high && linkIdLow == low;
    }

    /** True when this link answers for {@code slug} on the domain with this id. */
    public boolean isAt(long domainHigh, long domainLow, String slug) {
        return domainIdLow == domainLow && domainIdHigh == domainHigh && this.slug.equals(slug);
    }

    /** True when both links answer for the same slug on the same domain. */
    boolean sameAddress(LinkTarget other) {
        return isAt(other.domainIdHigh, other.domainIdLow, other.slug);
    }

    /** Expiry, like the program's window, is checked per request: it changes with the clock, not a row. */
    public boolean expiredAt(long epochMillis) {
        return epochMillis >= expiresAtMillis;
    }

    public boolean activeAt(long epochMillis) {
        return statusActive && epochMillis >= startsAtMillis && epochMillis < endsAtMillis;
    }
}
