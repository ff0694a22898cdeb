package clickledger.api.event;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Scope;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /v1/events/batch {"events":[…]}}: up to {@link EventBatch#MAX_EVENTS} bodies of
 * {@code POST /v1/events}, answered 200 with {@code {"results":[…]}} in their order, each the status
 * and event (or problem) the single endpoint would have answered. A bad item gets its own problem,
 * its fields named from the batch ({@code events[3].value}), and stops no other.
 */
public final class EventBatchRoutes {
    private static final Set<String> FIELDS = Set.of("events");

    private final EventBatch batch;

    public EventBatchRoutes(EventBatch batch) {
        this.batch = requireNonNull(batch, "batch is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/events/batch", this::batch);
    }

    /** The answer: one result per item, in the request's order. */
    public record Results(List<EventBatch.Result> results) {}

    private void batch(Context ctx) {
        Access.requireSdk(ctx, Scope.EVENTS);
        JsonNode body = Json.object(ctx, FIELDS);
        JsonNode items = body.get("events");
        if (items == null || items.isNull()) {
            throw ApiException.badRequest("events", "is required");
        }
        if (!items.isArray()) {
            throw ApiException.badRequest("events", "must be an array of events");
        }
        if (items.isEmpty()) {
            throw ApiException.badRequest("events", "must hold at least one event");
        }
        if (items.size() > EventBatch.MAX_EVENTS) {
            String message = "must hold at most " + EventBatch.MAX_EVENTS + " events; send the rest in another request";
            throw new ApiException(
                    413,
                    "too_many_events",
                    "Payload too large",
                    "events: " + message,
                    List.of(new ApiException.FieldError("events", message)));
        }
        EventBatch.Result[] results = new EventBatch.Result[items.size()];
        List<EventBatch.Item> accepted = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                EventRequest request = EventRequest.from(items.get(i));
                ProgramId requested =
                        request.programId() == null ? null : ProgramId.parse("programId", request.programId());
                accepted.add(new EventBatch.Item(
                        i, Access.sdkProgram(ctx, Scope.EVENTS, requested).value(), request));
            } catch (ApiException e) {
                results[i] = EventBatch.Result.failed(i, e);
            }
        }
        batch.record(accepted, results);
        ctx.status(200).json(new Results(Arrays.asList(results)));
    }
}
