package clickledger.api.auth;

import clickledger.api.http.FieldErrors;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.Name;

/**
 * The body of {@code POST /v1/api-keys}. Secret and publishable keys work in one program, so they
 * need {@code programId}; a partner key needs {@code partnerId} and may be narrowed to one
 * program; an admin key works everywhere and takes neither.
 */
public record ApiKeyCreate(String kind, String programId, String partnerId, String name) {

    /** The request with every field checked; programId and partnerId are null when not given. */
    record Valid(Principal.Kind kind, ProgramId programId, PartnerId partnerId, Name name) {}

    Valid validate() {
        FieldErrors errors = new FieldErrors();
        Principal.Kind validKind = null;
        if (kind == null) {
            errors.add("kind", "is required (secret, publishable, admin or partner)");
        } else {
            validKind = errors.check(() -> Principal.Kind.fromWire("kind", kind));
        }
        Name validName = errors.check(() -> new Name(name));
        ProgramId validProgramId =
                programId == null ? null : errors.check(() -> ProgramId.parse("programId", programId));
        PartnerId validPartnerId =
                partnerId == null ? null : errors.check(() -> PartnerId.parse("partnerId", partnerId));
        if (validKind != null) {
            checkScope(validKind, errors);
        }
        errors.throwIfAny();
        return new Valid(validKind, validProgramId, validPartnerId, validName);
    }

    private void checkScope(Principal.Kind validKind, FieldErrors errors) {
        String what = validKind.withArticle();
        switch (validKind) {
            case SECRET, PUBLISHABLE -> {
                if (programId == null) {
                    errors.add("programId", "is required for " + what);
                }
                if (partnerId != null) {
                    errors.add("partnerId", "must not be set for " + what);
                }
            }
            case PARTNER -> {
                if (partnerId == null) {
                    errors.add("partnerId", "is required for " + what);
                }
            }
            case ADMIN -> {
                if (programId != null) {
                    errors.add("programId", "must not be set for an admin key, which works in every program");
                }
                if (partnerId != null) {
                    errors.add("partnerId", "must not be set for an admin key");
                }
            }
        }
    }
}
