package clickledger.portal.web;

import java.util.List;

/**
 * What the layout template needs besides the page itself: the title, the navigation with the
 * current section, the viewer (and so the CSRF token), a notice left by the previous request, the
 * formatter every template writes money and dates with, and the logo of the program the page is
 * about (a portal path, or null) with its name (or null), shown in the top bar.
 */
public record Layout(
        String title,
        String section,
        Viewer viewer,
        List<NavItem> nav,
        String flash,
        Format fmt,
        String programLogo,
        String programName) {
    public Layout {
        nav = List.copyOf(nav);
    }

    /** The same layout showing a program's logo ({@link clickledger.portal.api.Program#portalLogoUrl()}). */
    public Layout withProgramLogo(String logo) {
        return withProgramLogo(logo, null);
    }

    /** The same layout showing a program's logo, with the program's name as its alt text. */
    public Layout withProgramLogo(String logo, String name) {
        return new Layout(title, section, viewer, nav, flash, fmt, logo, name);
    }

    /** The logo's alt text: the program's name when the page knows it. */
    public String programLogoAlt() {
        return programName != null ? programName : "Program logo";
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
