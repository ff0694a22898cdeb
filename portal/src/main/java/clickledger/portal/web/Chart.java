package clickledger.portal.web;

import clickledger.portal.api.ApiClient;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;

/**
 * A chart of figures per day: a line per series. The numbers travel to portal.js in a data
 * attribute (no inline script under the CSP) and are drawn with uPlot; money goes as exact
 * decimals, and the same figures are in a table under the chart for screen readers and for anyone
 * without JavaScript. Used by the admin's and the partner's dashboards.
 */
public record Chart(String id, String title, List<String> days, List<Series> series) {
    public Chart {
        days = List.copyOf(days);
        series = List.copyOf(series);
    }

    /** One line: its label, a value per day, and the currency when the values are money (null for counts). */
    public record Series(String label, List<BigDecimal> values, String currency) {
        public Series {
            values = List.copyOf(values);
        }
    }

    /** A line of counts, one per row. */
    public static <T> Series counts(String label, List<T> rows, Function<T, Long> value) {
        return new Series(
                label,
                rows.stream().map(row -> BigDecimal.valueOf(value.apply(row))).toList(),
                null);
    }

    /** A line of money in {@code currency}, one per row, from the api's decimal strings. */
    public static <T> Series money(String label, String currency, List<T> rows, Function<T, String> amount) {
        return new Series(
                label,
                rows.stream().map(row -> new BigDecimal(amount.apply(row))).toList(),
                currency);
    }

    /** The table's cell for {@code series} on day {@code index}, written by {@link Format}. */
    public String cell(Format fmt, Series line, int index) {
        BigDecimal value = line.values().get(index);
        return line.currency() == null
                ? fmt.number(value.longValue())
                : fmt.money(value.toPlainString(), line.currency());
    }

    /** {@code {"days": [...], "series": [{"label", "values": [...]}]}} for the data-chart attribute. */
    public String json() {
        ObjectNode root = ApiClient.object();
        ArrayNode dayArray = root.putArray("days");
        days.forEach(dayArray::add);
        ArrayNode seriesArray = root.putArray("series");
        for (Series line : series) {
            ObjectNode node = seriesArray.addObject().put("label", line.label());
            ArrayNode values = node.putArray("values");
            line.values().forEach(values::add);
        }
        return root.toString();
    }
}
