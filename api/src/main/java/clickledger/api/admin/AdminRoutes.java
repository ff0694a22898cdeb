package clickledger.api.admin;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Role;
import clickledger.api.auth.Sessions;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.person.InvitationService;
import clickledger.api.person.SessionView;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;

/**
 * {@code /v1/admins} (list, remove) and {@code /v1/admin-invitations} (invite, list pending,
 * withdraw; and, public, look at one by its token and accept it). Admin keys and admin sessions
 * only, except the two public routes that the invitation's token itself authorises.
 */
public final class AdminRoutes {
    private final AdminService admins;
    private final InvitationService invitations;

    public AdminRoutes(AdminService admins, InvitationService invitations) {
        this.admins = requireNonNull(admins, "admins is null");
        this.invitations = requireNonNull(invitations, "invitations is null");
    }

    /** The body of an invitation. */
    record Invite(String email) {}

    /** The body of an accept. */
    record Accept(String token, String name, String password) {
        @Override
        public String toString() {
            return "Accept[token=<redacted>, name=" + name + ", password=<redacted>]";
        }
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/admins", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(admins.list(PageRequest.from(ctx)));
        });
        routes.delete("/v1/admins/{id}", ctx -> {
            Principal actor = Access.requireAdmin(ctx);
            admins.remove(PathIds.id(ctx), actor);
            ctx.status(204);
        });
        routes.post("/v1/admin-invitations", this::invite);
        routes.get("/v1/admin-invitations", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(invitations.pending(Role.ADMIN, PageRequest.from(ctx)));
        });
        routes.delete("/v1/admin-invitations/{id}", ctx -> {
            Principal actor = Access.requireAdmin(ctx);
            invitations.revoke(Role.ADMIN, PathIds.id(ctx), actor);
            ctx.status(204);
        });
        // Public (RouteAccess.PUBLIC): the token in the path is the credential.
        // The path position is named id like the DELETE beside it (one name per position in OpenAPI);
        // here it carries the token of the link.
        routes.get("/v1/admin-invitations/{id}", ctx -> ctx.header(Header.CACHE_CONTROL, "no-store")
                .json(invitations.preview(Role.ADMIN, ctx.pathParam("id"))));
        routes.post("/v1/admin-invitations/accept", this::accept);
    }

    private void invite(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        Invite body = Json.body(ctx, Invite.class);
        InvitationService.Created created = invitations.invite(body.email(), actor);
        // The token is in this body and nowhere else: no cache along the way may keep a copy.
        ctx.status(201).header(Header.CACHE_CONTROL, "no-store").json(created);
    }

    private void accept(Context ctx) {
        Accept body = Json.body(ctx, Accept.class);
        if (body.token() == null || body.token().isEmpty()) {
            throw ApiException.badRequest("token", "is required: the token of the invitation link");
        }
        Sessions.Started started = invitations.accept(
                Role.ADMIN, body.token(), body.name(), body.password(), ctx.header(Header.USER_AGENT));
        ctx.status(201)
                .header(Header.CACHE_CONTROL, "no-store")
                .json(SessionView.started(started.token(), started.person()));
    }
}
