package clickledger.api.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** An event as stored. {@code valueMinor} is null when the event carried no value. */
public record EventRow(
        UUID id,
        UUID programId,
        String eventKey,
        String requestHash,
        String userId,
        String type,
        Long valueMinor,
        String currency,
        UUID refundOf,
        JsonNode metadata,
        Instant ts,
        String attributionStatus,
        String model) {

    public long value() {
        return valueMinor == null ? 0 : valueMinor;
    }
}
