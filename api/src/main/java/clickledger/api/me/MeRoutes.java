package clickledger.api.me;

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
import clickledger.api.link.Link;
import clickledger.api.link.LinkId;
import clickledger.api.link.LinkService;
import clickledger.api.link.LinkStatus;
import clickledger.api.link.LinkView;
import clickledger.api.partner.MembershipRepository;
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerService;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.List;
import org.jooq.DSLContext;

/**
 * Partner-scoped routes, for partner keys only: {@code GET /v1/me}, {@code GET|POST /v1/me/links},
 * {@code GET /v1/me/links/{id}}, {@code GET /v1/me/clicks/{cref}}. Everything is filtered by the key's partner (and its program,
 * when the key is narrowed to one); another partner's row is a 404, as if it did not exist.
 *
 * <p>Own commissions, stats and payouts belong here too, as {@code /v1/me/commissions},
 * {@code /v1/me/stats}, {@code /v1/me/payouts}: {@link clickledger.api.auth.RouteAccess} already
 * lets partner keys reach every /v1/me route (and nothing else), so such a handler starts with
 * {@link Access#requirePartner} and filters by the principal's partnerId, and by its programId when
 * set ({@link Access#partnerSees}).
 */
public final class MeRoutes {
    private final DSLContext dsl;
    private final PartnerService partners;
    private final LinkService links;
    private final String publicRouterUrl;

    /** @param publicRouterUrl the router's public base URL, for each link's shareable {@code url} */
    public MeRoutes(DSLContext dsl, PartnerService partners, LinkService links, String publicRouterUrl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.partners = requireNonNull(partners, "partners is null");
        this.links = requireNonNull(links, "links is null");
        this.publicRouterUrl = requireNonNull(publicRouterUrl, "publicRouterUrl is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/me", this::me);
        routes.get("/v1/me/links", this::listLinks);
        routes.post("/v1/me/links", this::createLink);
        routes.get("/v1/me/links/{id}", this::getLink);
        routes.get("/v1/me/clicks/{cref}", this::click);
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
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ProgramId keyProgram = partner.programId();
        if (keyProgram != null && programId != null && !keyProgram.equals(programId)) {
            ctx.json(new Page<LinkView>(List.of(), null));
            return;
        }
        ProgramId scope = keyProgram != null ? keyProgram : programId;
        ctx.json(links.list(scope, partner.partnerId(), status, page).map(link -> LinkView.of(link, publicRouterUrl)));
    }

    private void createLink(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        MyLinkCreate.Valid valid = Json.body(ctx, MyLinkCreate.class).validate(partner.programId());
        if (partner.programId() != null && !partner.programId().equals(valid.programId())) {
            throw ApiException.notFound("program");
        }
        Link link = links.createForPartner(partner.partnerId(), valid.programId(), valid.slug(), partner);
        ctx.status(201).header(Header.LOCATION, "/v1/me/links/" + link.id()).json(LinkView.of(link, publicRouterUrl));
    }

    private void getLink(Context ctx) {
        Principal partner = Access.requirePartner(ctx);
        Link link = links.find(new LinkId(PathIds.id(ctx)))
                .filter(found -> Access.partnerSees(partner, found.partnerId(), found.programId()))
                .orElseThrow(() -> ApiException.notFound("link"));
        ctx.json(LinkView.of(link, publicRouterUrl));
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
