package clickledger.api.stats;

import clickledger.api.program.ProgramId;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.LocalDate;
import java.util.List;

/**
 * The answer of {@code GET /v1/stats}. Money is a decimal string in the program's currency.
 *
 * @param groupBy what each row's key is: a day, a partner id or a link id
 */
public record StatsReport(
        ProgramId programId,
        String currency,
        LocalDate from,
        LocalDate to,
        GroupBy groupBy,
        Row totals,
        List<Row> rows) {
    public StatsReport {
        rows = List.copyOf(rows);
    }

    /**
     * One row, or the totals (which have no key).
     *
     * @param uniqueVisitors distinct visitors of each day at this row's grain (link, partner or
     *     program), summed over the days: unique visitors do not add up across rows
     * @param epc net commissions per billable click, in the currency's major unit; null without
     *     billable clicks
     * @param conversionRate conversions per billable click; null without billable clicks
     */
    public record Row(
            @JsonInclude(JsonInclude.Include.NON_NULL) String key,
            long clicks,
            long billableClicks,
            long uniqueVisitors,
            long conversions,
            String revenue,
            String commissions,
            String epc,
            String conversionRate) {}
}
