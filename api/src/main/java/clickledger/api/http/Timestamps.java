package clickledger.api.http;

import clickledger.web.ApiException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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

    /**
     * One end of a time filter ({@code ?from=&to=}): an instant, or a UTC day, meaning its start for
     * {@code from} and, for {@code to}, the start of the next day, so both ends include their day.
     * An instant given as {@code to} is included too.
     *
     * @return the exclusive upper bound when {@code end}, else the inclusive lower bound; null when
     *     the text is null or empty
     */
    public static Instant bound(String field, String text, boolean end) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.length() == 10) {
            try {
                LocalDate day = LocalDate.parse(text);
                return (end ? day.plusDays(1) : day)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest(field, "must be a day (2030-01-31) or an ISO 8601 timestamp");
            }
        }
        Instant instant = parse(field, text);
        return end ? instant.plusNanos(1_000) : instant;
    }
}
