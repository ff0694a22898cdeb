package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Role;
import clickledger.api.partner.PartnerId;
import java.time.Instant;
import java.util.UUID;

/**
 * Someone who signs in: an admin, or (issue 15) a person of one partner.
 *
 * @param partnerId the partner a partner person belongs to; null for an admin
 * @param lastLoginAt the last successful sign-in, null before the first
 */
public record Person(
        UUID id, Role role, PartnerId partnerId, String email, String name, Instant createdAt, Instant lastLoginAt) {
    public Person {
        requireNonNull(id, "id is null");
        requireNonNull(role, "role is null");
        requireNonNull(email, "email is null");
        requireNonNull(name, "name is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    /** How the audit log names this person: {@code admin_user:<id>}. */
    public String actor() {
        return role.actor(clickledger.common.id.Ulid.encode(id));
    }
}
