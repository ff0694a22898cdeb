package clickledger.portal.api;

import java.time.Instant;

/**
 * A signed-in session: the token (only in the answer that creates it), its expiry and the person.
 * {@link #toString} leaves the token out.
 */
public record Session(String token, Instant expiresAt, Instant idleExpiresAt, Me principal) {
    /**
     * The person behind a session: {@code role} is "admin" or "partner"; a partner person has the
     * id of the partner they act for.
     */
    public record Me(String role, String userId, String email, String name, String partnerId) {
        public static final String ADMIN = "admin";
        public static final String PARTNER = "partner";

        public boolean admin() {
            return ADMIN.equals(role);
        }

        public boolean partner() {
            return PARTNER.equals(role);
        }
    }

    @Override
    public String toString() {
        return "Session[expiresAt=" + expiresAt + ", principal=" + principal + "]";
    }
}
