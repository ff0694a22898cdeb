package clickledger.portal.api;

import java.time.Instant;

/** A link; {@code url} is the shareable router URL, {@code destinationUrl} null means the program's. */
public record Link(
        String id,
        String slug,
        String programId,
        String partnerId,
        String destinationUrl,
        String status,
        String url,
        Instant createdAt) {}
