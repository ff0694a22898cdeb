package clickledger.portal.web;

import static java.util.Objects.requireNonNull;

import clickledger.common.log.RequestIds;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Session;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Renders a page record with its template and the layout, and writes redirects with a notice for
 * the next page (post/redirect/get). Which menu a person sees depends on their role: the admin
 * menu now, the partner menu with issue 15; each is a plain list of {@link NavItem}s.
 */
public final class Pages {
    private final Templates templates;
    private final Cookies cookies;
    private final Map<String, List<NavItem>> menus;

    /** @param menus the navigation per role ("admin", later "partner") */
    public Pages(Templates templates, Cookies cookies, Map<String, List<NavItem>> menus) {
        this.templates = requireNonNull(templates, "templates is null");
        this.cookies = requireNonNull(cookies, "cookies is null");
        this.menus = Map.copyOf(menus);
    }

    public static Viewer viewer(Context ctx) {
        Viewer viewer = ctx.attribute(Viewer.ATTRIBUTE);
        if (viewer == null) {
            // Only error pages of requests the guard never saw (an unmatched path) get here.
            return new Viewer(
                    Caller.anonymous(null, null, MDC.get(RequestIds.MDC_KEY)),
                    null,
                    "",
                    Format.localeOf(ctx.header("Accept-Language")));
        }
        return viewer;
    }

    public static Caller caller(Context ctx) {
        return viewer(ctx).caller();
    }

    public Layout layout(Context ctx, String title, String section) {
        Viewer viewer = viewer(ctx);
        Session.Me me = viewer.me();
        List<NavItem> nav = me == null ? List.of() : menus.getOrDefault(me.role(), List.of());
        return new Layout(title, section, viewer, nav, cookies.takeFlash(ctx), new Format(viewer.locale()), null, null);
    }

    public void render(Context ctx, String template, Object page) {
        // Pages carry CSRF tokens, and some a secret shown once: no cache may keep them.
        ctx.header("Cache-Control", "no-store");
        ctx.html(templates.render(template, page));
    }

    public void render(Context ctx, int status, String template, Object page) {
        ctx.status(status);
        render(ctx, template, page);
    }

    /** 303 See Other to {@code location}, with {@code notice} shown once on the page it leads to. */
    public void redirect(Context ctx, String location, String notice) {
        if (notice != null) {
            cookies.flash(ctx, notice);
        }
        ctx.redirect(location, HttpStatus.SEE_OTHER);
    }

    public Cookies cookies() {
        return cookies;
    }
}
