package clickledger.api.domain;

import clickledger.api.http.FieldErrors;
import clickledger.api.program.ProgramId;

/** The body of {@code POST /v1/domains}; dedicated, primary and cookieDomain are optional. */
public record DomainCreate(String programId, String hostname, Boolean dedicated, Boolean primary, String cookieDomain) {

    record Valid(ProgramId programId, Hostname hostname, boolean dedicated, boolean primary, Hostname cookieDomain) {}

    Valid validate() {
        FieldErrors errors = new FieldErrors();
        ProgramId validProgramId = errors.check(() -> ProgramId.parse("programId", programId));
        Hostname validHostname = errors.check(() -> Hostname.parse("hostname", hostname));
        Hostname validCookieDomain =
                cookieDomain == null ? null : errors.check(() -> DomainPatch.cookieDomain(cookieDomain, validHostname));
        errors.throwIfAny();
        return new Valid(
                validProgramId,
                validHostname,
                Boolean.TRUE.equals(dedicated),
                Boolean.TRUE.equals(primary),
                validCookieDomain);
    }
}
