package clickledger.api.domain;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/** A custom domain's id: a UUIDv7 in the database, its 26-character form on the wire. */
public record DomainId(UUID value) {
    public DomainId {
        requireNonNull(value, "value is null");
    }

    public static DomainId newId(Instant createdAt) {
        return new DomainId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static DomainId parse(String field, String text) {
        return new DomainId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
