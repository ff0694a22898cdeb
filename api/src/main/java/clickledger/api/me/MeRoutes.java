package clickledger.api.me;

import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.click.Click;
import clickledger.api.click.ClickId;
import clickledger.api.click.ClickRepository;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.http.Timestamps;
import clickledger.api.link.Link;
import clickledger.api.link.LinkFilter;
import clickledger.api.link.LinkId;
import clickledger.api.link.LinkRoutes;
import clickledger.api.link.LinkService;
import clickledger.api.link.LinkStatus;
import clickledger.api.link.LinkView;
import clickledger.api.link.QrCodes;
import clickledger.api.partner.MembershipRepository;
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerService;
import clickledger.api.partner.ProgramMembership;
import clickledger.api.payout.PayoutDetailsService;
import clickledger.api.person.EmailChangeService;
import clickledger.api.person.SignInLimits;
import clickledger.api.person.SignInService;
import clickledger.api.program.ProgramId;
import clickledger.api.stats.DimensionReport;
import clickledger.api.stats.GroupBy;
import clickledger.api.stats.StatsQuery;
import clickledger.api.stats.StatsReport;
import clickledger.api.stats.StatsRoutes;
import clickledger.api.stats.StatsService;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;

/**
 * Partner-scoped routes, for a partner key or a partner person's session (the portal's partner
 * pages): {@code GET /v1/me}, its links (list, create, get, QR code) and clicks, its stats,
 * commissions, payouts, payout details and profile. Everything is filtered by the caller's partner
 * (and its program, when a key is narrowed to one); another partner's row is a 404, as if it did
 * not exist. {@link clickledger.api.auth.RouteAccess} lets partner principals reach every /v1/me
 * route and nothing else; each handler starts with {@link Access#requirePartner}.
 */
public final class MeRoutes {
    private static final List<String> COMMISSION_STATUSES =
            List.of("pending", "approved", "paid", "rejected", "reversed");

    private final DSLContext dsl;
    private final PartnerService partners;
    private final LinkService links;
    private final String publicRouterUrl;
    private final StatsService stats;
    private final PayoutDetailsService payoutDetails;
    private final MyProfile profile;
    private final MyLedger ledger;
    private final QrCodes qrCodes = new QrCodes();

