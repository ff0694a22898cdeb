package clickledger.api.link;

import static java.util.Objects.requireNonNull;

import clickledger.api.domain.ShortDomain;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;
import java.time.Instant;

/**
 * A partner's shareable link into a program.
 *
 * @param destinationUrl null when the link goes to the program's destination
 * @param domain the custom domain the link lives on; null for the router's default host
 */
public record Link(
        LinkId id,
        Slug slug,
        ProgramId programId,
        PartnerId partnerId,
        DestinationUrl destinationUrl,
        LinkStatus status,
        Instant createdAt,
        ShortDomain domain) {
    public Link {
        requireNonNull(id, "id is null");
        requireNonNull(slug, "slug is null");
        requireNonNull(programId, "programId is null");
        requireNonNull(partnerId, "partnerId is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    public Link withStatus(LinkStatus newStatus) {
        return new Link(id, slug, programId, partnerId, destinationUrl, newStatus, createdAt, domain);
    }
}
