package clickledger.api.link;

import static java.util.Objects.requireNonNull;

import clickledger.api.domain.ShortDomain;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;
import java.time.Instant;
import java.util.List;

/**
 * A partner's shareable link into a program.
 *
 * @param destinationUrl null when the link goes to the program's destination
 * @param domain the custom domain the link lives on; null for the router's default host
 * @param tags normalised, sorted and unique ({@link LinkTag})
 * @param expiresAt null when the link never expires
 * @param expiredUrl where visitors go after {@code expiresAt}; null for the program's destination
 * @param archived left out of lists unless asked for; still redirects
 */
public record Link(
        LinkId id,
        Slug slug,
        ProgramId programId,
        PartnerId partnerId,
        DestinationUrl destinationUrl,
        LinkStatus status,
        Instant createdAt,
        ShortDomain domain,
        List<String> tags,
        Instant expiresAt,
        DestinationUrl expiredUrl,
        boolean archived) {
    public Link {
        requireNonNull(id, "id is null");
        requireNonNull(slug, "slug is null");
        requireNonNull(programId, "programId is null");
        requireNonNull(partnerId, "partnerId is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
        tags = List.copyOf(requireNonNull(tags, "tags is null"));
    }

    public Link withStatus(LinkStatus newStatus) {
        return new Link(
                id,
                slug,
                programId,
                partnerId,
                destinationUrl,
                newStatus,
                createdAt,
                domain,
                tags,
                expiresAt,
                expiredUrl,
                archived);
    }

    public Link withArchived(boolean newArchived) {
        return new Link(
                id,
                slug,
                programId,
                partnerId,
                destinationUrl,
                status,
                createdAt,
                domain,
                tags,
                expiresAt,
                expiredUrl,
                newArchived);
    }
}
