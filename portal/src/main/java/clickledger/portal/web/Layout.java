package clickledger.portal.web;

import java.util.List;

/**
 * What the layout template needs besides the page itself: the title, the navigation with the
 * current section, the viewer (and so the CSRF token), a notice left by the previous request and
 * the formatter every template writes money and dates with.
 */
public record Layout(String title, String section, Viewer viewer, List<NavItem> nav, String flash, Format fmt) {
    public Layout {
        nav = List.copyOf(nav);
    }

    public String csrfToken() {
        return viewer.csrfToken();
    }

    public boolean signedIn() {
        return viewer.signedIn();
    }

    public String home() {
        return viewer.home();
    }

    public boolean current(NavItem item) {
        return item.section().equals(section);
    }
}
