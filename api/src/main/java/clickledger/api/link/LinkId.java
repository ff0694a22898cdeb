package clickledger.api.link;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/** A link's id: a UUIDv7 in the database, its 26-character form on the wire. */
public record LinkId(UUID value) {
    public LinkId {
        requireNonNull(value, "value is null");
    }

    public static LinkId newId(Instant createdAt) {
        return new LinkId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static LinkId parse(String field, String text) {
        return new LinkId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
