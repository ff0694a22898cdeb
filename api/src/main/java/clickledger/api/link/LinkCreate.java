package clickledger.api.link;

import clickledger.api.http.FieldErrors;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;

/** The body of {@code POST /v1/links}; slug and destinationUrl are optional. */
public record LinkCreate(String programId, String partnerId, String slug, String destinationUrl) {

    /**
     * The request with every field checked.
     *
     * @param slug null to generate one
     * @param destinationUrl null to use the program's
     */
    record Valid(ProgramId programId, PartnerId partnerId, Slug slug, DestinationUrl destinationUrl) {}

    Valid validate() {
        FieldErrors errors = new FieldErrors();
        ProgramId validProgramId = errors.check(() -> ProgramId.parse("programId", programId));
        PartnerId validPartnerId = errors.check(() -> PartnerId.parse("partnerId", partnerId));
        Slug validSlug = slug == null ? null : errors.check(() -> new Slug(slug));
        DestinationUrl validDestination =
                destinationUrl == null ? null : errors.check(() -> new DestinationUrl(destinationUrl));
        errors.throwIfAny();
        return new Valid(validProgramId, validPartnerId, validSlug, validDestination);
    }
}
