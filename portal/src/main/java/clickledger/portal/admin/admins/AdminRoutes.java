package clickledger.portal.admin.admins;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Admin;
import clickledger.portal.api.AdminsClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Invitation;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Session;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.SessionCache;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * The people who run the program: the admins, invitations by a one-time link (shown on screen
 * until mail exists, issue 15), removal (never of the last admin: the api refuses), each admin's
 * own password, and the public page where an invited person sets theirs.
 */
public final class AdminRoutes {
    static final String SECTION = "admins";

    public record AdminsPage(
            Layout layout,
            List<Admin> admins,
            List<Invitation> invitations,
            String myUserId,
            String inviteEmail,
            FieldErrors errors) {}

    public record InvitedPage(Layout layout, Invitation invitation) {}

    public record RemovePage(Layout layout, Admin admin) {}

    public record AccountPage(Layout layout, Session.Me me, FieldErrors errors) {}

    public record AcceptPage(Layout layout, String token, Invitation invitation, String name, FieldErrors errors) {}

    private final Pages pages;
    private final AdminsClient admins;
    private final SessionCache sessions;
    private final Clock clock;

    public AdminRoutes(Pages pages, AdminsClient admins, SessionCache sessions, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.admins = requireNonNull(admins, "admins is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/admins", ctx -> list(ctx, "", FieldErrors.none(), 200));
        routes.post("/admins/invitations", this::invite);
        routes.post("/admins/invitations/{id}/cancel", this::cancel);
        routes.get("/admins/{id}/remove", this::confirmRemove);
        routes.post("/admins/{id}/remove", this::remove);
        routes.get("/account", ctx -> account(ctx, FieldErrors.none(), 200));
        routes.post("/account/password", this::changePassword);
        routes.get("/invitations/admin/{token}", this::showInvitation);
        routes.post("/invitations/admin/{token}", this::accept);
    }

    private void list(Context ctx, String inviteEmail, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        var loaded = Parallel.both(() -> admins.list(caller, null), () -> admins.invitations(caller));
        pages.render(
                ctx,
                status,
                "admin/admins/list.jte",
                new AdminsPage(
                        pages.layout(ctx, "Admins", SECTION),
                        loaded.first().items(),
                        loaded.second().items(),
                        Pages.viewer(ctx).me().userId(),
                        inviteEmail,
                        errors));
    }

    private void invite(Context ctx) {
        String email = Form.of(ctx).get("email");
        try {
            Invitation invitation = admins.invite(Pages.caller(ctx), email);
            // Shown in this answer only: the link is a credential until it is used.
            pages.render(
                    ctx,
                    201,
                    "admin/admins/invited.jte",
                    new InvitedPage(pages.layout(ctx, "Invitation", SECTION), invitation));
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            FieldErrors errors = e.code().equals("already_admin")
                    ? FieldErrors.of("email", "This person is already an admin.")
                    : FieldErrors.from(e, Set.of("email"));
            list(ctx, email, errors, e.status());
        }
    }

    private void cancel(Context ctx) {
        admins.cancelInvitation(Pages.caller(ctx), ctx.pathParam("id"));
        pages.redirect(ctx, "/admins", "Invitation cancelled: its link no longer works.");
    }

    private void confirmRemove(Context ctx) {
        String id = ctx.pathParam("id");
        Admin admin = admins.list(Pages.caller(ctx), null).items().stream()
                .filter(candidate -> candidate.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new ApiProblem(404, "not_found", "admin " + id, List.of(), null));
        pages.render(
                ctx,
                "admin/admins/remove.jte",
                new RemovePage(pages.layout(ctx, "Remove " + admin.name(), SECTION), admin));
    }

    private void remove(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            admins.remove(Pages.caller(ctx), id);
        } catch (ApiProblem e) {
            if (e.status() != 409) {
                throw e;
            }
            pages.redirect(ctx, "/admins", "The last admin cannot be removed: invite another admin first.");
            return;
        }
        if (id.equals(Pages.viewer(ctx).me().userId())) {
            sessions.forget(Pages.caller(ctx).token());
            pages.cookies().clearSession(ctx);
            pages.redirect(ctx, "/sign-in", "You removed yourself as an admin.");
            return;
        }
        pages.redirect(ctx, "/admins", "Admin removed and signed out everywhere.");
    }

    private void account(Context ctx, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "admin/admins/account.jte",
                new AccountPage(
                        pages.layout(ctx, "Your account", ""), Pages.viewer(ctx).me(), errors));
    }

    private void changePassword(Context ctx) {
        Form form = Form.of(ctx);
        try {
            admins.changePassword(Pages.caller(ctx), form.raw("currentPassword"), form.raw("newPassword"));
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            account(ctx, FieldErrors.from(e, Set.of("currentPassword", "newPassword")), 400);
            return;
        }
        pages.redirect(ctx, "/account", "Password changed. Your other sessions are signed out.");
    }

    private void showInvitation(Context ctx) {
        String token = ctx.pathParam("token");
        Invitation invitation = findInvitation(Pages.caller(ctx), token);
        renderAccept(ctx, token, invitation, "", FieldErrors.none(), invitation == null ? 404 : 200);
    }

    private Invitation findInvitation(Caller caller, String token) {
        try {
            return admins.invitation(caller, token);
        } catch (ApiProblem e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    private void accept(Context ctx) {
        String token = ctx.pathParam("token");
        Form form = Form.of(ctx);
        Session session;
        try {
            session = admins.accept(Pages.caller(ctx), token, form.get("name"), form.raw("password"));
        } catch (ApiProblem e) {
            if (e.status() == 404) {
                renderAccept(ctx, token, null, "", FieldErrors.none(), 404);
                return;
            }
            if (e.status() != 400) {
                throw e;
            }
            renderAccept(
                    ctx,
                    token,
                    findInvitation(Pages.caller(ctx), token),
                    form.get("name"),
                    FieldErrors.from(e, Set.of("name", "password")),
                    400);
            return;
        }
        pages.cookies().setSession(ctx, session.token(), session.expiresAt(), clock.instant());
        pages.redirect(ctx, "/", "Welcome, " + session.principal().name() + ". You are an admin now.");
    }

    private void renderAccept(
            Context ctx, String token, Invitation invitation, String name, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "admin/admins/accept.jte",
                new AcceptPage(pages.layout(ctx, "Accept the invitation", ""), token, invitation, name, errors));
    }
}
