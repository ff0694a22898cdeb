package clickledger.portal.admin.dashboard;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

public final class DashboardRoutes {
    public record DashboardPage(Layout layout) {}

    private final Pages pages;
    private final Api api;

    public DashboardRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/", this::show);
    }

    private void show(Context ctx) {
        pages.render(
                ctx, "admin/dashboard/dashboard.jte", new DashboardPage(pages.layout(ctx, "Dashboard", "dashboard")));
    }
}
