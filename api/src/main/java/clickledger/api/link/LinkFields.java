package clickledger.api.link;

import clickledger.api.http.Timestamps;
import clickledger.api.value.DestinationUrl;
import clickledger.web.ApiException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The checks that create and patch share for a link's expiry fields (issue 19). */
final class LinkFields {
    // PostgreSQL's timestamptz ends in 294276; anything past the year 9999 is a typo.
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private LinkFields() {}

    /** {@code expiresAt}: an ISO 8601 time with an offset, kept to the millisecond the router compares. */
    static Instant expiresAt(String text) {
        Instant instant = Timestamps.parse("expiresAt", text).truncatedTo(ChronoUnit.MILLIS);
        if (instant.isBefore(Instant.EPOCH) || instant.isAfter(LATEST)) {
            throw ApiException.badRequest("expiresAt", "must be between 1970 and 9999");
        }
        return instant;
    }

    /**
     * {@code expiredUrl}: any absolute http(s) URL, like a link's destination. Any host, as Dub
     * allows: only an admin sets it, as only an admin sets a link's destination, and neither comes
     * from the visitor (docs/decisions/0025).
     */
    static DestinationUrl expiredUrl(String text) {
        try {
            return new DestinationUrl(text);
        } catch (ApiException e) {
            if (e.status() != 400 || e.fieldErrors().isEmpty()) {
                throw e;
            }
            throw ApiException.badRequest(
                    "expiredUrl", e.fieldErrors().getFirst().message());
        }
    }
}
