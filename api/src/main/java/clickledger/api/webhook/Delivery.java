package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One queued event for one endpoint, as the delivery log shows it.
 *
 * @param status pending, delivered or dead
 * @param attemptCount attempts made since it was queued (or last redelivered by hand)
 * @param nextAttemptAt when a pending delivery is tried next (while one is in flight, when its
 *     lease ends); null once delivered or dead
 */
public record Delivery(
        DeliveryId id,
        WebhookEndpointId endpointId,
        String eventType,
        String status,
        int attemptCount,
        Instant nextAttemptAt,
        Integer lastStatusCode,
        String lastError,
        Instant createdAt,
        Instant deliveredAt) {
    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";

    public Delivery {
        requireNonNull(id, "id is null");
        requireNonNull(endpointId, "endpointId is null");
        requireNonNull(eventType, "eventType is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
    }
}
