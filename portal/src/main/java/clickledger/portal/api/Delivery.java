package clickledger.portal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/** A webhook delivery; {@code payload} and {@code attempts} only in the detail answer. */
public record Delivery(
        String id,
        String endpointId,
        String eventType,
        String status,
        int attemptCount,
        Instant nextAttemptAt,
        Integer lastStatusCode,
        String lastError,
        Instant createdAt,
        Instant deliveredAt,
        JsonNode payload,
        List<Attempt> attempts) {

    public Delivery {
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    public record Attempt(
            String id, Instant attemptedAt, Integer statusCode, long latencyMs, String error, String responseBody) {}
}
