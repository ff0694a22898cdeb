package clickledger.portal.web;

import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The range of UTC days a dashboard shows, as typed ({@code ?from=&to=}): the last
 * {@value #DEFAULT_DAYS} days unless chosen. The api judges the range (its order, its length);
 * the portal only refuses what is not a date at all, naming the field.
 */
public record DateRange(String from, String to) {
    /** The default range. */
    public static final int DEFAULT_DAYS = 30;

    /** A quick choice ("Last 7 days") and the page's address with it. */
    public record Preset(String label, String href) {}

    public static DateRange of(Context ctx, LocalDate today) {
        String from = Params.text(ctx, "from");
        String to = Params.text(ctx, "to");
        if (from == null && to == null) {
            return new DateRange(today.minusDays(DEFAULT_DAYS - 1).toString(), today.toString());
        }
        return new DateRange(from, to);
    }

    public LocalDate fromDate() {
        return day("from", from);
    }

    public LocalDate toDate() {
        return day("to", to);
    }

    /** A typed day, or null when blank; a 400 naming {@code field} when it is not a date. */
    public static LocalDate day(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw Params.badRequest(field, "must be a date such as 2030-01-31");
        }
    }

    /** The last 7, 30 and 90 days on {@code path}, keeping the page's other filters. */
    public static List<Preset> presets(String path, Map<String, String> filters, LocalDate today) {
        List<Preset> presets = new ArrayList<>();
        for (int days : new int[] {7, 30, 90}) {
            Map<String, String> params = new LinkedHashMap<>(filters);
            params.put("from", today.minusDays(days - 1).toString());
            params.put("to", today.toString());
            presets.add(new Preset("Last " + days + " days", Paging.href(path, params, null)));
        }
        return presets;
    }
}
