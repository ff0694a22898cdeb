package clickledger.api.domain;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;

/**
 * {@code /v1/domains}: programs' custom short domains (create, list by program, get, patch,
 * delete). Admin only, like every route not opened in RouteAccess.
 */
public final class DomainRoutes {
    private final DomainService service;

    public DomainRoutes(DomainService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/domains", this::create);
        routes.get("/v1/domains", this::list);
        routes.get("/v1/domains/{id}", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(service.find(id(ctx)).orElseThrow(DomainRoutes::notFound));
        });
        routes.patch("/v1/domains/{id}", this::update);
        routes.delete("/v1/domains/{id}", this::delete);
    }

    private void create(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        ShortDomain domain = service.create(Json.body(ctx, DomainCreate.class), actor);
        ctx.status(201).header(Header.LOCATION, "/v1/domains/" + domain.id()).json(domain);
    }

    private void list(Context ctx) {
        Access.requireAdmin(ctx);
        FieldErrors errors = new FieldErrors();
        String programText = ctx.queryParam("programId");
        ProgramId programId = programText == null || programText.isEmpty()
                ? null
                : errors.check(() -> ProgramId.parse("programId", programText));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(service.list(programId, page));
    }

    private void update(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        DomainId id = id(ctx);
        DomainPatch patch = Json.body(ctx, DomainPatch.class);
        ctx.json(service.update(id, patch, Json.presentFields(ctx), actor).orElseThrow(DomainRoutes::notFound));
    }

    private void delete(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        if (!service.delete(id(ctx), actor)) {
            throw notFound();
        }
        ctx.status(204);
    }

    private static DomainId id(Context ctx) {
        return new DomainId(PathIds.id(ctx));
    }

    private static ApiException notFound() {
        return ApiException.notFound("domain");
    }
}
