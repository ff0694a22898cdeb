package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.value.Name;
import java.time.Instant;

/** Someone who shares a program's links and earns commissions. */
public record Partner(PartnerId id, Email email, Name name, PartnerStatus status, Instant createdAt) {
    public Partner {
        requireNonNull(id, "id is null");
        requireNonNull(email, "email is null");
        requireNonNull(name, "name is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    public Partner withStatus(PartnerStatus newStatus) {
        return new Partner(id, email, name, newStatus, createdAt);
    }
}
