package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.FieldErrors;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;

/**
 * {@code /v1/api-keys}, admin keys only: create (the one response that carries the key), list (by
 * kind, program, partner), get, revoke ({@code POST …/revoke} or {@code DELETE}). Rotation is
 * create-then-revoke, so a deployment never runs without a working key.
 */
public final class ApiKeyRoutes {
    private final ApiKeyService service;

    public ApiKeyRoutes(ApiKeyService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/api-keys", this::create);
        routes.get("/v1/api-keys", this::list);
        routes.get("/v1/api-keys/{id}", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(service.find(id(ctx)).orElseThrow(ApiKeyRoutes::notFound));
        });
        routes.post("/v1/api-keys/{id}/revoke", this::revoke);
        routes.delete("/v1/api-keys/{id}", this::revoke);
    }

    private void create(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        ApiKeyService.Created created = service.create(Json.body(ctx, ApiKeyCreate.class), actor);
        // The key is in this body and nowhere else: no cache along the way may keep a copy.
        ctx.status(201)
                .header(Header.CACHE_CONTROL, "no-store")
                .header(Header.LOCATION, "/v1/api-keys/" + created.apiKey().id())
                .json(created);
    }

    private void list(Context ctx) {
        Access.requireAdmin(ctx);
        FieldErrors errors = new FieldErrors();
        Principal.Kind kind = optional(ctx, "kind") == null
                ? null
                : errors.check(() -> Principal.Kind.fromWire("kind", ctx.queryParam("kind")));
        ProgramId programId = optional(ctx, "programId") == null
                ? null
                : errors.check(() -> ProgramId.parse("programId", ctx.queryParam("programId")));
        PartnerId partnerId = optional(ctx, "partnerId") == null
                ? null
                : errors.check(() -> PartnerId.parse("partnerId", ctx.queryParam("partnerId")));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(service.list(kind, programId, partnerId, page));
    }

    private void revoke(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        ctx.json(service.revoke(id(ctx), actor).orElseThrow(ApiKeyRoutes::notFound));
    }

    private static String optional(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : value;
    }

    private static ApiKeyId id(Context ctx) {
        return new ApiKeyId(PathIds.id(ctx));
    }

    private static ApiException notFound() {
        return ApiException.notFound("api key");
    }
}
