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
import clickledger.portal.web.LinkInput;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import clickledger.portal.web.QrImages;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Links: list by program, partner, status and tag (archived ones on request); create with a
 * chosen or random slug, tags and an optional expiry; edit tags and expiry; pause and resume;
 * archive and unarchive; delete while a link has no clicks; copy the share URL; and the link's QR
 * code, drawn by the api and passed through.
 */
public final class LinkRoutes {
    static final String SECTION = "links";
    static final Set<String> FIELDS = Set.of(
            "programId", "partnerId", "slug", "destinationUrl", "domainId", "tags", "tags[", "expiresAt", "expiredUrl");
    static final Set<String> EDIT_FIELDS = Set.of("tags", "tags[", "expiresAt", "expiredUrl");
    /** Partners offered in the new-link form; beyond this many, start from the partner's page. */
    static final int PARTNER_CHOICES = 100;

    public record LinkRow(Link link, String partnerName, String programName) {}

    public record LinksPage(
            Layout layout,
            List<LinkRow> links,
            List<Option> programs,
            String programId,
            String status,
            String tag,
            boolean archived,
            Partner partner,
            Paging paging,
            String partnerHref,
            Instant now) {}

    public record NewLinkPage(
            Layout layout,
            List<Option> programs,
            List<Option> partners,
            String programId,
            String partnerId,
            String slug,
            String destinationUrl,
            String tags,
            String expiresAt,
            String expiredUrl,
            FieldErrors errors,
            List<Option> domains,
            String domainId) {}

    /** What the edit form shows: the link's values, or what was typed when the api refused them. */
    public record LinkEdit(String tags, String expiresAt, String expiredUrl) {
        static LinkEdit of(Link link) {
            return new LinkEdit(
                    LinkInput.tagsText(link.tags()),
                    link.expiresAt() == null
                            ? ""
                            : LOCAL_MINUTE.format(link.expiresAt().atOffset(ZoneOffset.UTC)),
                    link.expiredUrl() == null ? "" : link.expiredUrl());
        }
    }

    public record LinkPage(
            Layout layout,
            Link link,
            Partner partner,
            Program program,
            LinkEdit edit,
            FieldErrors errors,
            Instant now) {}

    // A datetime-local input's value: minutes, no zone (read as UTC).
    private static final DateTimeFormatter LOCAL_MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");

    private final Pages pages;
    private final Api api;
    private final Clock clock;

    /** @param clock what "expired" is judged against in the list */
    public LinkRoutes(Pages pages, Api api, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/links", this::list);
        routes.get("/links/new", this::newForm);
        routes.post("/links", this::create);
        routes.get("/links/{id}", this::show);
        routes.post("/links/{id}/pause", ctx -> change(ctx, true));
        routes.post("/links/{id}/resume", ctx -> change(ctx, false));
        routes.post("/links/{id}/edit", this::edit);
        routes.post("/links/{id}/archive", ctx -> archive(ctx, true));
        routes.post("/links/{id}/unarchive", ctx -> archive(ctx, false));
        routes.post("/links/{id}/delete", this::delete);
        routes.get("/links/{id}/qr/{format}", ctx -> QrImages.serve(ctx, api.links()::qr));
    }

