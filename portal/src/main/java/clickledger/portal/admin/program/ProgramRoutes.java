package clickledger.portal.admin.program;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Program;
import clickledger.portal.api.ProgramsClient;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Programs: list, create, edit (settings and commission rules), and where their links point. */
public final class ProgramRoutes {
    static final String SECTION = "programs";
    static final Set<String> FIELDS = Set.of(
            "name",
            "slug",
            "destinationUrl",
            "currency",
            "attributionModel",
            "lookbackDays",
            "holdbackDays",
            "cookieDays",
            "status",
            "payoutMinimum",
            "commissionRules",
            "commissionRules[");

    /** The program form as typed; for a new program {@code id} is null. */
    public record ProgramForm(
            String id,
            String name,
            String slug,
            String destinationUrl,
            String currency,
            String attributionModel,
            String lookbackDays,
            String holdbackDays,
            String cookieDays,
            String status,
            String payoutMinimum,
            boolean currencyLocked) {

        static ProgramForm blank() {
            return new ProgramForm(null, "", "", "", "USD", "last_click", "60", "30", "90", "active", "0", false);
        }

        static ProgramForm of(Program program) {
            return new ProgramForm(
                    program.id(),
                    program.name(),
                    program.slug(),
                    program.destinationUrl(),
                    program.currency(),
                    program.attributionModel(),
                    Integer.toString(program.lookbackDays()),
                    Integer.toString(program.holdbackDays()),
                    Integer.toString(program.cookieDays()),
                    program.status(),
                    program.payoutMinimum() == null ? "0" : program.payoutMinimum(),
                    program.currencyLocked());
        }

        static ProgramForm from(Form form, Program current) {
            return new ProgramForm(
                    current == null ? null : current.id(),
                    form.get("name"),
                    current == null ? form.get("slug") : current.slug(),
                    form.get("destinationUrl"),
                    current != null && current.currencyLocked() ? current.currency() : form.get("currency"),
                    form.get("attributionModel"),
                    form.get("lookbackDays"),
                    form.get("holdbackDays"),
                    form.get("cookieDays"),
                    current == null ? "active" : form.get("status"),
                    form.get("payoutMinimum"),
                    current != null && current.currencyLocked());
        }

        public boolean creating() {
            return id == null;
        }
    }

    public record ProgramsPage(Layout layout, List<Program> programs, Paging paging) {}

    public record ProgramFormPage(
            Layout layout, ProgramForm form, RulesEditor.Rules rules, FieldErrors errors, String shareBase) {}

    private final Pages pages;
    private final ProgramsClient programs;
    private final String shareBase;

    /** @param publicRouterUrl where partner links live; a link is {@code publicRouterUrl/r/slug} */
    public ProgramRoutes(Pages pages, ProgramsClient programs, String publicRouterUrl) {
        this.pages = requireNonNull(pages, "pages is null");
        this.programs = requireNonNull(programs, "programs is null");
        this.shareBase = requireNonNull(publicRouterUrl, "publicRouterUrl is null") + "/r/";
    }

    public void register(RoutesConfig routes) {
        routes.get("/programs", this::list);
        routes.get("/programs/new", this::newForm);
        routes.post("/programs", this::create);
        routes.get("/programs/{id}", this::edit);
        routes.post("/programs/{id}", this::update);
    }

    private void list(Context ctx) {
        String cursor = ctx.queryParam("cursor");
        ListPage<Program> page = programs.list(Pages.caller(ctx), cursor);
        pages.render(
                ctx,
                "admin/program/list.jte",
                new ProgramsPage(
                        pages.layout(ctx, "Programs", SECTION),
                        page.items(),
                        Paging.of("/programs", Map.of(), cursor == null, page.nextCursor())));
    }

    private void newForm(Context ctx) {
        render(ctx, ProgramForm.blank(), RulesEditor.fromApi(null), FieldErrors.none(), 200);
    }

    private void edit(Context ctx) {
        Program program = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        render(ctx, ProgramForm.of(program), RulesEditor.fromApi(program.commissionRules()), FieldErrors.none(), 200);
    }

    private void create(Context ctx) {
        Form form = Form.of(ctx);
        ProgramForm values = ProgramForm.from(form, null);
        List<RulesEditor.Row> rules = RulesEditor.submitted(form);
        if (RulesEditor.ADD_ROW.equals(form.get("_action"))) {
            render(ctx, values, RulesEditor.again(rules, 2), FieldErrors.none(), 200);
            return;
        }
        ObjectNode body = ApiClient.object();
        form.text(body, "slug", "slug");
        form.text(body, "currency", "currency");
        settings(form, body, rules);
        try {
            Program created = programs.create(Pages.caller(ctx), body);
            pages.redirect(ctx, "/programs/" + created.id(), "Program " + created.name() + " created.");
        } catch (ApiProblem e) {
            rejected(ctx, e, values, rules);
        }
    }

    private void update(Context ctx) {
        Program current = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        Form form = Form.of(ctx);
        ProgramForm values = ProgramForm.from(form, current);
        List<RulesEditor.Row> rules = RulesEditor.submitted(form);
        if (RulesEditor.ADD_ROW.equals(form.get("_action"))) {
            render(ctx, values, RulesEditor.again(rules, 2), FieldErrors.none(), 200);
            return;
        }
        ObjectNode body = ApiClient.object();
        settings(form, body, rules);
        form.text(body, "status", "status");
        // Sent only when changed: the api refuses any currency change once there are events (409).
        if (!current.currencyLocked() && !form.get("currency").equals(current.currency())) {
            form.text(body, "currency", "currency");
        }
        try {
            Program updated = programs.update(Pages.caller(ctx), current.id(), body);
            pages.redirect(ctx, "/programs/" + updated.id(), "Program " + updated.name() + " saved.");
        } catch (ApiProblem e) {
            rejected(ctx, e, values, rules);
        }
    }

    private static void settings(Form form, ObjectNode body, List<RulesEditor.Row> rules) {
        form.text(body, "name", "name");
        form.text(body, "destinationUrl", "destinationUrl");
        form.text(body, "attributionModel", "attributionModel");
        form.integer(body, "lookbackDays", "lookbackDays");
        form.integer(body, "holdbackDays", "holdbackDays");
        form.integer(body, "cookieDays", "cookieDays");
        form.text(body, "payoutMinimum", "payoutMinimum");
        body.set(RulesEditor.FIELD, RulesEditor.toJson(rules));
    }

    private void rejected(Context ctx, ApiProblem e, ProgramForm values, List<RulesEditor.Row> rules) {
        if (e.status() != 400 && e.status() != 409) {
            throw e;
        }
        render(ctx, values, RulesEditor.again(rules, 1), FieldErrors.from(e, FIELDS), e.status());
    }

    private void render(Context ctx, ProgramForm form, RulesEditor.Rules rules, FieldErrors errors, int status) {
        String title = form.creating() ? "New program" : "Program " + form.name();
        pages.render(
                ctx,
                status,
                "admin/program/form.jte",
                new ProgramFormPage(pages.layout(ctx, title, SECTION), form, rules, errors, shareBase));
    }
}
