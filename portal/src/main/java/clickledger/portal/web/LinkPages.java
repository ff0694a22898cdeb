package clickledger.portal.web;

import clickledger.portal.api.ApiProblem;
import io.javalin.http.Context;
import java.util.Locale;

/**
 * The page for a link from a mail that cannot be used (an invitation, a password reset, an email
 * change): it says plainly whether the link expired, was used already or is not one we sent, and
 * what to do next. The api tells which in the detail of its one 404 per kind of link
 * ({@code invitation_invalid}, {@code reset_invalid}, {@code email_change_invalid}; see
 * CONTRACT-15); a detail it cannot tell apart gets the general page, with the api's words.
 */
public final class LinkPages {
    /** The invalid-link template's page. */
    public record InvalidLinkPage(
            Layout layout, String heading, String reason, String advice, String nextHref, String nextLabel) {}

    /** Why a link cannot be used, as far as the api said. */
    public enum Reason {
        EXPIRED(410, "This link has expired"),
        USED(410, "This link was already used"),
        UNKNOWN(404, "This link is not valid"),
        OTHER(404, "This link cannot be used");

        final int status;
        final String heading;

        Reason(int status, String heading) {
            this.status = status;
            this.heading = heading;
        }

        public static Reason of(ApiProblem problem) {
            String detail = problem.detail() == null ? "" : problem.detail().toLowerCase(Locale.ROOT);
            if (detail.contains("expired")) {
                return EXPIRED;
            }
            if (detail.contains("already used") || detail.contains("withdrawn")) {
                return USED;
            }
            if (detail.contains("unknown")) {
                return UNKNOWN;
            }
            return OTHER;
        }
    }

    /** A kind of link: what it is called, how long it lives, and where to get a new one. */
    public record Kind(String name, String lifetime, String advice, String nextHref, String nextLabel) {
        public static final Kind INVITATION = new Kind(
                "Invitation links",
                "7 days",
                "Ask the person who invited you for a new invitation. If you have set your password already, sign in.",
                Guard.SIGN_IN,
                "Sign in");
        public static final Kind PASSWORD_RESET = new Kind(
                "Password reset links",
                "one hour",
                "Ask for a new link; it arrives within a minute or two.",
                "/forgot-password",
                "Ask for a new link");
        public static final Kind EMAIL_CHANGE = new Kind(
                "Email confirmation links",
                "24 hours",
                "Your email has not changed. Sign in and change it again for a new link.",
                Guard.SIGN_IN,
                "Sign in");
    }

    private LinkPages() {}

    /** Renders the page for a link the api refused with {@code problem} (its 404). */
    public static void invalid(Pages pages, Context ctx, ApiProblem problem, Kind kind) {
        Reason reason = Reason.of(problem);
        String because =
                switch (reason) {
                    case EXPIRED -> kind.name() + " work for " + kind.lifetime() + ", and this one has run out.";
                    case USED -> "Each link works once, and this one has been used (or replaced by a newer one).";
                    case UNKNOWN ->
                        "We did not send this link, or part of it is missing: check that it was copied whole.";
                    case OTHER -> problem.detail();
                };
        Layout layout = pages.layout(ctx, reason.heading, "");
        pages.render(
                ctx,
                reason.status,
                "web/link-invalid.jte",
                new InvalidLinkPage(layout, reason.heading, because, kind.advice(), kind.nextHref(), kind.nextLabel()));
    }
}
