package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/** A webhook endpoint's id: a UUIDv7 in the database, its 26-character form on the wire. */
public record WebhookEndpointId(UUID value) {
    public WebhookEndpointId {
        requireNonNull(value, "value is null");
    }

    public static WebhookEndpointId newId(Instant createdAt) {
        return new WebhookEndpointId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static WebhookEndpointId parse(String field, String text) {
        return new WebhookEndpointId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