    /** @param publicRouterUrl the router's public base URL, for each link's shareable {@code url} */
    public MeRoutes(
            DSLContext dsl,
            Clock clock,
            PartnerService partners,
            LinkService links,
            String publicRouterUrl,
            StatsService stats,
            PayoutDetailsService payoutDetails,
            EmailChangeService emailChanges,
            SignInService signIn,
            SignInLimits limits) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.partners = requireNonNull(partners, "partners is null");
        this.links = requireNonNull(links, "links is null");
        this.publicRouterUrl = requireNonNull(publicRouterUrl, "publicRouterUrl is null");
        this.stats = requireNonNull(stats, "stats is null");
        this.payoutDetails = requireNonNull(payoutDetails, "payoutDetails is null");
        this.profile = new MyProfile(dsl, clock, partners, emailChanges, signIn, limits);
        this.ledger = new MyLedger(dsl);
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/me", this::me);
        routes.get("/v1/me/links", this::listLinks);
        routes.post("/v1/me/links", this::createLink);
        routes.get("/v1/me/links/{id}", this::getLink);
        routes.post("/v1/me/links/{id}/archive", ctx -> archiveLink(ctx, true));
        routes.post("/v1/me/links/{id}/unarchive", ctx -> archiveLink(ctx, false));
        routes.delete("/v1/me/links/{id}", this::deleteLink);
        routes.get("/v1/me/clicks/{cref}", this::click);
        routes.get("/v1/me/links/{id}/qr", ctx -> {
            Principal partner = Access.requirePartner(ctx);
            LinkRoutes.serveQr(ctx, qrCodes, publicRouterUrl, id -> links.find(id)
                    .filter(found -> Access.partnerSees(partner, found.partnerId(), found.programId())));
        });
        routes.get("/v1/me/stats", this::stats);
        routes.get("/v1/me/commissions", this::commissions);
        routes.get(
                "/v1/me/commissions/{id}",
                ctx -> ctx.json(ledger.commission(Access.requirePartner(ctx), PathIds.id(ctx))));
        routes.get("/v1/me/payouts", this::payouts);
        routes.get("/v1/me/payouts/{id}", ctx -> ctx.json(ledger.payout(Access.requirePartner(ctx), PathIds.id(ctx))));
        routes.get("/v1/me/payout-details", ctx -> ctx.header(Header.CACHE_CONTROL, "no-store")
                .json(payoutDetails.view(Access.requirePartner(ctx).partnerId())));
        routes.put("/v1/me/payout-details", ctx -> {
            Principal partner = Access.requirePartner(ctx);
            PayoutDetailsService.Change change = Json.body(ctx, PayoutDetailsService.Change.class);
            ctx.header(Header.CACHE_CONTROL, "no-store")
                    .json(payoutDetails.change(partner.partnerId(), change, partner));
        });
        routes.get("/v1/me/profile", ctx -> ctx.json(profile.view(Access.requirePartner(ctx))));
        routes.patch("/v1/me/profile", ctx -> {
            Principal partner = Access.requirePartner(ctx);
            ctx.json(profile.rename(partner, Json.body(ctx, MyProfile.NameChange.class)));
        });
        routes.post("/v1/me/profile/email", ctx -> {
            Principal partner = Access.requirePartner(ctx);
            ctx.status(202).json(profile.changeEmail(ctx, partner, Json.body(ctx, MyProfile.EmailChange.class)));
        });
        routes.post("/v1/me/profile/password", ctx -> {
            Principal partner = Access.requirePartner(ctx);
            profile.changePassword(ctx, partner, Json.body(ctx, MyProfile.PasswordChange.class));
            ctx.status(204);
        });
    }

    /** The groupings /v1/me/stats takes: by day (the default), link, or a click dimension. */
    static final String ME_GROUP_BY = "day, link, "
            + Arrays.stream(GroupBy.values())
                    .filter(GroupBy::isDimension)
                    .map(GroupBy::wire)
                    .collect(Collectors.joining(", "));

    /**
     * {@code GET /v1/me/stats?from=&to=&programId=&groupBy=&limit=}: per program of the partner, its own clicks,
     * billable clicks, conversions and commissions per day (every day of the range), with totals;
     * and its balances per currency; with a click dimension as groupBy ({@code country},
     * {@code device}…), also the partner's own clicks by its values ({@code breakdown}). One stats report per program: a partner is in a handful.
     */
    private void stats(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        FieldErrors errors = new FieldErrors();
        ProgramId asked = optionalProgram(ctx, errors);
        StatsQuery.Days days = errors.check(() -> StatsQuery.daysFromRequest(ctx, stats.today()));
        String groupBy = ctx.queryParam("groupBy");
        boolean byLink = "link".equals(groupBy);
        GroupBy dimension = null;
        if (groupBy != null && !groupBy.isEmpty() && !byLink && !"day".equals(groupBy)) {
            dimension = Arrays.stream(GroupBy.values())
                    .filter(candidate ->
                            candidate.isDimension() && candidate.wire().equals(groupBy))
                    .findFirst()
                    .orElse(null);
            if (dimension == null) {
                errors.add("groupBy", "must be one of " + ME_GROUP_BY);
            }
        }
        Integer limit = errors.check(() -> StatsRoutes.limit(ctx.queryParam("limit")));
        errors.throwIfAny();
        List<Map<String, Object>> programs = new ArrayList<>();
        UUID scope = MyLedger.scope(partner, asked);
        if (scope != MyLedger.NOWHERE) {
            for (ProgramMembership membership : new MembershipRepository(dsl)
                    .ofPartner(partner.partnerId(), scope == null ? null : new ProgramId(scope))) {
                StatsReport report = stats.statsForPartner(
                        partner.partnerId(),
                        new StatsQuery(
                                membership.programId(),
                                days.from(),
                                days.to(),
                                GroupBy.DAY,
                                partner.partnerId(),
                                null));
                Map<String, Object> program = new LinkedHashMap<>();
                program.put("programId", membership.programId().toString());
                program.put("programSlug", membership.slug().value());
                program.put("programName", membership.name().value());
                program.put("currency", report.currency());
                program.put("totals", figures(null, report.totals()));
                program.put(
                        "days",
                        report.rows().stream()
                                .map(row -> figures(row.key(), row))
                                .toList());
                if (byLink) {
                    // The partner's links with activity in the range, busiest first (its links page).
                    StatsReport perLink = stats.statsForPartner(
                            partner.partnerId(),
                            new StatsQuery(
                                    membership.programId(),
                                    days.from(),
                                    days.to(),
                                    GroupBy.LINK,
                                    partner.partnerId(),
                                    null));
                    program.put(
                            "links",
                            perLink.rows().stream().map(MeRoutes::linkFigures).toList());
                }
                if (dimension != null) {
                    // The partner's own clicks by the dimension, busiest first (its dashboard's tables).
                    DimensionReport breakdown = stats.breakdownForPartner(
                            partner.partnerId(),
                            new StatsQuery(
                                    membership.programId(),
                                    days.from(),
                                    days.to(),
                                    dimension,
                                    partner.partnerId(),
                                    null),
                            limit == null ? StatsRoutes.DEFAULT_DIMENSION_ROWS : limit);
                    Map<String, Object> split = new LinkedHashMap<>();
                    split.put("groupBy", dimension.wire());
                    split.put("rows", breakdown.rows());
                    split.put("unknown", breakdown.unknown());
                    split.put("other", breakdown.other());
                    program.put("breakdown", split);
                }
                programs.add(program);
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", days.from().toString());
        answer.put("to", days.to().toString());
        answer.put("programs", programs);
        answer.put("balances", ledger.balances(partner, asked));
        ctx.json(answer);
    }

    private static Map<String, Object> linkFigures(StatsReport.Row row) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("linkId", row.key());
        figures.putAll(figures(null, row));
        return figures;
    }

    private static Map<String, Object> figures(String day, StatsReport.Row row) {
        Map<String, Object> figures = new LinkedHashMap<>();
        if (day != null) {
            figures.put("day", day);
        }
        figures.put("clicks", row.clicks());
        figures.put("billableClicks", row.billableClicks());
        figures.put("conversions", row.conversions());
        figures.put("commissions", row.commissions());
        return figures;
    }

    private void commissions(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        FieldErrors errors = new FieldErrors();
        ProgramId programId = optionalProgram(ctx, errors);
        String status = ctx.queryParam("status");
        if (status != null && !status.isEmpty() && !COMMISSION_STATUSES.contains(status)) {
            errors.add("status", "must be one of " + String.join(", ", COMMISSION_STATUSES));
        }
        Instant from = errors.check(() -> Timestamps.bound("from", ctx.queryParam("from"), false));
        Instant to = errors.check(() -> Timestamps.bound("to", ctx.queryParam("to"), true));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(ledger.commissions(
                partner, programId, status == null || status.isEmpty() ? null : status, from, to, page));
    }

    private void payouts(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        FieldErrors errors = new FieldErrors();
        ProgramId programId = optionalProgram(ctx, errors);
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(ledger.payouts(partner, programId, page));
    }

    private static ProgramId optionalProgram(Context ctx, FieldErrors errors) {
        String text = ctx.queryParam("programId");
        return text == null || text.isEmpty() ? null : errors.check(() -> ProgramId.parse("programId", text));
    }

    private void me(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        // The api_key row references the partner, and partners are revoked, never deleted.
        Partner found = partners.find(partner.partnerId()).orElseThrow();
        ctx.json(Me.of(found, new MembershipRepository(dsl).ofPartner(partner.partnerId(), partner.programId())));
    }

    private void listLinks(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        FieldErrors errors = new FieldErrors();
        String programText = ctx.queryParam("programId");
        ProgramId programId = programText == null || programText.isEmpty()
                ? null
                : errors.check(() -> ProgramId.parse("programId", programText));
        String statusText = ctx.queryParam("status");
        LinkStatus status = statusText == null || statusText.isEmpty()
                ? null
                : errors.check(() -> LinkStatus.fromWire("status", statusText));
        String tag = LinkRoutes.tagQuery(ctx, errors);
        boolean archived = LinkRoutes.archivedQuery(ctx, errors);
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ProgramId keyProgram = partner.programId();
        if (keyProgram != null && programId != null && !keyProgram.equals(programId)) {
            ctx.json(new Page<LinkView>(List.of(), null));
            return;
        }
        ProgramId scope = keyProgram != null ? keyProgram : programId;
        LinkFilter filter = new LinkFilter(scope, partner.partnerId(), status, null, tag, archived);
        ctx.json(links.list(filter, page).map(link -> LinkView.of(link, publicRouterUrl)));
    }

    private void createLink(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        MyLinkCreate.Valid valid = Json.body(ctx, MyLinkCreate.class).validate(partner.programId());
        if (partner.programId() != null && !partner.programId().equals(valid.programId())) {
            throw ApiException.notFound("program");
        }
        if (valid.slug() != null && !allowsCustomSlugs(valid.programId())) {
            throw ApiException.badRequest("slug", "this program gives its partners generated slugs: leave slug out");
        }
        Link link = links.createForPartner(
                partner.partnerId(), valid.programId(), valid.slug(), valid.tags(), valid.path(), partner);
        ctx.status(201).header(Header.LOCATION, "/v1/me/links/" + link.id()).json(LinkView.of(link, publicRouterUrl));
    }

    // An unknown program answers true here; creating the link then says it is not found.
    private boolean allowsCustomSlugs(ProgramId programId) {
        return dsl.select(PROGRAM.ALLOW_CUSTOM_SLUGS)
                .from(PROGRAM)
                .where(PROGRAM.ID.eq(programId.value()))
                .fetchOptional(PROGRAM.ALLOW_CUSTOM_SLUGS)
                .orElse(true);
    }

    private void getLink(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        ctx.json(LinkView.of(ownLink(ctx, partner), publicRouterUrl));
    }

    /** A partner tidies its own list (issue 19): archived links still redirect. */
    private void archiveLink(Context ctx, boolean archived) {
        Principal partner = Access.requirePartner(ctx);
        Link link = ownLink(ctx, partner);
        ctx.json(LinkView.of(links.setArchived(link.id(), archived, partner).orElseThrow(), publicRouterUrl));
    }

    /** A partner deletes its own link only while it has no clicks, as an admin may (409 otherwise). */
    private void deleteLink(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        Link link = ownLink(ctx, partner);
        if (!links.delete(link.id(), partner)) {
            throw ApiException.notFound("link");
        }
        ctx.status(204);
    }

    private Link ownLink(Context ctx, Principal partner) {
        return links.find(new LinkId(PathIds.id(ctx)))
                .filter(found -> Access.partnerSees(partner, found.partnerId(), found.programId()))
                .orElseThrow(() -> ApiException.notFound("link"));
    }

    private void click(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        ClickId id = ClickId.parse("cref", ctx.pathParam("cref"));
        Click click = new ClickRepository(dsl)
                .find(id)
                .filter(found -> Access.partnerSees(partner, found.partnerId(), found.programId()))
                .orElseThrow(() -> ApiException.notFound("click"));
        ctx.json(click);
    }
}
