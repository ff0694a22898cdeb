package clickledger.api.program;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;

/**
 * {@code /v1/programs}: create, list, get, patch. Admin keys do everything; a secret key lists and
 * reads only its own program, and any other program is a 404 to it.
 */
public final class ProgramRoutes {
    private final ProgramService service;

    public ProgramRoutes(ProgramService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/programs", this::create);
        routes.get("/v1/programs", ctx -> {
            PageRequest page = PageRequest.from(ctx);
            Page<Program> programs = service.list(Access.readableProgram(ctx), page);
            ctx.json(new Page<>(service.views(programs.items()), programs.nextCursor()));
        });
        routes.get("/v1/programs/{id}", ctx -> {
            ProgramId id = id(ctx);
            Access.requireProgramAccess(ctx, id);
            ctx.json(service.view(service.find(id).orElseThrow(ProgramRoutes::notFound)));
        });
        routes.patch("/v1/programs/{id}", this::update);
    }

    private void create(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        Program program = service.create(Json.body(ctx, ProgramCreate.class), actor);
        ctx.status(201)
                .header(Header.LOCATION, "/v1/programs/" + program.id())
                .json(new ProgramView(program, false, null));
    }

    private void update(Context ctx) {
        Principal actor = Access.requireAdmin(ctx);
        ProgramId id = id(ctx);
        ProgramPatch patch = Json.body(ctx, ProgramPatch.class);
        ctx.json(service.view(
                service.update(id, patch, Json.presentFields(ctx), actor).orElseThrow(ProgramRoutes::notFound)));
    }

    private static ProgramId id(Context ctx) {
        return new ProgramId(PathIds.id(ctx));
    }

    private static ApiException notFound() {
        return ApiException.notFound("program");
    }
}
