package clickledger.portal.admin.link;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Link;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Partner;
import clickledger.portal.api.Program;
import clickledger.portal.api.ShortDomain;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import clickledger.portal.web.QrImages;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Links: list by program, partner and status; create with a chosen or random slug; pause and
 * resume; copy the share URL; and the link's QR code, drawn by the api and passed through.
 */
public final class LinkRoutes {
    static final String SECTION = "links";
    static final Set<String> FIELDS = Set.of("programId", "partnerId", "slug", "destinationUrl", "domainId");
    /** Partners offered in the new-link form; beyond this many, start from the partner's page. */
    static final int PARTNER_CHOICES = 100;

    public record LinkRow(Link link, String partnerName, String programName) {}

    public record LinksPage(
            Layout layout,
            List<LinkRow> links,
            List<Option> programs,
            String programId,
            String status,
            Partner partner,
            Paging paging,
            String partnerHref) {}

    public record NewLinkPage(
            Layout layout,
            List<Option> programs,
            List<Option> partners,
            String programId,
            String partnerId,
            String slug,
            String destinationUrl,
            FieldErrors errors,
            List<Option> domains,
            String domainId) {}

    public record LinkPage(Layout layout, Link link, Partner partner, Program program) {}

    private final Pages pages;
    private final Api api;

