package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/**
 * A delivery's id: the same on every attempt, sent as X-Clickledger-Delivery and as the payload's
 * {@code id}, so receivers can drop duplicates.
 */
public record DeliveryId(UUID value) {
    public DeliveryId {
        requireNonNull(value, "value is null");
    }

    public static DeliveryId newId(Instant createdAt) {
        return new DeliveryId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static DeliveryId parse(String field, String text) {
        return new DeliveryId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
