package clickledger.api.privacy;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.event.EventRequest;
import clickledger.api.http.Ids;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.UUID;
import org.jooq.DSLContext;

/** {@code DELETE /v1/users/{userId}?programId=}: admin only (RouteAccess lists it for no other key). */
public final class ErasureRoutes {
    // Events and identify accept user ids up to this length; no longer one can have been stored.
    private static final int MAX_USER_ID = EventRequest.MAX_ID_LENGTH;

    private final ErasureService service;
    private final DSLContext dsl;

    public ErasureRoutes(ErasureService service, DSLContext dsl) {
        this.service = requireNonNull(service, "service is null");
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    public void register(RoutesConfig routes) {
        routes.delete("/v1/users/{userId}", this::erase);
    }

    private void erase(Context ctx) {
        String userId = ctx.pathParam("userId");
        if (userId.isBlank() || userId.length() > MAX_USER_ID) {
            throw ApiException.badRequest("userId", "must be 1 to " + MAX_USER_ID + " characters");
        }
        String program = ctx.queryParam("programId");
        if (program == null || program.isBlank()) {
            throw ApiException.badRequest("programId", "is required: a user id is erased from one program");
        }
        UUID programId = Ids.parse("programId", program);
        if (!dsl.fetchExists(dsl.selectOne().from("program").where("id = ?", programId))) {
            throw ApiException.notFound("program " + program);
        }
        ctx.json(service.erase(programId, userId, Principal.of(ctx))
                .orElseThrow(() -> ApiException.notFound("user " + userId + " in program " + program)));
    }
}
