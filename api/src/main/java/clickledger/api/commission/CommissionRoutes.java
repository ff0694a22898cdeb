package clickledger.api.commission;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Ids;
import clickledger.api.http.PageRequest;
import clickledger.api.http.Timestamps;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** {@code /v1/commissions}: list and filter, approve and reject one or many. */
public final class CommissionRoutes {
    private static final Set<String> STATUSES = Set.of("pending", "approved", "paid", "rejected", "reversed");
    private static final Set<String> KINDS = Set.of("commission", "reversal", "adjustment");

    // Longer than any event type an SDK call may send; a longer filter can match nothing.
    private static final int MAX_EVENT_TYPE_LENGTH = 200;

    private final CommissionService service;

    public CommissionRoutes(CommissionService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/commissions", this::list);
        routes.get("/v1/commissions/{id}", ctx -> ctx.json(service.get(Ids.parse("id", ctx.pathParam("id")))));
        routes.get("/v1/commissions/{id}/detail", ctx -> ctx.json(service.detail(id(ctx))));
        routes.post(
                "/v1/commissions/{id}/approve",
                ctx -> single(ctx, service.approve(List.of(id(ctx)), Principal.of(ctx))));
        routes.post(
                "/v1/commissions/{id}/reject", ctx -> single(ctx, service.reject(List.of(id(ctx)), Principal.of(ctx))));
        routes.post("/v1/commissions/bulk", this::bulk);
    }

    private static UUID id(Context ctx) {
        return Ids.parse("id", ctx.pathParam("id"));
    }

    private void single(Context ctx, CommissionService.BulkResult result) {
        if (result.updated().isEmpty()) {
            service.get(id(ctx)); // 404 when there is no such commission, rather than the 409 below
            if (service.inPayout(id(ctx))) {
                throw ApiException.conflict(
                        "in_payout", "status: this commission is in a pending or paid payout; cancel the payout first");
            }
            throw ApiException.conflict(
                    "invalid_transition", "status: this commission cannot make that change in its current status");
        }
        ctx.json(service.get(Ids.parse("id", result.updated().getFirst())));
    }

    private void list(Context ctx) {
        PageRequest page = PageRequest.from(ctx);
        String status = ctx.queryParam("status");
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("status", "must be one of " + String.join(", ", STATUSES));
        }
        String kind = ctx.queryParam("kind");
        if (kind != null && !KINDS.contains(kind)) {
            throw ApiException.badRequest("kind", "must be one of " + String.join(", ", KINDS));
        }
        String eventId = ctx.queryParam("eventId");
        UUID event = null;
        if (eventId != null) {
            List<UUID> events = service.eventIds(eventId);
            if (events.isEmpty()) {
                ctx.json(new clickledger.api.http.Page<>(List.of(), null));
                return;
            }
            event = events.getFirst();
        }
        var filter = new CommissionRepository.Filter(
                optionalId(ctx, "programId"), optionalId(ctx, "partnerId"), event, status, kind);
        ctx.json(service.list(filter, eventFilter(ctx), page));
    }

    /** {@code ?from=&to=&eventType=}: the event's time (UTC days or instants, both ends included) and type. */
    private static CommissionRepository.EventFilter eventFilter(Context ctx) {
        FieldErrors errors = new FieldErrors();
        Instant from = errors.check(() -> Timestamps.bound("from", ctx.queryParam("from"), false));
        Instant to = errors.check(() -> Timestamps.bound("to", ctx.queryParam("to"), true));
        String eventType = ctx.queryParam("eventType");
        if (eventType != null && eventType.length() > MAX_EVENT_TYPE_LENGTH) {
            errors.add("eventType", "must be at most " + MAX_EVENT_TYPE_LENGTH + " characters");
        }
        errors.throwIfAny();
        return new CommissionRepository.EventFilter(
                from, to, eventType == null || eventType.isEmpty() ? null : eventType);
    }

    private static UUID optionalId(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : Ids.parse(name, value);
    }

    private void bulk(Context ctx) {
        JsonNode body = Json.body(ctx, JsonNode.class);
        JsonNode action = body.get("action");
        JsonNode idsNode = body.get("ids");
        if (body.size() != 2 || action == null || idsNode == null) {
            throw ApiException.badRequest("body", "must be {\"action\": \"approve\"|\"reject\", \"ids\": [...]}");
        }
        if (!idsNode.isArray()) {
            throw ApiException.badRequest("ids", "must be an array of commission ids");
        }
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < idsNode.size(); i++) {
            if (!idsNode.get(i).isTextual()) {
                throw ApiException.badRequest("ids[" + i + "]", "must be a commission id");
            }
            ids.add(Ids.parse("ids[" + i + "]", idsNode.get(i).textValue()));
        }
        CommissionService.BulkResult result =
                switch (action.asText()) {
                    case "approve" -> service.approve(ids, Principal.of(ctx));
                    case "reject" -> service.reject(ids, Principal.of(ctx));
                    default -> throw ApiException.badRequest("action", "must be approve or reject");
                };
        ctx.json(result);
    }
}
