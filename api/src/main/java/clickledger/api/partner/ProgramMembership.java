package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.program.ProgramId;
import clickledger.api.value.Name;
import clickledger.api.value.Slug;

/**
 * A program as one of its partners sees it: what it is called, where the partner stands, and
 * whether the partner may choose its links' slugs there.
 */
public record ProgramMembership(
        ProgramId programId,
        Slug slug,
        Name name,
        String currency,
        MembershipStatus membershipStatus,
        boolean allowCustomSlugs) {
    public ProgramMembership {
        requireNonNull(programId, "programId is null");
        requireNonNull(slug, "slug is null");
        requireNonNull(name, "name is null");
        requireNonNull(currency, "currency is null");
        requireNonNull(membershipStatus, "membershipStatus is null");
    }
}