    private void list(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String programId = Params.text(ctx, "programId");
        String partnerId = Params.text(ctx, "partnerId");
        String status = Params.text(ctx, "status");
        String tag = Params.text(ctx, "tag");
        boolean archived = "true".equals(Params.text(ctx, "archived"));
        String cursor = ctx.queryParam("cursor");
        var loaded = Parallel.both(
                () -> api.links().list(caller, programId, partnerId, status, tag, archived, cursor),
                () -> api.programs().all(caller));
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
        filters.put("tag", tag);
        filters.put("archived", archived ? "true" : null);
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
                        tag,
                        archived,
                        partnerFilter,
                        Paging.of("/links", filters, cursor == null, page.nextCursor()),
                        partnerId == null ? null : "/partners/" + partnerId,
                        clock.instant()));
    }

    private void newForm(Context ctx) {
        String partnerId = Params.text(ctx, "partnerId");
        String programId = Params.text(ctx, "programId");
        renderNew(ctx, programId, partnerId, new NewLinkInput("", "", "", "", "", ""), FieldErrors.none(), 200);
    }

    private void create(Context ctx) {
        Form form = Form.of(ctx);
        ObjectNode body = ApiClient.object();
        form.text(body, "programId", "programId");
        form.text(body, "partnerId", "partnerId");
        form.text(body, "slug", "slug");
        form.text(body, "destinationUrl", "destinationUrl");
        form.text(body, "domainId", "domainId");
        List<String> tags = LinkInput.tags(form.get("tags"));
        if (!tags.isEmpty()) {
            tags.forEach(body.putArray("tags")::add);
        }
        if (!form.get("expiresAt").isEmpty()) {
            body.put("expiresAt", LinkInput.expiresAt(form.get("expiresAt")));
        }
        form.text(body, "expiredUrl", "expiredUrl");
        try {
            Link link = api.links().create(Pages.caller(ctx), body);
            pages.redirect(ctx, "/links/" + link.id(), "Link " + link.slug() + " created.");
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409 && e.status() != 404) {
                throw e;
            }
            FieldErrors errors = e.code().equals("slug_taken")
                    ? FieldErrors.of("slug", "This slug is taken; choose another or leave it empty for a random one.")
                    : LinkInput.foldTags(FieldErrors.from(e, FIELDS));
            renderNew(
                    ctx,
                    form.get("programId"),
                    form.get("partnerId"),
                    new NewLinkInput(
                            form.get("slug"),
                            form.get("destinationUrl"),
                            form.get("domainId"),
                            form.get("tags"),
                            form.get("expiresAt"),
                            form.get("expiredUrl")),
                    errors,
                    e.status() == 404 ? 400 : e.status());
        }
    }

    /** What was typed into the new-link form's free fields. */
    record NewLinkInput(
            String slug, String destinationUrl, String domainId, String tags, String expiresAt, String expiredUrl) {}

    private void renderNew(
            Context ctx, String programId, String partnerId, NewLinkInput typed, FieldErrors errors, int status) {
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
                        typed.slug(),
                        typed.destinationUrl(),
                        typed.tags(),
                        typed.expiresAt(),
                        typed.expiredUrl(),
                        errors,
                        domains,
                        typed.domainId()));
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
        renderShow(ctx, link, LinkEdit.of(link), FieldErrors.none(), 200);
    }

    private void renderShow(Context ctx, Link link, LinkEdit edit, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        var loaded = Parallel.both(() -> api.partners().get(caller, link.partnerId()), () -> api.programs()
                .get(caller, link.programId()));
        pages.render(
                ctx,
                status,
                "admin/link/show.jte",
                new LinkPage(
                        pages.layout(ctx, "Link " + link.slug(), SECTION),
                        link,
                        loaded.first(),
                        loaded.second(),
                        edit,
                        errors,
                        clock.instant()));
    }

    /** Tags, expiry and expired URL from the link's page; empty fields clear them. */
    private void edit(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String id = ctx.pathParam("id");
        Form form = Form.of(ctx);
        ObjectNode body = ApiClient.object();
        LinkInput.tags(form.get("tags")).forEach(body.putArray("tags")::add);
        if (form.get("expiresAt").isEmpty()) {
            body.putNull("expiresAt");
        } else {
            body.put("expiresAt", LinkInput.expiresAt(form.get("expiresAt")));
        }
        if (form.get("expiredUrl").isEmpty()) {
            body.putNull("expiredUrl");
        } else {
            body.put("expiredUrl", form.get("expiredUrl"));
        }
        try {
            Link link = api.links().update(caller, id, body);
            pages.redirect(ctx, "/links/" + link.id(), "Link " + link.slug() + " saved.");
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            LinkEdit typed = new LinkEdit(form.get("tags"), form.get("expiresAt"), form.get("expiredUrl"));
            renderShow(
                    ctx, api.links().get(caller, id), typed, LinkInput.foldTags(FieldErrors.from(e, EDIT_FIELDS)), 400);
        }
    }

    private void archive(Context ctx, boolean archived) {
        Link link = api.links().archive(Pages.caller(ctx), ctx.pathParam("id"), archived);
        pages.redirect(
                ctx,
                back(ctx, "/links/" + link.id()),
                "Link " + link.slug()
                        + (archived
                                ? " archived: hidden from lists, and it still redirects."
                                : " restored to the lists."));
    }

    /** Deleting a link with clicks is the api's 409: said on the page the admin came from. */
    private void delete(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String id = ctx.pathParam("id");
        String back = back(ctx, "/links/" + id);
        try {
            api.links().delete(caller, id);
        } catch (ApiProblem e) {
            if (e.status() != 409) {
                throw e;
            }
            pages.redirect(ctx, back, "This link has clicks, so it cannot be deleted; archive it instead.");
            return;
        }
        pages.redirect(ctx, back.startsWith("/links/") ? "/links" : back, "Link deleted.");
    }

    // Where a button's form asked to go back to, when it is one of the link pages.
    private static String back(Context ctx, String fallback) {
        String back = Form.of(ctx).get("back");
        return back.startsWith("/links") ? back : fallback;
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
