package clickledger.portal.api;

import java.time.Instant;

/**
 * A link; {@code url} is the shareable router URL (on the link's custom domain, if it has one),
 * {@code destinationUrl} null means the program's, {@code domainId} null means the router's own host.
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
        String domainId) {}
