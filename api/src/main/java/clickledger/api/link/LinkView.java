package clickledger.api.link;

import clickledger.api.domain.DomainId;
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
 * @param url on a custom domain {@code https://host/r/slug}, or {@code https://host/slug} when the
 *     domain is dedicated; else PUBLIC_ROUTER_URL + {@code /r/} + slug
 * @param domainId the custom domain the link lives on; null for the router's own host
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
        DomainId domainId,
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
                link.domain() == null
                        ? publicRouterUrl + "/r/" + link.slug()
                        : link.domain().linkUrl(link.slug().value()),
                link.createdAt(),
                link.domain() == null ? null : link.domain().id(),
                link.tags(),
                link.expiresAt(),
                link.expiredUrl(),
                link.archived());
    }
}
