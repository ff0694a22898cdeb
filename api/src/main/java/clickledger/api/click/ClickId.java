package clickledger.api.click;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ids;
import clickledger.common.id.Ulid;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/**
 * A click's id, which the router hands out as {@code cref}. It is a UUIDv7 whose millisecond
 * timestamp is the click's {@code ts}, the partition key, so a lookup by id knows its partition.
 */
public record ClickId(UUID value) {
    public ClickId {
        requireNonNull(value, "value is null");
    }

    public static ClickId parse(String field, String text) {
        return new ClickId(Ids.parse(field, text));
    }

    /** The click's timestamp, as the router stored it in {@code click.ts}. */
    public Instant timestamp() {
        return Ulid.instant(value);
    }

    @JsonValue
    @Override
    public String toString() {
        return Ulid.encode(value);
    }
}
