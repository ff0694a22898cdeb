package clickledger.portal.api;

import java.time.Instant;

/**
 * A signed-in session: the token (only in the answer that creates it), its expiry and the person.
 * {@link #toString} leaves the token out.
 */
public record Session(String token, Instant expiresAt, Instant idleExpiresAt, Me principal) {
    /** The person behind a session: {@code role} is "admin" (issue 15 adds "partner"). */
    public record Me(String role, String userId, String email, String name, String partnerId) {
        public boolean admin() {
            return "admin".equals(role);
        }
    }

    @Override
    public String toString() {
        return "Session[expiresAt=" + expiresAt + ", principal=" + principal + "]";
    }
}
