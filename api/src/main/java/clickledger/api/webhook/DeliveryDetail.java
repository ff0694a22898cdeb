package clickledger.api.webhook;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * {@code GET /v1/webhooks/deliveries/{id}}: the delivery, the exact payload it sends, and every
 * attempt, oldest first.
 */
public record DeliveryDetail(@JsonUnwrapped Delivery delivery, JsonNode payload, List<Attempt> attempts) {
    public DeliveryDetail {
        attempts = List.copyOf(attempts);
    }

    /**
     * One POST to the receiver.
     *
     * @param statusCode null when no response came (see error)
     * @param error null for an HTTP response; else timeout, connection_failed, destination_refused, …
     * @param responseBody the first 2 KB of the response body
     */
    public record Attempt(
            String id,
            java.time.Instant attemptedAt,
            Integer statusCode,
            Integer latencyMs,
            String error,
            String responseBody) {}
}
