package clickledger.portal.admin.program;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Program;
import clickledger.portal.api.ProgramsClient;
import clickledger.portal.api.StripeClient;
import clickledger.portal.api.StripeEvent;
import clickledger.portal.api.StripeIntegration;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.LinkInput;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Programs: list, create, edit (settings and commission rules), where their links point, and
 * their Stripe connection (the webhook URL to paste into Stripe, connect and disconnect, send
 * test, the last events received with their outcome).
 */
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
            "allowCustomSlugs",
            "payoutMinimum",
            "allowedHosts",
            "allowedHosts[",
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
            boolean currencyLocked,
            boolean allowCustomSlugs,
            String payoutMinimum,
            String allowedHosts) {

        static ProgramForm blank() {
            return new ProgramForm(
                    null, "", "", "", "USD", "last_click", "60", "30", "90", "active", false, true, "0", "");
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
                    program.currencyLocked(),
                    program.customSlugs(),
                    program.payoutMinimum() == null ? "0" : program.payoutMinimum(),
                    String.join(" ", program.allowedHosts()));
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
                    current != null && current.currencyLocked(),
                    form.checked("allowCustomSlugs"),
                    form.get("payoutMinimum"),
                    form.get("allowedHosts"));
        }

        public boolean creating() {
            return id == null;
        }
    }

    public record ProgramsPage(Layout layout, List<Program> programs, Paging paging) {}

    /**
     * The Stripe section of a program's page; absent (null) while the program is being created.
     *
     * @param errors the connect form's errors, next to its fields
     */
    public record StripeSection(StripeIntegration integration, List<StripeEvent> events, FieldErrors errors) {}

    /**
     * @param stripe the Stripe section; absent (null) while the program is being created
     * @param logo the program's logo as the portal serves it, or null
     * @param logoError why the last upload was refused, or null
     */
    public record ProgramFormPage(
            Layout layout,
            ProgramForm form,
            RulesEditor.Rules rules,
            FieldErrors errors,
            String shareBase,
            StripeSection stripe,
            String logo,
            String logoError) {}

    /** The largest logo file the form takes; the api's own limit. */
    public static final int MAX_LOGO_BYTES = 512 * 1024;

    static final Set<String> STRIPE_FIELDS = Set.of("webhookSecret", "eventType");
    // The section shows the latest few; the api pages through all of them.
    static final int STRIPE_EVENTS_SHOWN = 10;

    private final Pages pages;
    private final ProgramsClient programs;
    private final StripeClient stripe;
    private final String shareBase;

    /** @param publicRouterUrl where partner links live; a link is {@code publicRouterUrl/r/slug} */
    public ProgramRoutes(Pages pages, ProgramsClient programs, StripeClient stripe, String publicRouterUrl) {
        this.pages = requireNonNull(pages, "pages is null");
        this.programs = requireNonNull(programs, "programs is null");
        this.stripe = requireNonNull(stripe, "stripe is null");
        this.shareBase = requireNonNull(publicRouterUrl, "publicRouterUrl is null") + "/r/";
    }

    public void register(RoutesConfig routes) {
        routes.get("/programs", this::list);
        routes.get("/programs/new", this::newForm);
        routes.post("/programs", this::create);
        routes.get("/programs/{id}", this::edit);
        routes.post("/programs/{id}", this::update);
        routes.post("/programs/{id}/stripe", this::connectStripe);
        routes.post("/programs/{id}/stripe/disconnect", this::disconnectStripe);
        routes.post("/programs/{id}/stripe/test", this::testStripe);
        routes.post("/programs/{id}/logo", this::uploadLogo);
        routes.post("/programs/{id}/logo/remove", this::removeLogo);
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
        render(ctx, ProgramForm.blank(), RulesEditor.fromApi(null), FieldErrors.none(), null, 200, null);
    }

    private void edit(Context ctx) {
        Program program = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        render(ctx, program, null, 200);
    }

    private void connectStripe(Context ctx) {
        Program program = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        Form form = Form.of(ctx);
        try {
            stripe.connect(Pages.caller(ctx), program.id(), form.get("webhookSecret"), form.get("eventType"));
            pages.redirect(ctx, "/programs/" + program.id() + "#stripe", "Stripe connected.");
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            render(
                    ctx,
                    ProgramForm.of(program),
                    RulesEditor.fromApi(program.commissionRules()),
                    FieldErrors.none(),
                    stripeSection(ctx, program.id(), FieldErrors.from(e, STRIPE_FIELDS)),
                    400,
                    program.portalLogoUrl());
        }
    }

    private void disconnectStripe(Context ctx) {
        Program program = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        try {
            stripe.disconnect(Pages.caller(ctx), program.id());
        } catch (ApiProblem e) {
            // Sent twice, or disconnected in another tab meanwhile: the page says how things are.
            notConnected(ctx, program, e);
            return;
        }
        pages.redirect(ctx, "/programs/" + program.id() + "#stripe", "Stripe disconnected.");
    }

    private void testStripe(Context ctx) {
        Program program = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        JsonNode result;
        try {
            result = stripe.sendTest(Pages.caller(ctx), program.id());
        } catch (ApiProblem e) {
            notConnected(ctx, program, e);
            return;
        }
        int status = result.path("status").asInt();
        String notice = status == 200
                ? "Test event " + result.path("stripeEventId").asText() + " sent: the webhook answered HTTP 200, "
                        + result.path("outcome").asText() + "."
                : "Test event failed: " + (status == 0 ? "" : "HTTP " + status + ", ")
                        + result.path("detail").asText() + ".";
        pages.redirect(ctx, "/programs/" + program.id() + "#stripe", notice);
    }

    private void notConnected(Context ctx, Program program, ApiProblem e) {
        if (!StripeClient.NOT_CONNECTED.equals(e.code())) {
            throw e;
        }
        pages.redirect(ctx, "/programs/" + program.id() + "#stripe", "Stripe is not connected.");
    }

    private StripeSection stripeSection(Context ctx, String programId, FieldErrors errors) {
        Caller caller = Pages.caller(ctx);
        return new StripeSection(
                stripe.get(caller, programId),
                stripe.events(caller, programId, STRIPE_EVENTS_SHOWN).items(),
                errors);
    }

    /** The logo form: a multipart upload of one image, passed to the api, which judges it. */
    private void uploadLogo(Context ctx) {
        Program current = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        UploadedFile file = ctx.uploadedFile("logo");
        if (file == null || file.size() == 0) {
            render(ctx, current, "Choose an image file (PNG, JPEG or GIF).", 400);
            return;
        }
        if (file.size() > MAX_LOGO_BYTES) {
            render(
                    ctx,
                    current,
                    "The file is " + file.size() + " bytes; a logo may be at most " + MAX_LOGO_BYTES + " bytes.",
                    413);
            return;
        }
        byte[] bytes;
        try (InputStream in = file.content()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            programs.uploadLogo(Pages.caller(ctx), current.id(), bytes, file.contentType());
            pages.redirect(ctx, "/programs/" + current.id(), "Logo of " + current.name() + " saved.");
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 413) {
                throw e;
            }
            String message = e.byField().getOrDefault("logo", e.detail());
            render(ctx, current, message, e.status());
        }
    }

    private void removeLogo(Context ctx) {
        Program current = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        try {
            programs.removeLogo(Pages.caller(ctx), current.id());
        } catch (ApiProblem e) {
            if (e.status() != 404) {
                throw e;
            }
        }
        pages.redirect(ctx, "/programs/" + current.id(), "Logo of " + current.name() + " removed.");
    }

    private void create(Context ctx) {
        Form form = Form.of(ctx);
        ProgramForm values = ProgramForm.from(form, null);
        List<RulesEditor.Row> rules = RulesEditor.submitted(form);
        if (RulesEditor.ADD_ROW.equals(form.get("_action"))) {
            render(ctx, values, RulesEditor.again(rules, 2), FieldErrors.none(), null, 200, null);
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
            rejected(ctx, e, values, rules, null);
        }
    }

    private void update(Context ctx) {
        Program current = programs.get(Pages.caller(ctx), ctx.pathParam("id"));
        Form form = Form.of(ctx);
        ProgramForm values = ProgramForm.from(form, current);
        List<RulesEditor.Row> rules = RulesEditor.submitted(form);
        if (RulesEditor.ADD_ROW.equals(form.get("_action"))) {
            render(
                    ctx,
                    values,
                    RulesEditor.again(rules, 2),
                    FieldErrors.none(),
                    stripeSection(ctx, current.id(), FieldErrors.none()),
                    200,
                    current.portalLogoUrl());
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
            rejected(ctx, e, values, rules, current.portalLogoUrl());
        }
    }

    private static void settings(Form form, ObjectNode body, List<RulesEditor.Row> rules) {
        form.text(body, "name", "name");
        form.text(body, "destinationUrl", "destinationUrl");
        form.text(body, "attributionModel", "attributionModel");
        form.integer(body, "lookbackDays", "lookbackDays");
        form.integer(body, "holdbackDays", "holdbackDays");
        form.integer(body, "cookieDays", "cookieDays");
        body.put("allowCustomSlugs", form.checked("allowCustomSlugs"));
        form.text(body, "payoutMinimum", "payoutMinimum");
        LinkInput.hosts(form.get("allowedHosts")).forEach(body.putArray("allowedHosts")::add);
        body.set(RulesEditor.FIELD, RulesEditor.toJson(rules));
    }

    private void rejected(Context ctx, ApiProblem e, ProgramForm values, List<RulesEditor.Row> rules, String logo) {
        if (e.status() != 400 && e.status() != 409) {
            throw e;
        }
        StripeSection section = values.creating() ? null : stripeSection(ctx, values.id(), FieldErrors.none());
        FieldErrors errors = LinkInput.fold(FieldErrors.from(e, FIELDS), "allowedHosts");
        render(ctx, values, RulesEditor.again(rules, 1), errors, section, e.status(), logo);
    }

    /** A program's page as it is stored, with why the last logo upload was refused (or null). */
    private void render(Context ctx, Program program, String logoError, int status) {
        show(
                ctx,
                status,
                ProgramForm.of(program),
                RulesEditor.fromApi(program.commissionRules()),
                FieldErrors.none(),
                stripeSection(ctx, program.id(), FieldErrors.none()),
                program.portalLogoUrl(),
                logoError);
    }

    /** @param logo the program's logo as the portal serves it, or null */
    private void render(
            Context ctx,
            ProgramForm form,
            RulesEditor.Rules rules,
            FieldErrors errors,
            StripeSection stripe,
            int status,
            String logo) {
        show(ctx, status, form, rules, errors, stripe, logo, null);
    }

    private void show(
            Context ctx,
            int status,
            ProgramForm form,
            RulesEditor.Rules rules,
            FieldErrors errors,
            StripeSection stripe,
            String logo,
            String logoError) {
        String title = form.creating() ? "New program" : "Program " + form.name();
        pages.render(
                ctx,
                status,
                "admin/program/form.jte",
                new ProgramFormPage(
                        pages.layout(ctx, title, SECTION).withProgramLogo(logo),
                        form,
                        rules,
                        errors,
                        shareBase,
                        stripe,
                        logo,
                        logoError));
    }
}
