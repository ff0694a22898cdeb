package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/** An API key's id (not the key): a UUIDv7 in the database, its 26-character form on the wire. */
public record ApiKeyId(UUID value) {
    public ApiKeyId {
        requireNonNull(value, "value is null");
    }

    public static ApiKeyId newId(Instant createdAt) {
        return new ApiKeyId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static ApiKeyId parse(String field, String text) {
        return new ApiKeyId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
