package clickledger.api.partner;

import clickledger.api.http.FieldErrors;
import clickledger.api.value.Name;
import java.time.Instant;

/** The body of {@code POST /v1/partners}. */
public record PartnerCreate(String email, String name) {

    Partner toPartner(PartnerId id, Instant createdAt) {
        FieldErrors errors = new FieldErrors();
        Email validEmail = errors.check(() -> new Email(email));
        Name validName = errors.check(() -> new Name(name));
        errors.throwIfAny();
        return new Partner(id, validEmail, validName, PartnerStatus.ACTIVE, createdAt);
    }
}
