package clickledger.api.payout;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/** A payout's id: a UUIDv7 in the database, its 26-character form on the wire. */
public record PayoutId(UUID value) {
    public PayoutId {
        requireNonNull(value, "value is null");
    }

    public static PayoutId newId(Instant createdAt) {
        return new PayoutId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static PayoutId parse(String field, String text) {
        return new PayoutId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
