package clickledger.portal.admin.audit;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.AuditClient;
import clickledger.portal.api.AuditEntry;
import clickledger.portal.api.ListPage;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The audit log: who changed what, newest first, filtered by entity, actor, action and dates. */
public final class AuditRoutes {
    static final String SECTION = "audit";
    static final int PAGE_SIZE = 50;

    public record AuditPage(
            Layout layout, AuditClient.Filter filter, List<AuditEntry> entries, Paging paging, FieldErrors errors) {}

    private final Pages pages;
    private final AuditClient audit;

    public AuditRoutes(Pages pages, AuditClient audit) {
        this.pages = requireNonNull(pages, "pages is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/audit", this::list);
    }

    private void list(Context ctx) {
        AuditClient.Filter filter = new AuditClient.Filter(
                Params.text(ctx, "entity"),
                Params.text(ctx, "entityId"),
                Params.text(ctx, "actor"),
                Params.text(ctx, "action"),
                Params.text(ctx, "from"),
                Params.text(ctx, "to"));
        String cursor = ctx.queryParam("cursor");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("entity", filter.entity());
        query.put("entityId", filter.entityId());
        query.put("actor", filter.actor());
        query.put("action", filter.action());
        query.put("from", filter.from());
        query.put("to", filter.to());
        ListPage<AuditEntry> page;
        FieldErrors errors = FieldErrors.none();
        try {
            page = audit.list(Pages.caller(ctx), filter, cursor, PAGE_SIZE);
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            page = new ListPage<>(List.of(), null);
            errors = FieldErrors.from(e, Set.of("entity", "entityId", "actor", "action", "from", "to"));
        }
        pages.render(
                ctx,
                errors.any() ? 400 : 200,
                "admin/audit/list.jte",
                new AuditPage(
                        pages.layout(ctx, "Audit log", SECTION),
                        filter,
                        page.items(),
                        Paging.of("/audit", query, cursor == null, page.nextCursor()),
                        errors));
    }
}
