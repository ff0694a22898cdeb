package clickledger.api.partner;

import clickledger.api.http.FieldErrors;
import clickledger.api.value.Name;
import clickledger.web.ApiException;
import java.util.Set;

/** The body of {@code PATCH /v1/partners/{id}}: a field left out keeps its value. */
public record PartnerPatch(String name, String status) {

    /** @param present the fields the body named, from {@code Json.presentFields} */
    Partner applyTo(Partner current, Set<String> present) {
        FieldErrors errors = new FieldErrors();
        Name newName = present.contains("name") ? errors.check(() -> new Name(name)) : current.name();
        PartnerStatus newStatus = present.contains("status") ? errors.check(this::settableStatus) : current.status();
        errors.throwIfAny();
        return new Partner(current.id(), current.email(), newName, newStatus, current.createdAt());
    }

    // "invited" is where an invitation starts, not a state an admin sets by hand.
    private PartnerStatus settableStatus() {
        if ("active".equals(status)) {
            return PartnerStatus.ACTIVE;
        }
        if ("revoked".equals(status)) {
            return PartnerStatus.REVOKED;
        }
        throw ApiException.badRequest("status", "must be active or revoked");
    }
}
