package clickledger.api.me;

import clickledger.api.http.FieldErrors;
import clickledger.api.program.ProgramId;
import clickledger.api.value.Slug;

/**
 * The body of {@code POST /v1/me/links}. No destinationUrl: a partner's link always lands on the
 * program's destination. programId may be left out when the key is narrowed to one program.
 */
public record MyLinkCreate(String programId, String slug) {

    /** @param slug null to generate one */
    record Valid(ProgramId programId, Slug slug) {}

    /** @param keyProgram the program the partner key is narrowed to, or null */
    Valid validate(ProgramId keyProgram) {
        FieldErrors errors = new FieldErrors();
        ProgramId validProgramId = programId == null && keyProgram != null
                ? keyProgram
                : errors.check(() -> ProgramId.parse("programId", programId));
        Slug validSlug = slug == null ? null : errors.check(() -> new Slug(slug));
        errors.throwIfAny();
        return new Valid(validProgramId, validSlug);
    }
}
