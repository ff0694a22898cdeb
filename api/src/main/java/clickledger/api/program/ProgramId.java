package clickledger.api.program;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/** A program's id: a UUIDv7 in the database, its 26-character form on the wire. */
public record ProgramId(UUID value) {
    public ProgramId {
        requireNonNull(value, "value is null");
    }

    public static ProgramId newId(Instant createdAt) {
        return new ProgramId(Ulid.newUuidV7(createdAt.toEpochMilli()));
    }

    public static ProgramId parse(String field, String text) {
        return new ProgramId(Ids.parse(field, text));
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
