package clickledger.portal.auth;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.AccountLinksClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.TokenLink;
import clickledger.portal.web.ErrorPages;
import clickledger.portal.web.Layout;
import clickledger.portal.web.LinkPages;
import clickledger.portal.web.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * The link of the "confirm your new email" mail. Opening it changes nothing: mail scanners and
 * link previews fetch links, so the page only shows a button, and the POST behind the button
 * makes the change. Nothing needs a session: the single-use token is the proof.
 */
public final class EmailChangeRoutes {
    static final String INVALID = "email_change_invalid";

    /** {@code link} is null when the api cannot tell in advance (then the button finds out). */
    public record ConfirmPage(Layout layout, String token, TokenLink link) {}

    public record ConfirmedPage(Layout layout, String email) {}

    private final Pages pages;
    private final AccountLinksClient links;

    public EmailChangeRoutes(Pages pages, AccountLinksClient links) {
        this.pages = requireNonNull(pages, "pages is null");
        this.links = requireNonNull(links, "links is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/confirm-email/{token}", this::show);
        routes.post("/confirm-email/{token}", this::confirm);
    }

    private void show(Context ctx) {
        String token = ctx.pathParam("token");
        TokenLink link = null;
        try {
            link = links.emailChange(Pages.caller(ctx), token);
        } catch (ApiProblem e) {
            if (INVALID.equals(e.code())) {
                LinkPages.invalid(pages, ctx, e, LinkPages.Kind.EMAIL_CHANGE);
                return;
            }
            // An api without the look-up route (REQUESTS-15 P2) answers 404, 405, or 401 from
            // its deny-by-default table: the button still works, and finds out.
            if (e.status() != 401 && e.status() != 404 && e.status() != 405) {
                throw e;
            }
        }
        pages.render(
                ctx,
                "auth/confirm-email.jte",
                new ConfirmPage(pages.layout(ctx, "Confirm your new email", ""), token, link));
    }

    private void confirm(Context ctx) {
        String email;
        try {
            email = links.confirmEmailChange(Pages.caller(ctx), ctx.pathParam("token"));
        } catch (ApiProblem e) {
            if (e.status() == 404) {
                LinkPages.invalid(pages, ctx, e, LinkPages.Kind.EMAIL_CHANGE);
                return;
            }
            if (e.status() == 409) {
                ErrorPages.render(
                        pages,
                        ctx,
                        409,
                        "This email is taken",
                        "Another account signs in with this address now, so your email stays as it was.");
                return;
            }
            throw e;
        }
        pages.render(ctx, "auth/email-confirmed.jte", new ConfirmedPage(pages.layout(ctx, "Email changed", ""), email));
    }
}
