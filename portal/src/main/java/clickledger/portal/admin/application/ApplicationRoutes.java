package clickledger.portal.admin.application;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Application;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Program;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Public applications: the queue admins approve or reject (approval mails the applicant their
 * invitation link, rejection a note with the reason when one is given), and each program's
 * setting that opens its public page at {@code /apply/{slug}} with the terms applicants accept.
 */
public final class ApplicationRoutes {
    static final String SECTION = "applications";
    /** The status filter's value for every status; without a choice the queue shows the pending ones. */
    static final String ANY = "all";

    public static final List<Option> STATUSES =
            Option.of("pending", "Pending", "approved", "Approved", "rejected", "Rejected", ANY, "Any");

    public record Row(Application application, String programName) {}

    public record ListPageView(
            Layout layout, List<Row> rows, List<Option> programs, String programId, String status, Paging paging) {}

    public record DetailPage(
            Layout layout, Application application, Program program, String reason, FieldErrors errors) {}

    public record FormPage(Layout layout, Program program, Application.Form form, FieldErrors errors) {}

    private final Pages pages;
    private final Api api;

    public ApplicationRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/applications", this::list);
        routes.get("/applications/{id}", ctx -> detail(ctx, "", FieldErrors.none(), 200));
        routes.post("/applications/{id}/approve", this::approve);
        routes.post("/applications/{id}/reject", this::reject);
        routes.get("/programs/{id}/application-form", this::showForm);
        routes.post("/programs/{id}/application-form", this::saveForm);
    }

    private void list(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String programId = Params.text(ctx, "programId");
        String chosen = Params.text(ctx, "status");
        String status = chosen == null ? "pending" : chosen;
        String cursor = ctx.queryParam("cursor");
        var loaded = Parallel.both(
                () -> api.applications().list(caller, programId, ANY.equals(status) ? null : status, cursor),
                () -> api.programs().all(caller));
        ListPage<Application> page = loaded.first();
        Map<String, String> names = new LinkedHashMap<>();
        loaded.second().forEach(program -> names.put(program.id(), program.name()));
        List<Row> rows = page.items().stream()
                .map(application ->
                        new Row(application, names.getOrDefault(application.programId(), application.programId())))
                .toList();
        List<Option> programs = new ArrayList<>();
        programs.add(new Option("", "All programs"));
        loaded.second().forEach(program -> programs.add(new Option(program.id(), program.name())));
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("programId", programId);
        filters.put("status", status);
        pages.render(
                ctx,
                "admin/application/list.jte",
                new ListPageView(
                        pages.layout(ctx, "Applications", SECTION),
                        rows,
                        programs,
                        programId,
                        status,
                        Paging.of("/applications", filters, cursor == null, page.nextCursor())));
    }

    private void detail(Context ctx, String reason, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        Application application = api.applications().get(caller, ctx.pathParam("id"));
        Program program = api.programs().get(caller, application.programId());
        pages.render(
                ctx,
                status,
                "admin/application/show.jte",
                new DetailPage(
                        pages.layout(ctx, "Application of " + application.name(), SECTION),
                        application,
                        program,
                        reason,
                        errors));
    }

    private void approve(Context ctx) {
        String id = ctx.pathParam("id");
        Application.Approval approval;
        try {
            approval = api.applications().approve(Pages.caller(ctx), id);
        } catch (ApiProblem e) {
            alreadyDecidedOrThrow(ctx, e, id);
            return;
        }
        String name = approval.application().name();
        pages.redirect(
                ctx,
                back(ctx, id),
                approval.invitation() != null
                        ? "Approved " + name + ": they got a mail with the link to set their password."
                        : "Approved " + name + ", who already has a partner account: they got a mail saying so.");
    }

    private void reject(Context ctx) {
        String id = ctx.pathParam("id");
        String reason = Form.of(ctx).get("reason");
        Application rejected;
        try {
            rejected = api.applications().reject(Pages.caller(ctx), id, reason);
        } catch (ApiProblem e) {
            if (e.status() == 400) {
                detail(ctx, reason, FieldErrors.from(e, Set.of("reason")), 400);
                return;
            }
            alreadyDecidedOrThrow(ctx, e, id);
            return;
        }
        pages.redirect(ctx, back(ctx, id), "Rejected " + rejected.name() + ": they got a mail saying so.");
    }

    /** Back to the queue when the decision was taken there, else to the application. */
    private static String back(Context ctx, String id) {
        String back = Form.of(ctx).get("back");
        return back.equals("/applications") || back.startsWith("/applications?") ? back : "/applications/" + id;
    }

    private void alreadyDecidedOrThrow(Context ctx, ApiProblem e, String id) {
        if (e.status() != 409) {
            throw e;
        }
        pages.redirect(ctx, "/applications/" + id, "This application was decided already, perhaps by another admin.");
    }

    private void showForm(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String programId = ctx.pathParam("id");
        var loaded = Parallel.both(() -> api.programs().get(caller, programId), () -> api.applications()
                .form(caller, programId));
        renderForm(ctx, loaded.first(), loaded.second(), FieldErrors.none(), 200);
    }

    private void saveForm(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String programId = ctx.pathParam("id");
        Form form = Form.of(ctx);
        boolean enabled = form.checked("enabled");
        String terms = form.get("terms");
        try {
            Application.Form saved = api.applications().saveForm(caller, programId, enabled, terms);
            pages.redirect(
                    ctx,
                    "/programs/" + programId + "/application-form",
                    saved.enabled()
                            ? "Saved. The application page is open at " + saved.url() + "."
                            : "Saved. The application page is closed.");
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            var loaded = Parallel.both(() -> api.programs().get(caller, programId), () -> api.applications()
                    .form(caller, programId));
            Application.Form typed = new Application.Form(
                    programId,
                    enabled,
                    terms,
                    loaded.second().url(),
                    loaded.second().updatedAt());
            renderForm(ctx, loaded.first(), typed, FieldErrors.from(e, Set.of("enabled", "terms")), 400);
        }
    }

    private void renderForm(Context ctx, Program program, Application.Form form, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "admin/application/form.jte",
                new FormPage(
                        pages.layout(ctx, "Application page of " + program.name(), "programs"), program, form, errors));
    }
}
