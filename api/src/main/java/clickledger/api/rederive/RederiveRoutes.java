package clickledger.api.rederive;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.http.Ids;
import clickledger.api.http.Timestamps;
import clickledger.api.program.AttributionModel;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/** {@code POST /v1/attribution/rederive}: a dry-run diff by default, applied only with dryRun false. */
public final class RederiveRoutes {
    private static final Set<String> FIELDS = Set.of("programId", "model", "from", "to", "dryRun");

    private final RederiveService service;
    private final Clock clock;

    public RederiveRoutes(RederiveService service, Clock clock) {
        this.service = requireNonNull(service, "service is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/attribution/rederive", this::rederive);
    }

    private void rederive(Context ctx) {
        JsonNode body = Json.object(ctx, FIELDS);
        JsonNode program = body.get("programId");
        if (program == null || !program.isTextual()) {
            throw ApiException.badRequest("programId", "is required");
        }
        AttributionModel model =
                text(body, "model") == null ? null : AttributionModel.fromWire("model", text(body, "model"));
        Instant from = text(body, "from") == null ? Instant.EPOCH : Timestamps.parse("from", text(body, "from"));
        Instant to = text(body, "to") == null
                ? clock.instant().plus(Duration.ofDays(1))
                : Timestamps.parse("to", text(body, "to"));
        if (!to.isAfter(from)) {
            throw ApiException.badRequest("to", "must be after from");
        }
        JsonNode dryRun = body.get("dryRun");
        if (dryRun != null && !dryRun.isBoolean()) {
            throw ApiException.badRequest("dryRun", "must be true or false");
        }
        var request = new RederiveService.Request(
                Ids.parse("programId", program.textValue()), model, from, to, dryRun == null || dryRun.booleanValue());
        ctx.json(service.rederive(request, Principal.of(ctx)));
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field, "must be a string");
        }
        return node.textValue();
    }
}
