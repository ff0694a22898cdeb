package clickledger.portal.admin.partner;

import static java.util.Objects.requireNonNull;

import clickledger.portal.admin.program.RulesEditor;
import clickledger.portal.api.Api;
import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Link;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Membership;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Partner;
import clickledger.portal.api.PartnerInvitation;
import clickledger.portal.api.Program;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Partners: search and page through them, create, rename, approve or reject their membership of
 * each program, give them their own commission rules, revoke (after a page that says what that
 * does) and reactivate.
 */
public final class PartnerRoutes {
    static final String SECTION = "partners";
    static final int PAGE_SIZE = 25;
    static final Set<String> FIELDS = Set.of("name", "email");
    static final Set<String> MEMBERSHIP_STATUSES = Set.of("pending", "approved", "rejected", "revoked");

    public record PartnersPage(Layout layout, String query, String status, List<Partner> partners, Paging paging) {}

    public record NewPartnerPage(Layout layout, String name, String email, FieldErrors errors) {}

    /** A program and the partner's membership of it, empty when the partner is not a member. */
    public record MembershipRow(Program program, Optional<Membership> membership) {
        public String status() {
            return membership.map(Membership::status).orElse(null);
        }

        public boolean hasOverride() {
            return membership.map(Membership::hasOverride).orElse(false);
        }
    }

    public record PartnerPage(
            Layout layout,
            Partner partner,
            String name,
            FieldErrors errors,
            List<MembershipRow> memberships,
            List<Link> links,
            boolean moreLinks,
            Map<String, Program> programsById,
            List<PartnerInvitation.Pending> invitations) {}

    public record RevokePage(Layout layout, Partner partner) {}

    public record OverridePage(
            Layout layout,
            Partner partner,
            Program program,
            boolean hasOverride,
            RulesEditor.Rules rules,
            FieldErrors errors) {}

    private final Pages pages;
    private final Api api;

