package clickledger.portal.api;

import java.time.Instant;

/** An API key; {@code key} itself is present only in the answer to create. */
public record ApiKey(
        String id,
        String kind,
        String name,
        String programId,
        String partnerId,
        String prefix,
        Instant createdAt,
        Instant lastUsedAt,
        Instant revokedAt,
        String key) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
