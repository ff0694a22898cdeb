package clickledger.api.link;

import clickledger.api.domain.DomainId;
import clickledger.api.http.FieldErrors;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;
import java.time.Instant;
import java.util.List;

/**
 * The body of {@code POST /v1/links}; everything but programId and partnerId is optional (without a
 * domainId the link gets the program's primary domain, if it has one).
 */
public record LinkCreate(
        String programId,
        String partnerId,
        String slug,
        String destinationUrl,
        String domainId,
        List<String> tags,
        String expiresAt,
        String expiredUrl) {

    /**
     * The request with every field checked.
     *
     * @param slug null to generate one
     * @param destinationUrl null to use the program's
     * @param domainId null for the program's primary domain
     * @param expiresAt null for a link that never expires
     * @param expiredUrl null to send visitors to the program's destination after the expiry
     */
    record Valid(
            ProgramId programId,
            PartnerId partnerId,
            Slug slug,
            DestinationUrl destinationUrl,
            DomainId domainId,
            List<String> tags,
            Instant expiresAt,
            DestinationUrl expiredUrl) {
        Valid {
            tags = List.copyOf(tags);
        }
    }

    /** @param now a link created already expired is a mistake, not a wish */
    Valid validate(Instant now) {
        FieldErrors errors = new FieldErrors();
        ProgramId validProgramId = errors.check(() -> ProgramId.parse("programId", programId));
        PartnerId validPartnerId = errors.check(() -> PartnerId.parse("partnerId", partnerId));
        Slug validSlug = slug == null ? null : errors.check(() -> new Slug(slug));
        DestinationUrl validDestination =
                destinationUrl == null ? null : errors.check(() -> new DestinationUrl(destinationUrl));
        DomainId validDomainId = domainId == null ? null : errors.check(() -> DomainId.parse("domainId", domainId));
        List<String> validTags = tags == null ? List.of() : errors.check(() -> LinkTag.parseAll("tags", tags));
        Instant validExpiresAt = expiresAt == null ? null : errors.check(() -> LinkFields.expiresAt(expiresAt));
        if (validExpiresAt != null && !validExpiresAt.isAfter(now)) {
            errors.add("expiresAt", "must be in the future");
        }
        DestinationUrl validExpiredUrl =
                expiredUrl == null ? null : errors.check(() -> LinkFields.expiredUrl(expiredUrl));
        errors.throwIfAny();
        return new Valid(
                validProgramId,
                validPartnerId,
                validSlug,
                validDestination,
                validDomainId,
                validTags,
                validExpiresAt,
                validExpiredUrl);
    }
}
