package clickledger.api.auth;

/** What an SDK call does, for {@link Access#requireSdk}: the two things a merchant's code sends. */
public enum Scope {
    /** {@code POST /v1/identify}: publishable keys may do this from a browser. */
    IDENTIFY,
    /** {@code POST /v1/events}: money moves, so servers only (secret keys), never a browser. */
    EVENTS;

    boolean allows(Principal.Kind kind) {
        return switch (kind) {
            case ADMIN, SECRET -> true;
            case PUBLISHABLE -> this == IDENTIFY;
            case PARTNER -> false;
        };
    }
}
