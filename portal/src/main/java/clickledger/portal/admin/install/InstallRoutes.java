package clickledger.portal.admin.install;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.InstallClient;
import clickledger.portal.api.Session;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.util.Set;

/**
 * The first-run wizard: the first admin and the first program in one form, then that admin is
 * signed in. Once an admin exists the api answers 409 and this page sends people to sign in; two
 * browsers racing through it get one admin (the api decides, in the database).
 */
public final class InstallRoutes {
    static final Set<String> FIELDS = Set.of(
            "admin.name",
            "admin.email",
            "admin.password",
            "program.name",
            "program.slug",
            "program.currency",
            "program.destinationUrl",
            "program.attributionModel",
            "program.commissionRules[");

    /** What the wizard shows again after an error; the password is never sent back. */
    public record InstallForm(
            String adminName,
            String adminEmail,
            String programName,
            String programSlug,
            String currency,
            String destinationUrl,
            String attributionModel,
            String commissionKind,
            String commissionAmount,
            String commissionEventType) {

        static InstallForm blank() {
            return new InstallForm("", "", "", "", "USD", "", "last_click", "percent", "10", "");
        }

        static InstallForm from(Form form) {
            return new InstallForm(
                    form.get("admin.name"),
                    form.get("admin.email"),
                    form.get("program.name"),
                    form.get("program.slug"),
                    form.get("program.currency"),
                    form.get("program.destinationUrl"),
                    form.get("program.attributionModel"),
                    form.get("program.commissionRules[0].kind"),
                    form.get("program.commissionRules[0].amount"),
                    form.get("program.commissionRules[0].eventType"));
        }

        ObjectNode body(String password) {
            ObjectNode body = ApiClient.object();
            ObjectNode admin = body.putObject("admin");
            admin.put("name", adminName).put("email", adminEmail).put("password", password == null ? "" : password);
            ObjectNode program = body.putObject("program");
            program.put("name", programName)
                    .put("slug", programSlug)
                    .put("currency", currency)
                    .put("destinationUrl", destinationUrl)
                    .put("attributionModel", attributionModel);
            if (!commissionAmount.isEmpty()) {
                ObjectNode rule = program.putArray("commissionRules").addObject();
                if (!commissionEventType.isEmpty()) {
                    rule.put("eventType", commissionEventType);
                }
                rule.put("trigger", "every").put("kind", commissionKind).put("amount", commissionAmount);
            }
            return body;
        }
    }

    public record InstallPage(Layout layout, InstallForm form, FieldErrors errors) {}

    private final Pages pages;
    private final InstallClient install;
    private final Clock clock;

    public InstallRoutes(Pages pages, InstallClient install, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.install = requireNonNull(install, "install is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/install", this::show);
        routes.post("/install", this::submit);
    }

    private void show(Context ctx) {
        if (!install.needed(Pages.caller(ctx))) {
            pages.redirect(ctx, "/sign-in", "clickledger is installed. Sign in to continue.");
            return;
        }
        render(ctx, InstallForm.blank(), FieldErrors.none(), 200);
    }

    private void submit(Context ctx) {
        Form form = Form.of(ctx);
        InstallForm values = InstallForm.from(form);
        Session session;
        try {
            session = install.install(Pages.caller(ctx), values.body(form.raw("admin.password")));
        } catch (ApiProblem e) {
            if (e.status() == 409) {
                pages.redirect(ctx, "/sign-in", "clickledger is already installed. Sign in to continue.");
                return;
            }
            if (e.status() == 400) {
                render(ctx, values, FieldErrors.from(e, FIELDS), 400);
                return;
            }
            throw e;
        }
        pages.cookies().setSession(ctx, session.token(), session.expiresAt(), clock.instant());
        ctx.redirect("/", HttpStatus.SEE_OTHER);
        pages.cookies()
                .flash(
                        ctx,
                        "Welcome, " + values.adminName()
                                + ". clickledger is ready: add partners and their links next.");
    }

    private void render(Context ctx, InstallForm form, FieldErrors errors, int status) {
        Layout layout = pages.layout(ctx, "Install clickledger", "install");
        pages.render(ctx, status, "admin/install/install.jte", new InstallPage(layout, form, errors));
    }
}
