package clickledger.api.link;

import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;
import java.time.Instant;
import java.util.List;

/**
 * A link as the api shows it: the stored link plus {@code url}, the shareable router address.
 *
 * @param destinationUrl the link's own destination; null means the program's
 * @param expiresAt null when the link never expires
 * @param expiredUrl after the expiry; null means the program's destination
 */
public record LinkView(
        LinkId id,
        Slug slug,
        ProgramId programId,
        PartnerId partnerId,
        DestinationUrl destinationUrl,
        LinkStatus status,
        String url,
        Instant createdAt,
        List<String> tags,
        Instant expiresAt,
        DestinationUrl expiredUrl,
        boolean archived) {

    /** @param publicRouterUrl the router's public base URL, without a trailing slash */
    public static LinkView of(Link link, String publicRouterUrl) {
        return new LinkView(
                link.id(),
                link.slug(),
                link.programId(),
                link.partnerId(),
                link.destinationUrl(),
                link.status(),
                publicRouterUrl + "/r/" + link.slug(),
                link.createdAt(),
                link.tags(),
                link.expiresAt(),
                link.expiredUrl(),
                link.archived());
    }
}
