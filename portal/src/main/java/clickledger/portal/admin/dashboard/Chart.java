package clickledger.portal.admin.dashboard;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.Stats;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;

/**
 * One chart of the dashboard: a line per series over the days of the range. The numbers travel to
 * portal.js in a data attribute (no inline script under the CSP) and are drawn with uPlot; money
 * goes as exact decimals, and the same figures are in a table under the chart for screen readers
 * and for anyone without JavaScript.
 */
public record Chart(String id, String title, List<String> days, List<Series> series) {
    public Chart {
        days = List.copyOf(days);
        series = List.copyOf(series);
    }

    /** One line: its label and a value per day. */
    public record Series(String label, List<BigDecimal> values) {
        public Series {
            values = List.copyOf(values);
        }
    }

    static Series series(String label, List<Stats.Figures> rows, Function<Stats.Figures, BigDecimal> value) {
        return new Series(label, rows.stream().map(value).toList());
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