    public LinkRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/links", this::list);
        routes.get("/links/new", this::newForm);
        routes.post("/links", this::create);
        routes.get("/links/{id}", this::show);
        routes.post("/links/{id}/pause", ctx -> change(ctx, true));
        routes.post("/links/{id}/resume", ctx -> change(ctx, false));
        routes.get("/links/{id}/qr/{format}", ctx -> QrImages.serve(ctx, api.links()::qr));
    }

    private void list(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String programId = Params.text(ctx, "programId");
        String partnerId = Params.text(ctx, "partnerId");
        String status = Params.text(ctx, "status");
        String cursor = ctx.queryParam("cursor");
        var loaded =
                Parallel.both(() -> api.links().list(caller, programId, partnerId, status, cursor), () -> api.programs()
                        .all(caller));
        ListPage<Link> page = loaded.first();
        Map<String, Partner> partners = api.partners()
                .byIds(caller, page.items().stream().map(Link::partnerId).toList());
        Map<String, String> programNames = new LinkedHashMap<>();
        loaded.second().forEach(program -> programNames.put(program.id(), program.name()));
        List<LinkRow> rows = new ArrayList<>();
        for (Link link : page.items()) {
            Partner partner = partners.get(link.partnerId());
            rows.add(new LinkRow(
                    link,
                    partner == null ? link.partnerId() : partner.name(),
                    programNames.getOrDefault(link.programId(), link.programId())));
        }
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("programId", programId);
        filters.put("partnerId", partnerId);
        filters.put("status", status);
        Partner partnerFilter = partnerId == null ? null : partners.get(partnerId);
        if (partnerId != null && partnerFilter == null) {
            partnerFilter = api.partners().get(caller, partnerId);
        }
        pages.render(
                ctx,
                "admin/link/list.jte",
                new LinksPage(
                        pages.layout(ctx, "Links", SECTION),
                        rows,
                        programOptions(loaded.second(), "All programs"),
                        programId,
                        status,
                        partnerFilter,
                        Paging.of("/links", filters, cursor == null, page.nextCursor()),
                        partnerId == null ? null : "/partners/" + partnerId));
    }

    private void newForm(Context ctx) {
        String partnerId = Params.text(ctx, "partnerId");
        String programId = Params.text(ctx, "programId");
        renderNew(ctx, programId, partnerId, "", "", "", FieldErrors.none(), 200);
    }

    private void create(Context ctx) {
        Form form = Form.of(ctx);
        ObjectNode body = ApiClient.object();
        form.text(body, "programId", "programId");
        form.text(body, "partnerId", "partnerId");
        form.text(body, "slug", "slug");
        form.text(body, "destinationUrl", "destinationUrl");
        form.text(body, "domainId", "domainId");
        try {
            Link link = api.links().create(Pages.caller(ctx), body);
            pages.redirect(ctx, "/links/" + link.id(), "Link " + link.slug() + " created.");
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409 && e.status() != 404) {
                throw e;
            }
            FieldErrors errors = e.code().equals("slug_taken")
                    ? FieldErrors.of("slug", "This slug is taken; choose another or leave it empty for a random one.")
                    : FieldErrors.from(e, FIELDS);
            renderNew(
                    ctx,
                    form.get("programId"),
                    form.get("partnerId"),
                    form.get("slug"),
                    form.get("destinationUrl"),
                    form.get("domainId"),
                    errors,
                    e.status() == 404 ? 400 : e.status());
        }
    }

    private void renderNew(
            Context ctx,
            String programId,
            String partnerId,
            String slug,
            String destinationUrl,
            String domainId,
            FieldErrors errors,
            int status) {
        Caller caller = Pages.caller(ctx);
        var loaded = Parallel.both(() -> api.programs().all(caller), () -> api.partners()
                .list(caller, null, "active", null, PARTNER_CHOICES));
        List<Option> domains = domainOptions(caller, loaded.first());
        List<Option> partners = new ArrayList<>();
        boolean chosenListed = partnerId == null;
        for (Partner partner : loaded.second().items()) {
            partners.add(new Option(partner.id(), partner.name() + " (" + partner.email() + ")"));
            chosenListed |= partner.id().equals(partnerId);
        }
        if (!chosenListed) {
            Partner chosen = api.partners().get(caller, partnerId);
            partners.addFirst(new Option(chosen.id(), chosen.name() + " (" + chosen.email() + ")"));
        }
        pages.render(
                ctx,
                status,
                "admin/link/new.jte",
                new NewLinkPage(
                        pages.layout(ctx, "New link", SECTION),
                        programOptions(loaded.first(), null),
                        partners,
                        programId,
                        partnerId,
                        slug,
                        destinationUrl,
                        errors,
                        domains,
                        domainId));
    }

    // Every program's domains, named with their program: the form's program choice decides which fit.
    private List<Option> domainOptions(Caller caller, List<Program> programs) {
        Map<String, String> programNames = new LinkedHashMap<>();
        programs.forEach(program -> programNames.put(program.id(), program.name()));
        List<Option> options = new ArrayList<>();
        options.add(new Option("", "The program's primary domain, else the router's own address"));
        for (ShortDomain domain : api.domains().list(caller, null).items()) {
            options.add(new Option(
                    domain.id(),
                    domain.hostname() + " (" + programNames.getOrDefault(domain.programId(), domain.programId())
                            + ")"));
        }
        return options;
    }

    private void show(Context ctx) {
        Caller caller = Pages.caller(ctx);
        Link link = api.links().get(caller, ctx.pathParam("id"));
        var loaded = Parallel.both(() -> api.partners().get(caller, link.partnerId()), () -> api.programs()
                .get(caller, link.programId()));
        pages.render(
                ctx,
                "admin/link/show.jte",
                new LinkPage(pages.layout(ctx, "Link " + link.slug(), SECTION), link, loaded.first(), loaded.second()));
    }

    private void change(Context ctx, boolean pause) {
        Caller caller = Pages.caller(ctx);
        String id = ctx.pathParam("id");
        Link link = pause ? api.links().pause(caller, id) : api.links().resume(caller, id);
        String back = Form.of(ctx).get("back");
        pages.redirect(
                ctx,
                back.startsWith("/links") ? back : "/links/" + link.id(),
                "Link " + link.slug() + (pause ? " paused: visitors reach the destination untracked." : " resumed."));
    }

    static List<Option> programOptions(List<Program> programs, String allLabel) {
        List<Option> options = new ArrayList<>();
        if (allLabel != null) {
            options.add(new Option("", allLabel));
        }
        for (Program program : programs) {
            options.add(new Option(program.id(), program.name()));
        }
        return options;
    }
}
