package clickledger.portal.auth;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.AccountLinksClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Session;
import clickledger.portal.api.TokenLink;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.LinkPages;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Viewer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Set;

/**
 * "Forgot password?" for admins and partners: ask for a link by email, then choose a new password
 * behind it and be signed in. The request page answers the same whatever the email, so it never
 * tells whether someone has an account; only an existing person gets mail (the api decides).
 */
public final class PasswordResetRoutes {
    public static final String FORGOT = "/forgot-password";

    public record ForgotPage(Layout layout, String email, FieldErrors errors) {}

    public record SentPage(Layout layout) {}

    public record ResetPage(Layout layout, String token, TokenLink link, FieldErrors errors) {}

    private final Pages pages;
    private final AccountLinksClient links;
    private final Clock clock;

    public PasswordResetRoutes(Pages pages, AccountLinksClient links, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.links = requireNonNull(links, "links is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(FORGOT, ctx -> renderForgot(ctx, "", FieldErrors.none(), 200));
        routes.post(FORGOT, this::request);
        routes.get(
                FORGOT + "/sent",
                ctx -> pages.render(
                        ctx, "auth/forgot-sent.jte", new SentPage(pages.layout(ctx, "Check your mail", ""))));
        routes.get("/reset-password/{token}", this::showReset);
        routes.post("/reset-password/{token}", this::reset);
    }

    private void request(Context ctx) {
        String email = Form.of(ctx).get("email");
        try {
            links.requestPasswordReset(Pages.caller(ctx), email);
        } catch (ApiProblem e) {
            if (e.status() == 400) {
                renderForgot(ctx, email, FieldErrors.from(e, Set.of("email")), 400);
                return;
            }
            if (e.status() == 429) {
                renderForgot(
                        ctx,
                        email,
                        FieldErrors.general("Too many reset requests for this address or from your network."
                                + " Wait an hour, then ask again."),
                        429);
                return;
            }
            throw e;
        }
        pages.redirect(
                ctx,
                FORGOT + "/sent",
                "If an account uses " + email + ", a link to choose a new password is on its way to it.");
    }

    private void renderForgot(Context ctx, String email, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "auth/forgot.jte",
                new ForgotPage(pages.layout(ctx, "Forgot your password?", ""), email, errors));
    }

    private void showReset(Context ctx) {
        String token = ctx.pathParam("token");
        TokenLink link;
        try {
            link = links.passwordReset(Pages.caller(ctx), token);
        } catch (ApiProblem e) {
            invalidOrThrow(ctx, e);
            return;
        }
        renderReset(ctx, token, link, FieldErrors.none(), 200);
    }

    private void reset(Context ctx) {
        String token = ctx.pathParam("token");
        Session session;
        try {
            session = links.resetPassword(Pages.caller(ctx), token, Form.of(ctx).raw("password"));
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                invalidOrThrow(ctx, e);
                return;
            }
            TokenLink link;
            try {
                link = links.passwordReset(Pages.caller(ctx), token);
            } catch (ApiProblem gone) {
                invalidOrThrow(ctx, gone);
                return;
            }
            renderReset(ctx, token, link, FieldErrors.from(e, Set.of("password")), 400);
            return;
        }
        pages.cookies().setSession(ctx, session.token(), session.expiresAt(), clock.instant());
        pages.redirect(
                ctx,
                Viewer.homeOf(session.principal()),
                "Your password is changed and you are signed in. Your other sessions were signed out.");
    }

    private void invalidOrThrow(Context ctx, ApiProblem e) {
        if (e.status() != 404) {
            throw e;
        }
        LinkPages.invalid(pages, ctx, e, LinkPages.Kind.PASSWORD_RESET);
    }

    private void renderReset(Context ctx, String token, TokenLink link, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "auth/reset.jte",
                new ResetPage(pages.layout(ctx, "Choose a new password", ""), token, link, errors));
    }
}
