package clickledger.api.webhook;

import clickledger.api.http.FieldErrors;
import clickledger.api.http.Timestamps;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;

/**
 * The filters of {@code GET /v1/webhooks/{id}/deliveries}; each null when absent.
 *
 * @param from created at or after (inclusive)
 * @param to created before (exclusive)
 */
record DeliveryFilter(String status, String eventType, Instant from, Instant to) {
    private static final List<String> STATUSES = List.of(Delivery.PENDING, Delivery.DELIVERED, Delivery.DEAD);

    static DeliveryFilter parse(Context ctx) {
        FieldErrors errors = new FieldErrors();
        String status = optional(ctx, "status");
        if (status != null && !STATUSES.contains(status)) {
            errors.add("status", "must be one of pending, delivered, dead");
        }
        String eventType = optional(ctx, "eventType");
        if (eventType != null
                && !eventType.equals(WebhookEvents.TEST)
                && !WebhookEvents.SUBSCRIBABLE.contains(eventType)) {
            errors.add("eventType", "is not a known event type");
        }
        String fromText = optional(ctx, "from");
        String toText = optional(ctx, "to");
        Instant from = fromText == null ? null : errors.check(() -> Timestamps.parse("from", fromText));
        Instant to = toText == null ? null : errors.check(() -> Timestamps.parse("to", toText));
        if (from != null && to != null && !to.isAfter(from)) {
            errors.add("to", "must be after from");
        }
        errors.throwIfAny();
        return new DeliveryFilter(status, eventType, from, to);
    }

    private static String optional(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isEmpty() ? null : value;
    }
}
