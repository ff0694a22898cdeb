package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import io.javalin.http.Context;

/**
 * Who is calling: the kind of key and what it is bound to, or a signed-in person, whose session
 * has the kind of key of the same powers ({@link Role#kind()}). {@link Access} turns this into yes
 * or no for a route.
 *
 * @param actor how the audit log names the caller ({@code api_key:<id>}, {@code admin_key:env}),
 *     never the key itself
 * @param keyId null for the ADMIN_API_KEY of the environment, which has no api_key row
 * @param programId the program a secret or publishable key works in, or the one a partner key is
 *     narrowed to; null otherwise
 * @param partnerId the partner of a partner key or a partner person; null otherwise
 * @param person the signed-in person when the caller sent a session token; null for keys
 */
public record Principal(
        Kind kind, String actor, ApiKeyId keyId, ProgramId programId, PartnerId partnerId, SignedIn person) {
    /**
     * What a key may do, and the tag its text starts with ({@code ck_sk_…}), so a leaked key found in
     * a log or a repository says at a glance how much it exposes.
     */
    public enum Kind {
        /** A merchant's server: identify and events for its program, and reading that program. */
        SECRET("secret", "sk"),
        /** A merchant's browser: identify only, since the key is visible to every visitor. */
        PUBLISHABLE("publishable", "pk"),
        /** Everything, like the ADMIN_API_KEY of the environment. */
        ADMIN("admin", "ak"),
        /** One partner's own data under /v1/me. */
        PARTNER("partner", "ptk");

        private final String wire;
        private final String tag;

        Kind(String wire, String tag) {
            this.wire = wire;
            this.tag = tag;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        /** The part of the key after {@code ck_} that names the kind: sk, pk, ak or ptk. */
        public String tag() {
            return tag;
        }

        public static Kind fromWire(String field, String text) {
            for (Kind kind : values()) {
                if (kind.wire.equals(text)) {
                    return kind;
                }
            }
            throw ApiException.badRequest(field, "must be one of secret, publishable, admin, partner");
        }

        /** "an admin key", "a secret key": for messages that say which key a route needs. */
        public String withArticle() {
            return (this == ADMIN ? "an " : "a ") + wire + " key";
        }
    }

    static final String ATTRIBUTE = "clickledger.principal";
    static final String ENV_ADMIN_ACTOR = "admin_key:env";

    public Principal {
        requireNonNull(kind, "kind is null");
        requireNonNull(actor, "actor is null");
        if ((kind == Kind.SECRET || kind == Kind.PUBLISHABLE) && programId == null) {
            throw new IllegalArgumentException(kind.withArticle() + " needs a program");
        }
        if (kind == Kind.PARTNER && partnerId == null) {
            throw new IllegalArgumentException("a partner key needs a partner");
        }
        if (person != null && (person.role().kind() != kind || keyId != null || programId != null)) {
            throw new IllegalArgumentException("a session principal has its role's kind and no key or program");
        }
    }

    /** A key's principal: no signed-in person. */
    public Principal(Kind kind, String actor, ApiKeyId keyId, ProgramId programId, PartnerId partnerId) {
        this(kind, actor, keyId, programId, partnerId, null);
    }

    /**
     * A principal bound to no program, partner or key row, which only an admin can be: for jobs and
     * tests acting as an administrator.
     */
    public Principal(Kind kind, String actor) {
        this(kind, actor, null, null, null);
    }

    /** The ADMIN_API_KEY of the environment. */
    static Principal environmentAdmin() {
        return new Principal(Kind.ADMIN, ENV_ADMIN_ACTOR, null, null, null);
    }

    /** A signed-in person: the powers of their role, the audit actor of the person. */
    public static Principal forSession(SignedIn person) {
        return new Principal(person.role().kind(), person.actor(), null, null, person.partnerId(), person);
    }

    static Principal forKey(ApiKey key) {
        return new Principal(key.kind(), "api_key:" + key.id(), key.id(), key.programId(), key.partnerId());
    }

    public boolean isAdmin() {
        return kind == Kind.ADMIN;
    }

    /** "an admin key", "a partner session": for messages that say what a request used. */
    public String describe() {
        if (person == null) {
            return kind.withArticle();
        }
        return (person.role() == Role.ADMIN ? "an " : "a ") + person.role().wire() + " session";
    }

    /** The principal {@link Authenticate} attached to this request. */
    public static Principal of(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            // Only reachable if a /v1 route were registered outside the auth filter.
            throw ApiException.unauthorized();
        }
        return principal;
    }
}
