package clickledger.portal.web;

import clickledger.portal.api.Breakdown;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A dashboard's table of clicks by one click dimension (countries, devices, browsers, OS,
 * referrers, utm sources and campaigns): each value with its clicks and share, then the clicks
 * without a value and the rest as their own lines. Rendered by {@code web/breakdown.jte}.
 *
 * @param id the section's id (its heading is {@code id-heading})
 * @param title the heading, which a screen reader and the browser tests find the table by
 * @param column what the first column names
 */
public record DimensionTable(String id, String title, String column, List<Line> lines) {
    /** The dimensions a dashboard shows, in its order: the api's groupBy, heading, column, rows kept. */
    public record Dimension(String groupBy, String title, String column, int limit) {}

    public static final List<Dimension> DASHBOARD = List.of(
            new Dimension("country", "Countries", "Country", 10),
            new Dimension("device", "Devices", "Device", 5),
            new Dimension("browser", "Top browsers", "Browser", 5),
            new Dimension("os", "Top operating systems", "Operating system", 5),
            new Dimension("referrer", "Top referrers", "Referrer", 10),
            new Dimension("utmSource", "Top UTM sources", "utm_source", 5),
            new Dimension("utmCampaign", "Top UTM campaigns", "utm_campaign", 5));

    /**
     * @param share clicks over all the range's clicks, the api's ratio ("0.4200"), for a
     *     {@code <meter>}
     * @param rest true for the "unknown" and "other" lines
     */
    public record Line(String label, long clicks, String share, boolean rest) {}

    public DimensionTable {
        lines = List.copyOf(lines);
    }

    public static DimensionTable of(
            Dimension dimension,
            String idPrefix,
            List<Breakdown.Row> rows,
            Breakdown.Share unknown,
            Breakdown.Share other,
            Locale locale) {
        List<Line> lines = new ArrayList<>();
        for (Breakdown.Row row : rows) {
            lines.add(new Line(label(dimension.groupBy(), row.key(), locale), row.clicks(), row.share(), false));
        }
        if (unknown != null && unknown.clicks() > 0) {
            lines.add(new Line(unknownLabel(dimension.groupBy()), unknown.clicks(), unknown.share(), true));
        }
        if (other != null && other.clicks() > 0) {
            lines.add(new Line("Other", other.clicks(), other.share(), true));
        }
        return new DimensionTable(idPrefix + dimension.groupBy(), dimension.title(), dimension.column(), lines);
    }

    static String label(String groupBy, String key, Locale locale) {
        return switch (groupBy) {
            case "country" -> country(key, locale);
            case "device" -> key.isEmpty() ? key : key.substring(0, 1).toUpperCase(Locale.ROOT) + key.substring(1);
            default -> key;
        };
    }

    private static String unknownLabel(String groupBy) {
        return switch (groupBy) {
            case "referrer" -> "Direct or none";
            case "utmSource", "utmCampaign" -> "None";
            default -> "Unknown";
        };
    }

    /**
     * "🇩🇪 Germany (DE)": the flag (two regional indicator symbols) and the name in the viewer's
     * language; a code Java does not know stays as it is.
     */
    static String country(String code, Locale locale) {
        if (code == null || code.length() != 2 || !isLetter(code.charAt(0)) || !isLetter(code.charAt(1))) {
            return code;
        }
        String flag = new String(Character.toChars(0x1F1E6 + code.charAt(0) - 'A'))
                + new String(Character.toChars(0x1F1E6 + code.charAt(1) - 'A'));
        String name = Locale.of("", code).getDisplayCountry(locale);
        return name.isEmpty() || name.equals(code) ? flag + " " + code : flag + " " + name + " (" + code + ")";
    }

    private static boolean isLetter(char c) {
        return c >= 'A' && c <= 'Z';
    }
}
