package clickledger.api.me;

import clickledger.api.http.FieldErrors;
import clickledger.api.link.DeepLinkPath;
import clickledger.api.link.LinkTag;
import clickledger.api.program.ProgramId;
import clickledger.api.value.Slug;
import java.util.List;

/**
 * The body of {@code POST /v1/me/links}. No destinationUrl: a partner's link lands on the
 * program's destination, or, with {@code path}, on that path of the program's site (a deep link,
 * issue 19), never on another host. programId may be left out when the key is narrowed to one
 * program.
 */
public record MyLinkCreate(String programId, String slug, List<String> tags, String path) {

    /**
     * @param slug null to generate one
     * @param path null for the program's destination
     */
    record Valid(ProgramId programId, Slug slug, List<String> tags, String path) {}

    /** @param keyProgram the program the partner key is narrowed to, or null */
    Valid validate(ProgramId keyProgram) {
        FieldErrors errors = new FieldErrors();
        ProgramId validProgramId = programId == null && keyProgram != null
                ? keyProgram
                : errors.check(() -> ProgramId.parse("programId", programId));
        Slug validSlug = slug == null ? null : errors.check(() -> new Slug(slug));
        List<String> validTags = tags == null ? List.of() : errors.check(() -> LinkTag.parseAll("tags", tags));
        String validPath = path == null ? null : errors.check(() -> DeepLinkPath.check(path));
        errors.throwIfAny();
        return new Valid(validProgramId, validSlug, validTags, validPath);
    }
}
