package clickledger.portal.admin.domain;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Program;
import clickledger.portal.api.ShortDomain;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/**
 * A program's custom short domains (docs/decisions/0024): list, add (hostname, dedicated, primary,
 * cookie domain), make primary, remove. The api validates; this page shows its field errors.
 */
public final class DomainRoutes {
    static final String SECTION = "programs";
    static final Set<String> FIELDS = Set.of("hostname", "dedicated", "primary", "cookieDomain");

    /** What the add form held, to show again beside its errors. */
    public record DomainForm(String hostname, boolean dedicated, boolean primary, String cookieDomain) {
        static final DomainForm EMPTY = new DomainForm("", false, false, "");
    }

    public record DomainsPage(
            Layout layout, Program program, List<ShortDomain> domains, DomainForm form, FieldErrors errors) {}

    private final Pages pages;
    private final Api api;

    public DomainRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/programs/{id}/domains", ctx -> render(ctx, DomainForm.EMPTY, FieldErrors.none(), 200));
        routes.post("/programs/{id}/domains", this::create);
        routes.post("/programs/{id}/domains/{domainId}/primary", this::makePrimary);
        routes.post("/programs/{id}/domains/{domainId}/remove", this::remove);
    }

    private void create(Context ctx) {
        Form form = Form.of(ctx);
        DomainForm entered = new DomainForm(
                form.get("hostname"), form.checked("dedicated"), form.checked("primary"), form.get("cookieDomain"));
        ObjectNode body = ApiClient.object();
        body.put("programId", ctx.pathParam("id"));
        form.text(body, "hostname", "hostname");
        form.text(body, "cookieDomain", "cookieDomain");
        body.put("dedicated", entered.dedicated());
        body.put("primary", entered.primary());
        try {
            ShortDomain domain = api.domains().create(Pages.caller(ctx), body);
            pages.redirect(ctx, domainsPath(ctx), "Domain " + domain.hostname() + " added.");
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            FieldErrors errors = e.code().equals("hostname_taken")
                    ? FieldErrors.of("hostname", "This domain is already set up, here or in another program.")
                    : FieldErrors.from(e, FIELDS);
            render(ctx, entered, errors, e.status());
        }
    }

    private void makePrimary(Context ctx) {
        ObjectNode body = ApiClient.object();
        body.put("primary", true);
        ShortDomain domain = api.domains().update(Pages.caller(ctx), ctx.pathParam("domainId"), body);
        pages.redirect(ctx, domainsPath(ctx), domain.hostname() + " is now the program's primary domain.");
    }

    private void remove(Context ctx) {
        try {
            api.domains().delete(Pages.caller(ctx), ctx.pathParam("domainId"));
            pages.redirect(ctx, domainsPath(ctx), "Domain removed.");
        } catch (ApiProblem e) {
            if (e.status() != 409) {
                throw e;
            }
            render(
                    ctx,
                    DomainForm.EMPTY,
                    FieldErrors.general("This domain has links, so it stays: removing it would break them."),
                    409);
        }
    }

    private void render(Context ctx, DomainForm form, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        Program program = api.programs().get(caller, ctx.pathParam("id"));
        List<ShortDomain> domains = api.domains().list(caller, program.id()).items();
        pages.render(
                ctx,
                status,
                "admin/domain/list.jte",
                new DomainsPage(
                        pages.layout(ctx, "Domains of " + program.name(), SECTION), program, domains, form, errors));
    }

    private static String domainsPath(Context ctx) {
        return "/programs/" + ctx.pathParam("id") + "/domains";
    }
}
