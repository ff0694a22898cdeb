package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.api.partner.PartnerId;
import java.time.Instant;
import java.util.UUID;

/**
 * The person behind a session principal, as the authenticator found them.
 *
 * @param sessionId the session row's id (never the token)
 * @param personId the person's id
 * @param partnerId the partner a partner person belongs to; null for an admin
 * @param expiresAt the absolute end of the session
 * @param idleExpiresAt when the session ends unless used before: the earlier of the idle limit
 *     after its last use and {@code expiresAt}
 */
public record SignedIn(
        UUID sessionId,
        UUID personId,
        Role role,
        PartnerId partnerId,
        String email,
        String name,
        Instant expiresAt,
        Instant idleExpiresAt) {
    public SignedIn {
        requireNonNull(sessionId, "sessionId is null");
        requireNonNull(personId, "personId is null");
        requireNonNull(role, "role is null");
        requireNonNull(email, "email is null");
        requireNonNull(name, "name is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(idleExpiresAt, "idleExpiresAt is null");
        if ((role == Role.PARTNER) != (partnerId != null)) {
            throw new IllegalArgumentException("a partner person, and only one, belongs to a partner");
        }
    }

    /** How the audit log names this person: {@code admin_user:<id>}. */
    public String actor() {
        return role.actor(clickledger.common.id.Ulid.encode(personId));
    }
}
