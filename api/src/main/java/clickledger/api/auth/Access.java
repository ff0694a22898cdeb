package clickledger.api.auth;

import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import io.javalin.http.Context;

/**
 * The questions a route asks about its caller. Each answers or throws the problem: 403 naming the
 * key a route needs when the kind is wrong, 404 when a program-bound key asks for another
 * program's resource (a 403 would confirm that the id exists).
 *
 * <p>Who may do what: an admin key everything; a secret key identify, events and reading its own
 * program with its links and clicks; a publishable key identify only; a partner key only /v1/me
 * and below. {@link RouteAccess} enforces the same table by route before any handler runs.
 */
public final class Access {
    private Access() {}

    /** Admin keys only: writes to programs, partners, links and keys, and anything unscoped. */
    public static Principal requireAdmin(Context ctx) {
        Principal principal = Principal.of(ctx);
        if (!principal.isAdmin()) {
            throw wrongKind(principal, "an admin key");
        }
        return principal;
    }

    /**
     * Reading program data (a program, its links, its clicks): admin keys, and secret keys within
     * their own program.
     *
     * @return the only program the caller may read, or null for an admin key (every program)
     */
    public static ProgramId readableProgram(Context ctx) {
        Principal principal = Principal.of(ctx);
        return switch (principal.kind()) {
            case ADMIN -> null;
            case SECRET -> principal.programId();
            case PUBLISHABLE, PARTNER -> throw wrongKind(principal, "an admin or secret key");
        };
    }

    /** As {@link #requireProgramAccess(Context, ProgramId, String)} for the program itself. */
    public static void requireProgramAccess(Context ctx, ProgramId programId) {
        requireProgramAccess(ctx, programId, "program");
    }

    /**
     * The caller may read this program's data: an admin key, or a secret key of this program.
     *
     * @param resource what the route looked up ("link", "click"), named in the 404 of another
     *     program's key, exactly as if the resource did not exist
     */
    public static void requireProgramAccess(Context ctx, ProgramId programId, String resource) {
        ProgramId readable = readableProgram(ctx);
        if (readable != null && !readable.equals(programId)) {
            throw ApiException.notFound(resource);
        }
    }

    /**
     * SDK calls ({@code POST /v1/identify}, {@code POST /v1/events}): admin and secret keys for
     * both, publishable keys for identify only.
     */
    public static Principal requireSdk(Context ctx, Scope scope) {
        Principal principal = Principal.of(ctx);
        if (!scope.allows(principal.kind())) {
            throw wrongKind(principal, scope == Scope.IDENTIFY ? "a secret or publishable key" : "a secret key");
        }
        return principal;
    }

    /**
     * The program an SDK call acts in. A secret or publishable key is bound to its program, so
     * {@code requested} may be left out; naming another program is a 404 of that program. An admin
     * key works in every program, so it must name one.
     *
     * @param requested the programId of the request body or query, or null when not given
     */
    public static ProgramId sdkProgram(Context ctx, Scope scope, ProgramId requested) {
        Principal principal = requireSdk(ctx, scope);
        if (principal.isAdmin()) {
            if (requested == null) {
                throw ApiException.badRequest("programId", "is required with an admin key");
            }
            return requested;
        }
        if (requested != null && !requested.equals(principal.programId())) {
            throw ApiException.notFound("program");
        }
        return principal.programId();
    }

    /**
     * Partner-scoped routes under /v1/me: partner keys only. The principal's {@code programId},
     * when set, narrows the key to that one program; {@link #partnerSees} applies it.
     */
    public static Principal requirePartner(Context ctx) {
        Principal principal = Principal.of(ctx);
        if (principal.kind() != Principal.Kind.PARTNER) {
            throw wrongKind(principal, "a partner key");
        }
        return principal;
    }

    /** A partner key sees its own partner's rows, in its one program when it is narrowed to one. */
    public static boolean partnerSees(Principal partner, PartnerId partnerId, ProgramId programId) {
        return partner.partnerId().equals(partnerId)
                && (partner.programId() == null || partner.programId().equals(programId));
    }

    static ApiException wrongKind(Principal principal, String needed) {
        return ApiException.forbidden("this needs " + needed + "; the request used " + principal.describe());
    }
}
