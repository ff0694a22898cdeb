package clickledger.api.event;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Scope;
import clickledger.api.http.Timestamps;
import clickledger.api.identity.IdentifyService;
import clickledger.api.program.ProgramId;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;
import java.util.UUID;

/** The merchant-facing SDK routes: {@code POST /v1/identify} and {@code POST /v1/events}. */
public final class SdkRoutes {
    private static final Set<String> IDENTIFY_FIELDS = Set.of("cref", "userId", "ts");

    private final IdentifyService identify;
    private final EventRecorder events;

    /** @param events the single path ({@link EventService}) or the group commit ({@link EventGroupCommit}) */
    public SdkRoutes(IdentifyService identify, EventRecorder events) {
        this.identify = requireNonNull(identify, "identify is null");
        this.events = requireNonNull(events, "events is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/identify", this::identify);
        routes.post("/v1/events", this::event);
    }

    private void identify(Context ctx) {
        JsonNode body = Json.object(ctx, IDENTIFY_FIELDS);
        String cref = EventRequest.text(body, "cref", true, 64);
        String userId = EventRequest.text(body, "userId", true, EventRequest.MAX_ID_LENGTH);
        String ts = EventRequest.text(body, "ts", false, 64);
        IdentifyService.Result result = identify.identify(
                cref,
                userId,
                ts == null ? null : Timestamps.parse("ts", ts),
                programScope(Access.requireSdk(ctx, Scope.IDENTIFY)));
        ctx.status(result.created() ? 201 : 200).json(result);
    }

    /** The program a key is bound to (secret, publishable), or null for an admin key. */
    static UUID programScope(Principal principal) {
        return principal.programId() == null ? null : principal.programId().value();
    }

    private void event(Context ctx) {
        EventRequest request = EventRequest.from(Json.body(ctx, JsonNode.class));
        ProgramId requested = request.programId() == null ? null : ProgramId.parse("programId", request.programId());
        UUID programId = Access.sdkProgram(ctx, Scope.EVENTS, requested).value();
        EventService.Outcome outcome = events.record(programId, request);
        ctx.status(outcome.created() ? 201 : 200).json(outcome.view());
    }
}
