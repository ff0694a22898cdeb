package clickledger.api.me;

import clickledger.api.partner.Email;
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerId;
import clickledger.api.partner.PartnerStatus;
import clickledger.api.partner.ProgramMembership;
import clickledger.api.value.Name;
import java.time.Instant;
import java.util.List;

/** {@code GET /v1/me}: the partner behind the key, and the programs it belongs to. */
public record Me(
        PartnerId id,
        Email email,
        Name name,
        PartnerStatus status,
        Instant createdAt,
        List<ProgramMembership> programs) {
    public Me {
        programs = List.copyOf(programs);
    }

    static Me of(Partner partner, List<ProgramMembership> programs) {
        return new Me(partner.id(), partner.email(), partner.name(), partner.status(), partner.createdAt(), programs);
    }
}
