package clickledger.portal.admin.commission;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Commission;
import clickledger.portal.api.CommissionDetail;
import clickledger.portal.api.CommissionsClient;
import clickledger.portal.api.Link;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Partner;
import clickledger.portal.api.Program;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The review queue: commissions filtered by status (pending unless asked otherwise), program,
 * partner, event type and dates; approve or reject one or many; and one commission's detail, with
 * the event that earned it and every click that shares in it. The api audits every change.
 */
public final class CommissionRoutes {
    static final String SECTION = "commissions";
    static final int PAGE_SIZE = 50;
    static final int PARTNER_CHOICES = 100;
    static final Set<String> ACTIONS = Set.of("approve", "reject");

    public static final List<Option> STATUSES = Option.of(
            "pending", "Pending",
            "approved", "Approved",
            "paid", "Paid",
            "rejected", "Rejected",
            "reversed", "Reversed",
            "", "Any status");

    public record Filters(String programId, String partnerId, String status, String eventType, String from, String to) {
        CommissionsClient.Filter toApi() {
            return new CommissionsClient.Filter(programId, partnerId, status, eventType, from, to);
        }

        Map<String, String> query() {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("programId", programId);
            query.put("partnerId", partnerId);
            // An explicit empty status means "any"; without the parameter the queue shows pending.
            query.put("status", status == null ? "" : status);
            query.put("eventType", eventType);
            query.put("from", from);
            query.put("to", to);
            return query;
        }

        String href() {
            StringBuilder out = new StringBuilder(Paging.href("/commissions", query(), null));
            if (status == null) {
                out.append(out.indexOf("?") < 0 ? "?" : "&").append("status=");
            }
            return out.toString();
        }
    }

    public record CommissionRow(Commission commission, String partnerName, String programName) {}

    public record QueuePage(
            Layout layout,
            Filters filters,
            List<Option> programs,
            List<Option> partners,
            List<CommissionRow> rows,
            Paging paging,
            String back) {}

    public record TouchRow(CommissionDetail.Touch touch, String partnerName, String linkSlug) {}

    public record DetailPage(
            Layout layout, CommissionDetail commission, Partner partner, Program program, List<TouchRow> touches) {}

    private final Pages pages;
    private final Api api;

