package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Role;
import clickledger.api.partner.PartnerId;
import java.time.Instant;
import java.util.UUID;

/**
 * An invitation to become a person of a role: an admin now, a partner's person in issue 15.
 *
 * @param partnerId the partner a partner person will belong to; null for an admin
 * @param invitedBy the audit actor who invited
 */
public record Invitation(
        UUID id, Role role, PartnerId partnerId, String email, String invitedBy, Instant createdAt, Instant expiresAt) {
    public Invitation {
        requireNonNull(id, "id is null");
        requireNonNull(role, "role is null");
        requireNonNull(email, "email is null");
        requireNonNull(invitedBy, "invitedBy is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
    }
}
