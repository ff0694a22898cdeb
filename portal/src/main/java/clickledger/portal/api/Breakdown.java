package clickledger.portal.api;

import java.time.LocalDate;
import java.util.List;

/**
 * {@code GET /v1/stats?groupBy=country|device|browser|os|referrer|utmSource|utmCampaign}: the
 * program's totals and its clicks by the dimension's values, busiest first; {@code unknown} (no
 * value) and {@code other} (the values after the limit) make the rows add up to the totals.
 */
public record Breakdown(
        String programId,
        String currency,
        LocalDate from,
        LocalDate to,
        String groupBy,
        Stats.Figures totals,
        List<Row> rows,
        Share unknown,
        Share other) {
    public Breakdown {
        rows = rows == null ? List.of() : List.copyOf(rows);
    }

    /** @param share clicks over the totals' clicks, a ratio like "0.4200"; null without clicks */
    public record Row(String key, long clicks, long billableClicks, String share) {}

    public record Share(long clicks, long billableClicks, String share) {}
}
