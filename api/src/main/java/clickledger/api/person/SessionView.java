package clickledger.api.person;

import clickledger.api.auth.Role;
import clickledger.api.auth.SignedIn;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A session as the api shows it: {@code {token, expiresAt, idleExpiresAt, principal}}, the token
 * only in the answer that made the session.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SessionView(String token, Instant expiresAt, Instant idleExpiresAt, Me principal) {
    /** Who is signed in: {@code {role, userId, email, name, partnerId?}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Me(Role role, String userId, String email, String name, String partnerId) {
        public static Me of(SignedIn person) {
            return new Me(
                    person.role(),
                    Ulid.encode(person.personId()),
                    person.email(),
                    person.name(),
                    person.partnerId() == null ? null : person.partnerId().toString());
        }
    }

    /** The answer to a sign-in (or an install, or an accepted invitation): with the token, once. */
    public static SessionView started(String token, SignedIn person) {
        return new SessionView(token, person.expiresAt(), person.idleExpiresAt(), Me.of(person));
    }

    /** The current session, without its token. */
    public static SessionView current(SignedIn person) {
        return new SessionView(null, person.expiresAt(), person.idleExpiresAt(), Me.of(person));
    }

    @Override
    public String toString() {
        return "SessionView[token=<redacted>, principal=" + principal + "]";
    }
}
