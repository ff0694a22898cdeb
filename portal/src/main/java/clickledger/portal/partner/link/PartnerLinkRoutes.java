package clickledger.portal.partner.link;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Link;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.MeClient;
import clickledger.portal.api.MyAccount;
import clickledger.portal.api.MyStats;
import clickledger.portal.api.Parallel;
import clickledger.portal.partner.PartnerNav;
import clickledger.portal.web.DateRange;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.LinkInput;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import clickledger.portal.web.QrImages;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The partner's own links: the list, a form to make one in a program where they are approved
 * (with a slug of their own where the program allows it, else a generated one), and each link's
 * share URL to copy and its QR code. Another partner's link id is the api's 404, the same as an
 * id that does not exist.
 */
public final class PartnerLinkRoutes {
    static final String SECTION = "links";
    static final String ROOT = "/partner/links";
    static final Set<String> FIELDS = Set.of("programId", "slug", "path", "tags", "tags[");

    /** What the partner typed into the new-link form. */
    public record NewLink(String programId, String slug, String path, String tags) {}

    public record LinksPage(
            Layout layout,
            MyAccount account,
            List<Link> links,
            List<Option> programFilter,
            String programId,
            String tag,
            boolean archived,
            Paging paging,
            List<Option> approvedPrograms,
            NewLink typed,
            FieldErrors errors,
            Map<String, MyStats.LinkFigures> figures) {
        public String programName(String id) {
            return account.programName(id);
        }

        /** The link's figures over the last {@value DateRange#DEFAULT_DAYS} days; zeros without activity. */
        public MyStats.LinkFigures figures(Link link) {
            return figures.getOrDefault(link.id(), new MyStats.LinkFigures(link.id(), 0, 0, 0, "0"));
        }

        public String currency(Link link) {
            return account.programs().stream()
                    .filter(program -> program.programId().equals(link.programId()))
                    .map(MyAccount.MyProgram::currency)
                    .findFirst()
                    .orElse("");
        }

        public boolean canCreate() {
            return !approvedPrograms.isEmpty();
        }

        /** Whether to offer the slug field: some program where they may create links allows a slug of their own. */
        public boolean slugField() {
            return account.approvedPrograms().stream().anyMatch(MyAccount.MyProgram::customSlugs);
        }

        /** The approved programs that give their partners generated slugs, named in the slug's hint. */
        public List<String> generatedOnly() {
            return account.approvedPrograms().stream()
                    .filter(program -> !program.customSlugs())
                    .map(MyAccount.MyProgram::name)
                    .toList();
        }
    }

    public record LinkPage(Layout layout, Link link, String programName) {}

    private final Pages pages;
    private final MeClient me;
    private final Clock clock;

    public PartnerLinkRoutes(Pages pages, MeClient me, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.me = requireNonNull(me, "me is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(
                ROOT,
                ctx -> list(ctx, new NewLink(Params.text(ctx, "programId"), "", "", ""), FieldErrors.none(), 200));
        routes.post(ROOT, this::create);
        routes.post(ROOT + "/{id}/archive", ctx -> archive(ctx, true));
        routes.post(ROOT + "/{id}/unarchive", ctx -> archive(ctx, false));
        routes.post(ROOT + "/{id}/delete", this::delete);
        routes.get(ROOT + "/{id}", this::show);
        routes.get(ROOT + "/{id}/qr/{format}", ctx -> QrImages.serve(ctx, me::qr));
    }

