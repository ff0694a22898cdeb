package clickledger.api.partner;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/** A partner's id: a UUIDv7 in the database, its 26-character form on the wire. */
public record PartnerId(UUID value) {
    public PartnerId {
        requireNonNull(value, "value is null");
    }

    public static PartnerId newId(Instant createdAt) {
        return new PartnerId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static PartnerId parse(String field, String text) {
        return new PartnerId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
