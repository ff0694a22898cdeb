package clickledger.api.stats;

import clickledger.api.program.ProgramId;
import java.time.LocalDate;
import java.util.List;

/**
 * The answer of {@code GET /v1/stats?groupBy=country|device|browser|os|referrer|utmSource|utmCampaign}:
 * the scope's totals (every figure, as for the other groupings), then its clicks by value, busiest
 * first. {@code rows}, {@code unknown} and {@code other} add up to the totals' clicks and billable
 * clicks exactly.
 *
 * @param rows the busiest values, at most the request's limit
 * @param unknown clicks without a value (recorded before the dimension was captured, no Referer,
 *     no utm parameter)
 * @param other the values after the limit, and those a day had beyond the rollup's cap
 */
public record DimensionReport(
        ProgramId programId,
        String currency,
        LocalDate from,
        LocalDate to,
        GroupBy groupBy,
        StatsReport.Row totals,
        List<Row> rows,
        Share unknown,
        Share other) {
    public DimensionReport {
        rows = List.copyOf(rows);
    }

    /**
     * One value's clicks.
     *
     * @param key the value: an ISO 3166-1 alpha-2 code, a device class, a browser or OS family, a
     *     referrer's domain, a utm_source or utm_campaign
     * @param share clicks over the totals' clicks, 4 places; null without clicks
     */
    public record Row(String key, long clicks, long billableClicks, String share) {}

    /** Clicks that are not one value's (unknown or other). */
    public record Share(long clicks, long billableClicks, String share) {}
}
