package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.program.ProgramId;
import clickledger.api.value.Name;
import clickledger.api.value.Slug;

/**
 * A program as one of its partners sees it: what it is called, where the partner stands,
 * whether the partner may choose its links' slugs there, and the api path of its logo
 * ({@code /v1/programs/{id}/logo?v=…}, null without one).
 */
public record ProgramMembership(
        ProgramId programId,
        Slug slug,
        Name name,
        String currency,
        MembershipStatus membershipStatus,
        boolean allowCustomSlugs,
        String logoUrl) {
    public ProgramMembership {
        requireNonNull(programId, "programId is null");
        requireNonNull(slug, "slug is null");
        requireNonNull(name, "name is null");
        requireNonNull(currency, "currency is null");
        requireNonNull(membershipStatus, "membershipStatus is null");
    }
}
