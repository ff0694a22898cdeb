package clickledger.api.auth;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a signed-in person is: an admin runs the program, a partner person (issue 15) sees one
 * partner's own data. A session of a role is the principal of the key kind with the same powers,
 * so the one route table ({@link RouteAccess}) decides for keys and people alike.
 */
public enum Role {
    ADMIN("admin", Principal.Kind.ADMIN, "admin_user"),
    PARTNER("partner", Principal.Kind.PARTNER, "partner_user");

    private final String wire;
    private final Principal.Kind kind;
    private final String actorPrefix;

    Role(String wire, Principal.Kind kind, String actorPrefix) {
        this.wire = wire;
        this.kind = kind;
        this.actorPrefix = actorPrefix;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The key kind whose powers this role has. */
    public Principal.Kind kind() {
        return kind;
    }

    /** How the audit log names a person of this role: {@code admin_user:<id>}. */
    public String actor(Object personId) {
        return actorPrefix + ":" + personId;
    }

    public static Role fromWire(String field, String text) {
        for (Role role : values()) {
            if (role.wire.equals(text)) {
                return role;
            }
        }
        throw ApiException.badRequest(field, "must be admin or partner");
    }
}
