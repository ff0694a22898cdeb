package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Ids;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.List;
import java.util.UUID;

/**
 * {@code /v1/partners}: create, list (by status), get, patch, revoke; admin keys only (a partner
 * sees itself through /v1/me).
 */
public final class PartnerRoutes {
    // Longer than any name (200) or email (320) could contain.
    private static final int MAX_QUERY_LENGTH = 320;

    private final PartnerService service;

    public PartnerRoutes(PartnerService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/partners", this::create);
        routes.get("/v1/partners", this::list);
        routes.get("/v1/partners/{id}", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(service.find(id(ctx)).orElseThrow(PartnerRoutes::notFound));
        });
        routes.patch("/v1/partners/{id}", this::update);
        routes.post("/v1/partners/{id}/revoke", ctx -> {
            Principal actor = Access.requireAdmin(ctx);
            ctx.json(service.revoke(id(ctx), actor).orElseThrow(PartnerRoutes::notFound));
        });
    }

    private void create(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        Partner partner = service.create(Json.body(ctx, PartnerCreate.class), actor);
        ctx.status(201).header(Header.LOCATION, "/v1/partners/" + partner.id()).json(partner);
    }

    /** {@code ?status=&q=&ids=&limit=&cursor=}: {@code q} finds text in the name or email, ignoring case. */
    private void list(Context ctx) {
        Access.requireAdmin(ctx);
        FieldErrors errors = new FieldErrors();
        String status = ctx.queryParam("status");
        PartnerStatus filter = status == null || status.isEmpty()
                ? null
                : errors.check(() -> PartnerStatus.fromWire("status", status));
        String query = ctx.queryParam("q");
        if (query != null && query.strip().length() > MAX_QUERY_LENGTH) {
            errors.add("q", "must be at most " + MAX_QUERY_LENGTH + " characters");
        }
        String idsText = ctx.queryParam("ids");
        List<UUID> ids = idsText == null ? null : errors.check(() -> Ids.parseList("ids", idsText));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        String q = query == null || query.isBlank() ? null : query.strip();
        ctx.json(service.list(filter, q, ids, page));
    }

    private void update(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        PartnerId id = id(ctx);
        PartnerPatch patch = Json.body(ctx, PartnerPatch.class);
        ctx.json(service.update(id, patch, Json.presentFields(ctx), actor).orElseThrow(PartnerRoutes::notFound));
    }

    private static PartnerId id(Context ctx) {
        return new PartnerId(PathIds.id(ctx));
    }

    private static ApiException notFound() {
        return ApiException.notFound("partner");
    }
}
