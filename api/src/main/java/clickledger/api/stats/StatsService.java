package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import clickledger.api.partner.PartnerId;
import clickledger.api.program.Program;
import clickledger.api.program.ProgramRepository;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Clicks, billable clicks, unique visitors, conversions, revenue, commissions, EPC and conversion
 * rate of a program over whole UTC days, in total and by day, partner or link. Reads only from
 * the read replica when one is configured (DATABASE_READ_URL), so dashboards never load the
 * primary. See docs/decisions/0004-stats-rollups.md for where each figure comes from.
 */
public final class StatsService {
    private static final Comparator<Map.Entry<Object, Counts>> BUSIEST_FIRST =
            Comparator.<Map.Entry<Object, Counts>>comparingLong(
                            entry -> entry.getValue().clicks())
                    .reversed()
                    .thenComparing(entry -> entry.getValue().revenueMinor(), Comparator.reverseOrder())
                    .thenComparing(entry -> (UUID) entry.getKey());

    private final DSLContext readDsl;
    private final Clock clock;

    /** @param readDsl the replica when there is one, else the primary ({@code Database.readDsl()}) */
    public StatsService(DSLContext readDsl, Clock clock) {
        this.readDsl = requireNonNull(readDsl, "readDsl is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The UTC day it is now, which a query's default range ends on. */
    public LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Admin stats: the whole program, or the partner or link the query names, by day, partner or link. */
    public StatsReport stats(StatsQuery query) {
        requireNonNull(query, "query is null");
        if (query.groupBy().isDimension()) {
            throw new IllegalArgumentException("groupBy " + query.groupBy().wire() + " is answered by breakdown");
        }
        Scope scope = scope(query);
        Program program = scope.program();
        StatsRepository repository = scope.repository();
        LocalDate today = scope.today();
        List<StatsRepository.LiveRange> live = scope.live();
        Currency currency = program.currency();
        StatsRepository.Split split =
                switch (query.groupBy()) {
                    case DAY -> StatsRepository.Split.DAY;
                    case PARTNER -> StatsRepository.Split.PARTNER;
                    case LINK -> StatsRepository.Split.LINK;
                    default -> throw new IllegalStateException("unreachable: " + query.groupBy());
                };
        List<LocalDate> changedDays = repository.changedDays(query);
        Map<Object, Counts> byKey = repository.counts(query, split, live, changedDays, today);
        byKey.remove(StatsRepository.UNLINKED);
        List<StatsReport.Row> rows = new ArrayList<>();
        Counts totals;
        if (query.groupBy() == GroupBy.DAY) {
            // Visitors and conversions are counted per day, so the days add up entirely.
            totals = byKey.values().stream().reduce(Counts.ZERO, Counts::plus);
            // Every day of the range, quiet ones included, so a chart has no gaps.
            for (LocalDate day = query.from(); !day.isAfter(query.to()); day = day.plusDays(1)) {
                rows.add(row(day.toString(), byKey.getOrDefault(day, Counts.ZERO), currency));
            }
        } else {
            byKey.entrySet().stream()
                    .sorted(BUSIEST_FIRST)
                    .forEach(entry -> rows.add(row(Ulid.encode((UUID) entry.getKey()), entry.getValue(), currency)));
            // Not the sum of the rows: a visitor of two partners on one day is one visitor of the
            // program, an event crediting two partners is one conversion. The scope's own grain
            // answers (for the whole program, one row a day).
            totals = repository
                    .counts(query, StatsRepository.Split.TOTAL, live, changedDays, today)
                    .getOrDefault(StatsRepository.Split.TOTAL, Counts.ZERO);
        }
        return new StatsReport(
                program.id(),
                currency.getCurrencyCode(),
                query.from(),
                query.to(),
                query.groupBy(),
                row(null, totals, currency),
                rows);
    }

    /**
     * The scope's clicks by one click dimension (the query's groupBy), with the scope's totals:
     * the {@code limit} busiest values, the rest as "other". See docs/decisions/0023.
     */
    public DimensionReport breakdown(StatsQuery query, int limit) {
        requireNonNull(query, "query is null");
        if (!query.groupBy().isDimension()) {
            throw new IllegalArgumentException("groupBy " + query.groupBy().wire() + " is answered by stats");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        Scope scope = scope(query);
        Program program = scope.program();
        StatsRepository repository = scope.repository();
        LocalDate today = scope.today();
        List<StatsRepository.LiveRange> live = scope.live();
        Currency currency = program.currency();
        Counts totals = repository
                .counts(query, StatsRepository.Split.TOTAL, live, repository.changedDays(query), today)
                .getOrDefault(StatsRepository.Split.TOTAL, Counts.ZERO);
        Map<DimensionRepository.Key, DimensionRepository.Figures> byValue =
                new DimensionRepository(readDsl).counts(query, live);
        DimensionRepository.Figures unknown =
                byValue.getOrDefault(DimensionRepository.UNKNOWN, DimensionRepository.Figures.ZERO);
        DimensionRepository.Figures other =
                byValue.getOrDefault(DimensionRepository.OTHER, DimensionRepository.Figures.ZERO);
        List<Map.Entry<DimensionRepository.Key, DimensionRepository.Figures>> named = byValue.entrySet().stream()
                .filter(entry -> entry.getKey().bucket().equals("v"))
                .sorted(Comparator.<Map.Entry<DimensionRepository.Key, DimensionRepository.Figures>>comparingLong(
                                entry -> entry.getValue().clicks())
                        .reversed()
                        .thenComparing(entry -> entry.getKey().value()))
                .toList();
        List<DimensionReport.Row> rows = new ArrayList<>();
        for (var entry : named) {
            if (rows.size() < limit) {
                DimensionRepository.Figures figures = entry.getValue();
                rows.add(new DimensionReport.Row(
                        entry.getKey().value(),
                        figures.clicks(),
                        figures.billable(),
                        Decimals.ratio(figures.clicks(), totals.clicks())));
            } else {
                other = other.plus(entry.getValue());
            }
        }
        return new DimensionReport(
                program.id(),
                currency.getCurrencyCode(),
                query.from(),
                query.to(),
                query.groupBy(),
                row(null, totals, currency),
                rows,
                share(unknown, totals),
                share(other, totals));
    }

    /** What every stats question starts from: its program (404 when none), today, the live ranges. */
    private record Scope(
            Program program, StatsRepository repository, LocalDate today, List<StatsRepository.LiveRange> live) {}

    private Scope scope(StatsQuery query) {
        Program program = new ProgramRepository(readDsl)
                .find(query.programId())
                .orElseThrow(() -> ApiException.notFound("program"));
        StatsRepository repository = new StatsRepository(readDsl);
        LocalDate today = today();
        return new Scope(program, repository, today, repository.liveRanges(query.from(), query.to(), today));
    }

    private static DimensionReport.Share share(DimensionRepository.Figures figures, Counts totals) {
        return new DimensionReport.Share(
                figures.clicks(), figures.billable(), Decimals.ratio(figures.clicks(), totals.clicks()));
    }

    /** {@link #breakdown} of one partner's own clicks (the partner portal, /v1/me/stats). */
    public DimensionReport breakdownForPartner(PartnerId partner, StatsQuery query, int limit) {
        requireNonNull(partner, "partner is null");
        requireNonNull(query, "query is null");
        if (query.partnerId() != null && !query.partnerId().equals(partner)) {
            throw ApiException.forbidden("a partner sees only its own stats");
        }
        return breakdown(query.forPartner(partner), limit);
    }

    /**
     * Stats of one partner, for partner-scoped keys and the partner portal: the partner's own
     * clicks, conversions and commissions only.
     *
     * @throws ApiException 403 when the query names another partner
     */
    public StatsReport statsForPartner(PartnerId partner, StatsQuery query) {
        requireNonNull(partner, "partner is null");
        requireNonNull(query, "query is null");
        if (query.partnerId() != null && !query.partnerId().equals(partner)) {
            throw ApiException.forbidden("a partner sees only its own stats");
        }
        return stats(query.forPartner(partner));
    }

    private static StatsReport.Row row(String key, Counts counts, Currency currency) {
        return new StatsReport.Row(
                key,
                counts.clicks(),
                counts.billableClicks(),
                counts.uniqueVisitors(),
                counts.conversions(),
                Decimals.money(counts.revenueMinor(), currency),
                Decimals.money(counts.commissionsMinor(), currency),
                Decimals.moneyPer(counts.commissionsMinor(), currency, counts.billableClicks()),
                Decimals.ratio(counts.conversions(), counts.billableClicks()));
    }
}
