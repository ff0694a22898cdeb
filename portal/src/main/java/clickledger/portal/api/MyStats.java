package clickledger.portal.api;

import java.time.LocalDate;
import java.util.List;

/**
 * {@code GET /v1/me/stats}: per program, the partner's figures per UTC day (every day of the range
 * present) and their totals; and the all-time balances per currency. Money is the api's decimal
 * strings.
 */
public record MyStats(LocalDate from, LocalDate to, List<ProgramStats> programs, List<Balance> balances) {
    public MyStats {
        programs = programs == null ? List.of() : List.copyOf(programs);
        balances = balances == null ? List.of() : List.copyOf(balances);
    }

    public record Figures(long clicks, long billableClicks, long conversions, String commissions) {}

    public record Day(LocalDate day, long clicks, long billableClicks, long conversions, String commissions) {}

    /** One link's figures over the range ({@code groupBy=link}). */
    public record LinkFigures(String linkId, long clicks, long billableClicks, long conversions, String commissions) {}

    /** The partner's own clicks by a click dimension ({@code groupBy=country} and the like). */
    public record Split(String groupBy, List<Breakdown.Row> rows, Breakdown.Share unknown, Breakdown.Share other) {
        public Split {
            rows = rows == null ? List.of() : List.copyOf(rows);
        }
    }

    /**
     * {@code links} is empty unless asked for with {@code groupBy=link}; {@code breakdown} is null
     * unless asked for with a click dimension.
     */
    public record ProgramStats(
            String programId,
            String programSlug,
            String programName,
            String currency,
            Figures totals,
            List<Day> days,
            List<LinkFigures> links,
            Split breakdown) {
        public ProgramStats {
            days = days == null ? List.of() : List.copyOf(days);
            links = links == null ? List.of() : List.copyOf(links);
        }
    }

    /** What the partner has earned in one currency: owed (pending, approved), paid and taken back. */
    public record Balance(String currency, String pending, String approved, String paid, String reversed) {}
}
