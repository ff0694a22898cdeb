package clickledger.api.link;

import clickledger.api.domain.DomainId;
import clickledger.api.http.FieldErrors;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;

/**
 * The body of {@code POST /v1/links}; slug, destinationUrl and domainId are optional (without a
 * domainId the link gets the program's primary domain, if it has one).
 */
public record LinkCreate(String programId, String partnerId, String slug, String destinationUrl, String domainId) {

    /**
     * The request with every field checked.
     *
     * @param slug null to generate one
     * @param destinationUrl null to use the program's
     * @param domainId null for the program's primary domain
     */
    record Valid(
            ProgramId programId, PartnerId partnerId, Slug slug, DestinationUrl destinationUrl, DomainId domainId) {}

    Valid validate() {
        FieldErrors errors = new FieldErrors();
        ProgramId validProgramId = errors.check(() -> ProgramId.parse("programId", programId));
        PartnerId validPartnerId = errors.check(() -> PartnerId.parse("partnerId", partnerId));
        Slug validSlug = slug == null ? null : errors.check(() -> new Slug(slug));
        DestinationUrl validDestination =
                destinationUrl == null ? null : errors.check(() -> new DestinationUrl(destinationUrl));
        DomainId validDomainId = domainId == null ? null : errors.check(() -> DomainId.parse("domainId", domainId));
        errors.throwIfAny();
        return new Valid(validProgramId, validPartnerId, validSlug, validDestination, validDomainId);
    }
}