    public PartnerRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/partners", this::list);
        routes.get("/partners/new", ctx -> renderNew(ctx, "", "", FieldErrors.none(), 200));
        routes.post("/partners", this::create);
        routes.get("/partners/{id}", this::show);
        routes.post("/partners/{id}", this::rename);
        routes.get("/partners/{id}/revoke", this::confirmRevoke);
        routes.post("/partners/{id}/revoke", this::revoke);
        routes.post("/partners/{id}/reactivate", this::reactivate);
        routes.post("/partners/{id}/programs/{programId}", this::membership);
        routes.get("/partners/{id}/programs/{programId}", this::override);
        routes.post("/partners/{id}/programs/{programId}/rules", this::saveOverride);
    }

    private void list(Context ctx) {
        String query = Objects.requireNonNullElse(Params.text(ctx, "q"), "");
        String status = Objects.requireNonNullElse(Params.text(ctx, "status"), "");
        String cursor = ctx.queryParam("cursor");
        ListPage<Partner> page = api.partners().list(Pages.caller(ctx), query, status, cursor, PAGE_SIZE);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("q", query);
        filters.put("status", status);
        pages.render(
                ctx,
                "admin/partner/list.jte",
                new PartnersPage(
                        pages.layout(ctx, "Partners", SECTION),
                        query,
                        status,
                        page.items(),
                        Paging.of("/partners", filters, cursor == null, page.nextCursor())));
    }

    private void create(Context ctx) {
        Form form = Form.of(ctx);
        ObjectNode body = ApiClient.object();
        form.text(body, "name", "name");
        form.text(body, "email", "email");
        try {
            Partner partner = api.partners().create(Pages.caller(ctx), body);
            pages.redirect(ctx, "/partners/" + partner.id(), "Partner " + partner.name() + " created.");
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            FieldErrors errors = e.code().equals("email_taken")
                    ? FieldErrors.of("email", "A partner with this email already exists.")
                    : FieldErrors.from(e, FIELDS);
            renderNew(ctx, form.get("name"), form.get("email"), errors, e.status());
        }
    }

    private void renderNew(Context ctx, String name, String email, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "admin/partner/new.jte",
                new NewPartnerPage(pages.layout(ctx, "New partner", SECTION), name, email, errors));
    }

    private void show(Context ctx) {
        render(ctx, null, FieldErrors.none(), 200);
    }

    private void render(Context ctx, String typedName, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        String id = ctx.pathParam("id");
        var partnerAndPrograms = Parallel.both(
                () -> api.partners().get(caller, id), () -> api.programs().all(caller));
        Partner partner = partnerAndPrograms.first();
        List<Program> programs = partnerAndPrograms.second();
        var membershipsAndLinks = Parallel.all(
                () -> api.partners().memberships(caller, partner.id()),
                () -> api.links().list(caller, null, partner.id(), null, null),
                () -> api.partnerInvitations().pending(caller, partner.id()));
        Map<String, Membership> memberships = new LinkedHashMap<>();
        membershipsAndLinks.first().forEach(membership -> memberships.put(membership.programId(), membership));
        List<MembershipRow> rows = programs.stream()
                .map(program -> new MembershipRow(program, Optional.ofNullable(memberships.get(program.id()))))
                .toList();
        Map<String, Program> byId = new LinkedHashMap<>();
        programs.forEach(program -> byId.put(program.id(), program));
        pages.render(
                ctx,
                status,
                "admin/partner/show.jte",
                new PartnerPage(
                        pages.layout(ctx, partner.name(), SECTION),
                        partner,
                        typedName == null ? partner.name() : typedName,
                        errors,
                        rows,
                        membershipsAndLinks.second().items(),
                        membershipsAndLinks.second().hasMore(),
                        byId,
                        membershipsAndLinks.third()));
    }

    private void rename(Context ctx) {
        Form form = Form.of(ctx);
        ObjectNode body = ApiClient.object();
        body.put("name", form.get("name"));
        try {
            Partner partner = api.partners().update(Pages.caller(ctx), ctx.pathParam("id"), body);
            pages.redirect(ctx, "/partners/" + partner.id(), "Partner " + partner.name() + " saved.");
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            render(ctx, form.get("name"), FieldErrors.from(e, FIELDS), 400);
        }
    }

    private void confirmRevoke(Context ctx) {
        Partner partner = api.partners().get(Pages.caller(ctx), ctx.pathParam("id"));
        pages.render(
                ctx,
                "admin/partner/revoke.jte",
                new RevokePage(pages.layout(ctx, "Revoke " + partner.name(), SECTION), partner));
    }

    private void revoke(Context ctx) {
        Partner partner = api.partners().revoke(Pages.caller(ctx), ctx.pathParam("id"));
        pages.redirect(ctx, "/partners/" + partner.id(), partner.name() + " is revoked.");
    }

    private void reactivate(Context ctx) {
        ObjectNode body = ApiClient.object().put("status", "active");
        Partner partner = api.partners().update(Pages.caller(ctx), ctx.pathParam("id"), body);
        pages.redirect(ctx, "/partners/" + partner.id(), partner.name() + " is active again.");
    }

    private void membership(Context ctx) {
        Form form = Form.of(ctx);
        String status = form.get("status");
        if (!MEMBERSHIP_STATUSES.contains(status)) {
            // The api would say the same; answering here keeps a hand-made request from reaching it.
            throw new ApiProblem(
                    400, "invalid_request", "status: must be one of " + MEMBERSHIP_STATUSES, List.of(), null);
        }
        String partnerId = ctx.pathParam("id");
        String programId = ctx.pathParam("programId");
        api.partners()
                .updateMembership(
                        Pages.caller(ctx),
                        programId,
                        partnerId,
                        ApiClient.object().put("status", status));
        pages.redirect(ctx, "/partners/" + partnerId + "#programs", "Membership " + status + ".");
    }

    private void override(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String partnerId = ctx.pathParam("id");
        String programId = ctx.pathParam("programId");
        var loaded = partnerAndProgram(caller, partnerId, programId);
        Optional<Membership> membership = api.partners().membership(caller, programId, partnerId);
        boolean hasOverride = membership.map(Membership::hasOverride).orElse(false);
        RulesEditor.Rules rules = RulesEditor.fromApi(
                hasOverride
                        ? membership.get().commissionRules()
                        : loaded.second().commissionRules());
        renderOverride(ctx, loaded.first(), loaded.second(), hasOverride, rules, FieldErrors.none(), 200);
    }

    private void saveOverride(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String partnerId = ctx.pathParam("id");
        String programId = ctx.pathParam("programId");
        Form form = Form.of(ctx);
        List<RulesEditor.Row> rows = RulesEditor.submitted(form);
        boolean useProgramRules = "program-rules".equals(form.get("_action"));
        if (RulesEditor.ADD_ROW.equals(form.get("_action"))) {
            var loaded = partnerAndProgram(caller, partnerId, programId);
            renderOverride(
                    ctx, loaded.first(), loaded.second(), true, RulesEditor.again(rows, 2), FieldErrors.none(), 200);
            return;
        }
        ObjectNode body = ApiClient.object();
        if (useProgramRules) {
            body.putNull(RulesEditor.FIELD);
        } else {
            body.set(RulesEditor.FIELD, RulesEditor.toJson(rows));
        }
        try {
            api.partners().updateMembership(caller, programId, partnerId, body);
            pages.redirect(
                    ctx,
                    "/partners/" + partnerId + "#programs",
                    useProgramRules ? "The program's rules apply again." : "Commission rules saved.");
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            var loaded = partnerAndProgram(caller, partnerId, programId);
            renderOverride(
                    ctx,
                    loaded.first(),
                    loaded.second(),
                    true,
                    RulesEditor.again(rows, 1),
                    FieldErrors.from(e, Set.of(RulesEditor.FIELD, RulesEditor.FIELD + "[")),
                    400);
        }
    }

    private Parallel.Pair<Partner, Program> partnerAndProgram(Caller caller, String partnerId, String programId) {
        return Parallel.both(() -> api.partners().get(caller, partnerId), () -> api.programs()
                .get(caller, programId));
    }

    private void renderOverride(
            Context ctx,
            Partner partner,
            Program program,
            boolean hasOverride,
            RulesEditor.Rules rules,
            FieldErrors errors,
            int status) {
        pages.render(
                ctx,
                status,
                "admin/partner/override.jte",
                new OverridePage(
                        pages.layout(ctx, "Commission rules of " + partner.name(), SECTION),
                        partner,
                        program,
                        hasOverride,
                        rules,
                        errors));
    }
}
