package clickledger.portal.partner.profile;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.MeClient;
import clickledger.portal.api.Profile;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.SessionCache;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;

/**
 * The partner's profile: their name (the partner's and the signed-in person's), their email
 * (changed only once the link mailed to the new address is opened; until then the page says which
 * change waits), and their password. Each of the three forms shows its own errors.
 */
public final class ProfileRoutes {
    static final String SECTION = "profile";
    static final String ROOT = "/partner/profile";

    /** Which form a page shows errors for, and what was typed into it. */
    public record Typed(String name, String email) {}

    public record ProfilePage(
            Layout layout,
            Profile profile,
            Typed typed,
            FieldErrors nameErrors,
            FieldErrors emailErrors,
            FieldErrors passwordErrors) {
        /** The email the sign-in form wants (the password manager's username). */
        public String username() {
            return profile.person() != null ? profile.person().email() : profile.email();
        }
    }

    private final Pages pages;
    private final MeClient me;
    private final SessionCache sessions;

    public ProfileRoutes(Pages pages, MeClient me, SessionCache sessions) {
        this.pages = requireNonNull(pages, "pages is null");
        this.me = requireNonNull(me, "me is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(ROOT, ctx -> render(ctx, null, FieldErrors.none(), FieldErrors.none(), FieldErrors.none(), 200));
        routes.post(ROOT + "/name", this::rename);
        routes.post(ROOT + "/email", this::changeEmail);
        routes.post(ROOT + "/password", this::changePassword);
    }

    private void rename(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String name = Form.of(ctx).get("name");
        try {
            me.rename(caller, name);
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            render(ctx, new Typed(name, null), FieldErrors.from(e, Set.of("name")), none(), none(), 400);
            return;
        }
        // The name in the top bar comes from the session's cached person: ask the api afresh.
        sessions.forget(caller.token());
        pages.redirect(ctx, ROOT, "Name changed to " + name + ".");
    }

    private void changeEmail(Context ctx) {
        Form form = Form.of(ctx);
        String email = form.get("email");
        MeClient.EmailChange started;
        try {
            started = me.changeEmail(Pages.caller(ctx), email, form.raw("currentPassword"));
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            FieldErrors errors = "email_taken".equals(e.code())
                    ? FieldErrors.of("email", "Another account uses this email; choose another.")
                    : FieldErrors.from(e, Set.of("email", "currentPassword"));
            render(ctx, new Typed(null, email), none(), errors, none(), e.status());
            return;
        }
        pages.redirect(
                ctx,
                ROOT,
                "We sent a link to " + started.pendingEmail() + ". Your email changes when you open it; until then"
                        + " you sign in as before.");
    }

    private void changePassword(Context ctx) {
        Form form = Form.of(ctx);
        try {
            me.changePassword(Pages.caller(ctx), form.raw("currentPassword"), form.raw("newPassword"));
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            render(ctx, null, none(), none(), FieldErrors.from(e, Set.of("currentPassword", "newPassword")), 400);
            return;
        }
        pages.redirect(ctx, ROOT, "Password changed. Your other sessions are signed out.");
    }

    private void render(
            Context ctx,
            Typed typed,
            FieldErrors nameErrors,
            FieldErrors emailErrors,
            FieldErrors passwordErrors,
            int status) {
        Profile profile = me.profile(Pages.caller(ctx));
        Typed shown = new Typed(
                typed != null && typed.name() != null ? typed.name() : profile.name(),
                typed != null && typed.email() != null ? typed.email() : "");
        pages.render(
                ctx,
                status,
                "partner/profile/profile.jte",
                new ProfilePage(
                        pages.layout(ctx, "Your profile", SECTION),
                        profile,
                        shown,
                        nameErrors,
                        emailErrors,
                        passwordErrors));
    }

    private static FieldErrors none() {
        return FieldErrors.none();
    }
}