    private void list(Context ctx, NewLink typed, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        String programId = Params.text(ctx, "programId");
        String tag = Params.text(ctx, "tag");
        boolean archived = "true".equals(Params.text(ctx, "archived"));
        String cursor = ctx.queryParam("cursor");
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        var loaded = Parallel.all(
                () -> me.account(caller),
                () -> me.links(caller, programId, tag, archived, cursor),
                () -> me.stats(caller, programId, today.minusDays(DateRange.DEFAULT_DAYS - 1), today, "link"));
        MyAccount account = loaded.first();
        ListPage<Link> page = loaded.second();
        Map<String, MyStats.LinkFigures> figures = new HashMap<>();
        loaded.third().programs().forEach(program -> program.links().forEach(link -> figures.put(link.linkId(), link)));
        List<Option> approved = account.approvedPrograms().stream()
                .map(program -> new Option(program.programId(), program.name()))
                .toList();
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("programId", programId);
        filters.put("tag", tag);
        filters.put("archived", archived ? "true" : null);
        pages.render(
                ctx,
                status,
                "partner/link/list.jte",
                new LinksPage(
                        PartnerNav.withLogo(pages.layout(ctx, "Your links", SECTION), account, programId),
                        account,
                        page.items(),
                        PartnerNav.programOptions(account),
                        programId,
                        tag,
                        archived,
                        Paging.of(ROOT, filters, cursor == null, page.nextCursor()),
                        approved,
                        typed,
                        errors,
                        figures));
    }

    private void create(Context ctx) {
        Form form = Form.of(ctx);
        NewLink typed = new NewLink(form.get("programId"), form.get("slug"), form.get("path"), form.get("tags"));
        Link link;
        try {
            link = me.createLink(
                    Pages.caller(ctx),
                    typed.programId(),
                    typed.slug().isEmpty() ? null : typed.slug(),
                    LinkInput.tags(typed.tags()),
                    typed.path().isEmpty() ? null : typed.path());
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 403 && e.status() != 404 && e.status() != 409) {
                throw e;
            }
            FieldErrors errors =
                    switch (e.code()) {
                        case "slug_taken" ->
                            FieldErrors.of(
                                    "slug",
                                    "This slug is taken; choose another, or leave it empty for a generated one.");
                        default ->
                            e.byField().isEmpty()
                                    ? FieldErrors.of("programId", e.detail())
                                    : LinkInput.foldTags(FieldErrors.from(e, FIELDS));
                    };
            list(ctx, typed, errors, e.status() == 409 ? 409 : 400);
            return;
        }
        pages.redirect(ctx, ROOT + "/" + link.id(), "Link " + link.slug() + " created. Copy it and share it.");
    }

    private void archive(Context ctx, boolean archived) {
        Link link = me.archiveLink(Pages.caller(ctx), ctx.pathParam("id"), archived);
        pages.redirect(
                ctx,
                back(ctx, ROOT + "/" + link.id()),
                "Link " + link.slug()
                        + (archived
                                ? " archived: hidden from your list, and it still works."
                                : " is back in your list."));
    }

    /** Deleting a link that has clicks is the api's 409: said on the page the partner came from. */
    private void delete(Context ctx) {
        String id = ctx.pathParam("id");
        String back = back(ctx, ROOT + "/" + id);
        try {
            me.deleteLink(Pages.caller(ctx), id);
        } catch (ApiProblem e) {
            if (e.status() != 409) {
                throw e;
            }
            pages.redirect(ctx, back, "This link has clicks, so it cannot be deleted; archive it instead.");
            return;
        }
        pages.redirect(ctx, back.startsWith(ROOT + "/") ? ROOT : back, "Link deleted.");
    }

    // Where a button's form asked to go back to, when it is one of the partner's link pages.
    private static String back(Context ctx, String fallback) {
        String back = Form.of(ctx).get("back");
        return back.equals(ROOT) || back.startsWith(ROOT + "?") || back.startsWith(ROOT + "/") ? back : fallback;
    }

    private void show(Context ctx) {
        Caller caller = Pages.caller(ctx);
        var loaded = Parallel.both(() -> me.link(caller, ctx.pathParam("id")), () -> me.account(caller));
        Link link = loaded.first();
        pages.render(
                ctx,
                "partner/link/show.jte",
                new LinkPage(
                        PartnerNav.withLogo(
                                pages.layout(ctx, "Link " + link.slug(), SECTION), loaded.second(), link.programId()),
                        link,
                        loaded.second().programName(link.programId())));
    }
}
