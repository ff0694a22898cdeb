package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/**
 * A link; {@code url} is the shareable router URL (on the link's custom domain, if it has one),
 * {@code destinationUrl} null means the program's, {@code domainId} null means the router's own host.
 * {@code expiresAt} null: it never expires; {@code expiredUrl} null: after the expiry visitors go
 * to the program's destination; archived links are hidden from lists unless asked for.
 */
public record Link(
        String id,
        String slug,
        String programId,
        String partnerId,
        String destinationUrl,
        String status,
        String url,
        Instant createdAt,
        String domainId,
        List<String> tags,
        Instant expiresAt,
        String expiredUrl,
        boolean archived) {
    public Link {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** Whether the link has expired by {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
