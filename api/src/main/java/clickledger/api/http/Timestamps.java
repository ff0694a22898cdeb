package clickledger.api.http;

import clickledger.web.ApiException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps in request bodies are ISO 8601 strings with an offset ({@code 2025-01-31T00:00:00Z}).
 * Parsed here rather than by Jackson, which would also take a bare number as epoch seconds and so
 * silently accept a value in the wrong unit.
 */
public final class Timestamps {
    private Timestamps() {}

    public static Instant parse(String field, String text) {
        if (text == null) {
            throw ApiException.badRequest(field, "is required");
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(
                    field, "must be an ISO 8601 timestamp with an offset, like 2025-01-31T00:00:00Z");
        }
    }

    /** Truncated to PostgreSQL's precision, microseconds, so a value compares as it will be stored. */
    public static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}
