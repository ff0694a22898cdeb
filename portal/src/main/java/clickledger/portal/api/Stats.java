package clickledger.portal.api;

import java.time.LocalDate;
import java.util.List;

/** {@code GET /v1/stats}: totals and rows per day, partner or link, money as decimal strings. */
public record Stats(
        String programId,
        String currency,
        LocalDate from,
        LocalDate to,
        String groupBy,
        Figures totals,
        List<Figures> rows) {

    public Stats {
        rows = rows == null ? List.of() : List.copyOf(rows);
    }

    /** {@code key} is the day, partner id or link id of a row; null for the totals. */
    public record Figures(
            String key,
            long clicks,
            long billableClicks,
            long uniqueVisitors,
            long conversions,
            String revenue,
            String commissions,
            String epc,
            String conversionRate) {}
}
