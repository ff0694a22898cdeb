package clickledger.api.link;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.Optional;

/** {@code /v1/links}: create, list (by program, partner, status), get, patch, pause, resume. */
public final class LinkRoutes {
    private final LinkService service;
    private final String publicRouterUrl;

    /** @param publicRouterUrl the router's public base URL, for each link's shareable {@code url} */
    public LinkRoutes(LinkService service, String publicRouterUrl) {
        this.service = requireNonNull(service, "service is null");
        this.publicRouterUrl = requireNonNull(publicRouterUrl, "publicRouterUrl is null");
    }

    public void register(Javalin app) {
        app.post("/v1/links", this::create);
        app.get("/v1/links", this::list);
        app.get("/v1/links/{id}", ctx -> ctx.json(view(service.find(id(ctx)))));
        app.patch("/v1/links/{id}", this::update);
        app.post(
                "/v1/links/{id}/pause",
                ctx -> ctx.json(view(service.setStatus(id(ctx), LinkStatus.PAUSED, Principal.of(ctx)))));
        app.post(
                "/v1/links/{id}/resume",
                ctx -> ctx.json(view(service.setStatus(id(ctx), LinkStatus.ACTIVE, Principal.of(ctx)))));
    }

    private void create(Context ctx) {
        Link link = service.create(Json.body(ctx, LinkCreate.class), Principal.of(ctx));
        ctx.status(201).header(Header.LOCATION, "/v1/links/" + link.id()).json(LinkView.of(link, publicRouterUrl));
    }

    private void list(Context ctx) {
        FieldErrors errors = new FieldErrors();
        ProgramId programId = optional(ctx, "programId") == null
                ? null
                : errors.check(() -> ProgramId.parse("programId", ctx.queryParam("programId")));
        PartnerId partnerId = optional(ctx, "partnerId") == null
                ? null
                : errors.check(() -> PartnerId.parse("partnerId", ctx.queryParam("partnerId")));
        LinkStatus status = optional(ctx, "status") == null
                ? null
                : errors.check(() -> LinkStatus.fromWire("status", ctx.queryParam("status")));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(service.list(programId, partnerId, status, page).map(link -> LinkView.of(link, publicRouterUrl)));
    }

    private void update(Context ctx) {
        LinkId id = id(ctx);
        LinkPatch patch = Json.body(ctx, LinkPatch.class);
        ctx.json(view(service.update(id, patch, Json.presentFields(ctx), Principal.of(ctx))));
    }

    private LinkView view(Optional<Link> link) {
        return LinkView.of(link.orElseThrow(() -> ApiException.notFound("link")), publicRouterUrl);
    }

    private static String optional(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : value;
    }

    private static LinkId id(Context ctx) {
        return new LinkId(PathIds.id(ctx));
    }
}