    public CommissionRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/commissions", this::queue);
        routes.post("/commissions/bulk", this::bulk);
        routes.get("/commissions/{id}", this::detail);
        routes.post("/commissions/{id}/{action}", this::single);
    }

    private void queue(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String status = ctx.queryParamMap().containsKey("status") ? Params.text(ctx, "status") : "pending";
        Filters filters = new Filters(
                Params.text(ctx, "programId"),
                Params.text(ctx, "partnerId"),
                status,
                Params.text(ctx, "eventType"),
                Params.text(ctx, "from"),
                Params.text(ctx, "to"));
        String cursor = ctx.queryParam("cursor");
        var loaded = Parallel.both(
                () -> api.commissions().list(caller, filters.toApi(), cursor, PAGE_SIZE),
                () -> Parallel.both(() -> api.programs().all(caller), () -> api.partners()
                        .list(caller, null, null, null, PARTNER_CHOICES)));
        ListPage<Commission> page = loaded.first();
        List<Program> programs = loaded.second().first();
        Map<String, Partner> partners = new LinkedHashMap<>();
        loaded.second().second().items().forEach(partner -> partners.put(partner.id(), partner));
        List<String> unknown = page.items().stream()
                .map(Commission::partnerId)
                .filter(id -> !partners.containsKey(id))
                .toList();
        partners.putAll(api.partners().byIds(caller, unknown));
        Map<String, String> programNames = new LinkedHashMap<>();
        programs.forEach(program -> programNames.put(program.id(), program.name()));
        List<CommissionRow> rows = new ArrayList<>();
        for (Commission commission : page.items()) {
            Partner partner = partners.get(commission.partnerId());
            rows.add(new CommissionRow(
                    commission,
                    partner == null ? commission.partnerId() : partner.name(),
                    programNames.getOrDefault(commission.programId(), commission.programId())));
        }
        List<Option> programOptions = new ArrayList<>(List.of(new Option("", "All programs")));
        programs.forEach(program -> programOptions.add(new Option(program.id(), program.name())));
        List<Option> partnerOptions = new ArrayList<>(List.of(new Option("", "All partners")));
        loaded.second()
                .second()
                .items()
                .forEach(partner -> partnerOptions.add(new Option(partner.id(), partner.name())));
        if (filters.partnerId() != null
                && loaded.second().second().items().stream()
                        .noneMatch(partner -> partner.id().equals(filters.partnerId()))) {
            Partner chosen = partners.containsKey(filters.partnerId())
                    ? partners.get(filters.partnerId())
                    : api.partners().get(caller, filters.partnerId());
            partnerOptions.add(1, new Option(chosen.id(), chosen.name()));
        }
        pages.render(
                ctx,
                "admin/commission/queue.jte",
                new QueuePage(
                        pages.layout(ctx, "Commissions", SECTION),
                        filters,
                        programOptions,
                        partnerOptions,
                        rows,
                        Paging.of("/commissions", filters.query(), cursor == null, page.nextCursor()),
                        filters.href()));
    }

    private void bulk(Context ctx) {
        Form form = Form.of(ctx);
        String action = form.get("action");
        String back = safeBack(form.get("back"));
        if (!ACTIONS.contains(action)) {
            throw Params.badRequest("action", "must be approve or reject");
        }
        List<String> ids = form.all("ids");
        if (ids.isEmpty()) {
            pages.redirect(ctx, back, "Select at least one commission first.");
            return;
        }
        JsonNode result = api.commissions().bulk(Pages.caller(ctx), action, ids);
        int updated = result.path("updated").size();
        int skipped = result.path("skipped").size();
        String verb = action.equals("approve") ? "Approved" : "Rejected";
        String notice = verb + " " + updated + (updated == 1 ? " commission" : " commissions")
                + (skipped == 0 ? "." : "; " + skipped + " could not change in their current status.");
        pages.redirect(ctx, back, notice);
    }

    private void single(Context ctx) {
        String action = ctx.pathParam("action");
        if (!ACTIONS.contains(action)) {
            throw Params.badRequest("action", "must be approve or reject");
        }
        Caller caller = Pages.caller(ctx);
        String id = ctx.pathParam("id");
        try {
            Commission commission = action.equals("approve")
                    ? api.commissions().approve(caller, id)
                    : api.commissions().reject(caller, id);
            pages.redirect(ctx, "/commissions/" + commission.id(), "Commission " + commission.status() + ".");
        } catch (ApiProblem e) {
            if (e.status() != 409) {
                throw e;
            }
            pages.redirect(
                    ctx, "/commissions/" + id, "This commission cannot be " + action + "d in its current status.");
        }
    }

    private void detail(Context ctx) {
        Caller caller = Pages.caller(ctx);
        CommissionDetail commission = api.commissions().detail(caller, ctx.pathParam("id"));
        var loaded = Parallel.both(() -> api.partners().get(caller, commission.partnerId()), () -> api.programs()
                .get(caller, commission.programId()));
        List<String> partnerIds = commission.touches().stream()
                .map(CommissionDetail.Touch::partnerId)
                .toList();
        List<String> linkIds = commission.touches().stream()
                .map(CommissionDetail.Touch::linkId)
                .filter(java.util.Objects::nonNull)
                .toList();
        var names = Parallel.both(() -> api.partners().byIds(caller, partnerIds), () -> api.links()
                .byIds(caller, linkIds));
        List<TouchRow> touches = new ArrayList<>();
        for (CommissionDetail.Touch touch : commission.touches()) {
            Partner partner = names.first().get(touch.partnerId());
            Link link = touch.linkId() == null ? null : names.second().get(touch.linkId());
            touches.add(new TouchRow(
                    touch, partner == null ? touch.partnerId() : partner.name(), link == null ? null : link.slug()));
        }
        pages.render(
                ctx,
                "admin/commission/detail.jte",
                new DetailPage(
                        pages.layout(ctx, "Commission", SECTION),
                        commission,
                        loaded.first(),
                        loaded.second(),
                        touches));
    }

    /** Back to the queue the person came from; nothing but a queue URL of this portal. */
    static String safeBack(String back) {
        if (back == null || !back.startsWith("/commissions") || back.contains("//") || back.contains("\\")) {
            return "/commissions";
        }
        return back;
    }
}
