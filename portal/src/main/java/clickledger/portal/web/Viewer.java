package clickledger.portal.web;

import clickledger.portal.api.Caller;
import clickledger.portal.api.Session;
import java.util.Locale;

/**
 * Who is looking at a page, resolved once per request by {@link Guard}: the api caller (token,
 * address, request id), the person ({@code null} on public pages), the CSRF token for the page's
 * forms and the locale that money and numbers are written in.
 */
public record Viewer(Caller caller, Session.Me me, String csrfToken, Locale locale) {
    static final String ATTRIBUTE = "clickledger.viewer";

    public boolean signedIn() {
        return me != null;
    }

    /** Where this person's portal starts: the admin dashboard, the partner dashboard, or sign-in. */
    public String home() {
        return homeOf(me);
    }

    /** The page with the person's own name, email and password. */
    public String accountHref() {
        return me != null && me.partner() ? Guard.PARTNER_ROOT + "/profile" : "/account";
    }

    public static String homeOf(Session.Me me) {
        if (me == null) {
            return Guard.SIGN_IN;
        }
        return me.admin() ? "/" : Guard.PARTNER_ROOT;
    }
}
