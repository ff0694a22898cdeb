package clickledger.api.program;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Header;

/** {@code /v1/programs}: create, list, get, patch. */
public final class ProgramRoutes {
    private final ProgramService service;

    public ProgramRoutes(ProgramService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(Javalin app) {
        app.post("/v1/programs", this::create);
        app.get("/v1/programs", ctx -> ctx.json(service.list(PageRequest.from(ctx))));
        app.get("/v1/programs/{id}", ctx -> ctx.json(service.find(id(ctx)).orElseThrow(ProgramRoutes::notFound)));
        app.patch("/v1/programs/{id}", this::update);
    }

    private void create(Context ctx) {
        Program program = service.create(Json.body(ctx, ProgramCreate.class), Principal.of(ctx));
        ctx.status(201).header(Header.LOCATION, "/v1/programs/" + program.id()).json(program);
    }

    private void update(Context ctx) {
        ProgramId id = id(ctx);
        ProgramPatch patch = Json.body(ctx, ProgramPatch.class);
        ctx.json(service.update(id, patch, Json.presentFields(ctx), Principal.of(ctx))
                .orElseThrow(ProgramRoutes::notFound));
    }

    private static ProgramId id(Context ctx) {
        return new ProgramId(PathIds.id(ctx));
    }

    private static ApiException notFound() {
        return ApiException.notFound("program");
    }
}
