package clickledger.portal.admin.audit;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.AdminsClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.AuditClient;
import clickledger.portal.api.AuditEntry;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Parallel;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The audit log: who changed what, newest first, filtered by entity, actor, action and dates. */
public final class AuditRoutes {
    static final String SECTION = "audit";
    static final int PAGE_SIZE = 50;

    /**
     * An entry as a person reads it: the actor by name when it is an admin, the entity linked to
     * its page when the portal has one, and the details as name and value.
     */
    public record AuditRow(
            AuditEntry entry, String actor, String entityHref, List<Map.Entry<String, String>> details) {}

    public record AuditPage(
            Layout layout, AuditClient.Filter filter, List<AuditRow> entries, Paging paging, FieldErrors errors) {}

    /** Where an entity's page is, by the api's entity name. */
    static final Map<String, String> PAGES = Map.of(
            "partner", "/partners/",
            "link", "/links/",
            "program", "/programs/",
            "commission", "/commissions/",
            "webhook_endpoint", "/webhooks/");

    static final String ADMIN_ACTOR = "admin_user:";

    private final Pages pages;
    private final AuditClient audit;
    private final AdminsClient admins;

    public AuditRoutes(Pages pages, AuditClient audit, AdminsClient admins) {
        this.pages = requireNonNull(pages, "pages is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.admins = requireNonNull(admins, "admins is null");
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
        Caller caller = Pages.caller(ctx);
        ListPage<AuditEntry> page;
        Map<String, String> adminNames = new HashMap<>();
        FieldErrors errors = FieldErrors.none();
        try {
            var loaded =
                    Parallel.both(() -> audit.list(caller, filter, cursor, PAGE_SIZE), () -> admins.list(caller, null));
            page = loaded.first();
            loaded.second().items().forEach(admin -> adminNames.put(ADMIN_ACTOR + admin.id(), admin.name()));
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
                        page.items().stream()
                                .map(entry -> row(entry, adminNames))
                                .toList(),
                        Paging.of("/audit", query, cursor == null, page.nextCursor()),
                        errors));
    }

    static AuditRow row(AuditEntry entry, Map<String, String> adminNames) {
        String actor = adminNames.getOrDefault(entry.actor(), entry.actor());
        String page = entry.entityId() == null ? null : PAGES.get(entry.entity());
        List<Map.Entry<String, String>> details = new ArrayList<>();
        if (entry.details() != null && entry.details().isObject()) {
            entry.details()
                    .properties()
                    .forEach(field -> details.add(Map.entry(
                            field.getKey(),
                            field.getValue().isValueNode()
                                    ? field.getValue().asText()
                                    : field.getValue().toString())));
        }
        return new AuditRow(entry, actor, page == null ? null : page + entry.entityId(), details);
    }
}
