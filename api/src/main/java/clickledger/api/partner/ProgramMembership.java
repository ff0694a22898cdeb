package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.program.ProgramId;
import clickledger.api.value.Name;
import clickledger.api.value.Slug;

/** A program as one of its partners sees it: what it is called and where the partner stands. */
public record ProgramMembership(
        ProgramId programId, Slug slug, Name name, String currency, MembershipStatus membershipStatus) {
    public ProgramMembership {
        requireNonNull(programId, "programId is null");
        requireNonNull(slug, "slug is null");
        requireNonNull(name, "name is null");
        requireNonNull(currency, "currency is null");
        requireNonNull(membershipStatus, "membershipStatus is null");
    }
}
