package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /v1/stats?programId=&from=&to=&groupBy=&partnerId=&linkId=&limit=}, groupBy one of
 * {@link GroupBy#ALLOWED} (day by default). Admin
 * keys only for now (the /v1 guard); partner-scoped keys will call
 * {@link StatsService#statsForPartner}.
 */
public final class StatsRoutes {
    static final int MAX_LIMIT = 1_000;
    /** Rows of a dimension's answer without ?limit=: the values after them are its "other". */
    public static final int DEFAULT_DIMENSION_ROWS = 100;

    private final StatsService service;

    public StatsRoutes(StatsService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/stats", this::get);
    }

    private void get(Context ctx) {
        // Stats span every partner of a program: only an admin may see them all.
        if (Principal.of(ctx).kind() != Principal.Kind.ADMIN) {
            throw ApiException.forbidden("stats of a whole program need an admin key");
        }
        StatsQuery query = StatsQuery.fromRequest(ctx, service.today());
        if (query.groupBy().isDimension()) {
            Integer limit = limit(ctx.queryParam("limit"));
            ctx.json(service.breakdown(query, limit == null ? DEFAULT_DIMENSION_ROWS : limit));
            return;
        }
        ctx.json(limited(service.stats(query), ctx.queryParam("limit")));
    }

    /** {@code ?limit=}: null when absent, else a whole number from 1 to {@value #MAX_LIMIT}. */
    public static Integer limit(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        int limit;
        try {
            limit = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            limit = 0;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit", "must be a whole number from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    /**
     * {@code ?limit=}: the first rows of a partner or link grouping (busiest first), for a
     * dashboard's top five; the totals stay those of every row. Days are never cut.
     */
    private static StatsReport limited(StatsReport report, String text) {
        Integer limit = limit(text);
        if (limit == null) {
            return report;
        }
        if (report.groupBy() == GroupBy.DAY || report.rows().size() <= limit) {
            return report;
        }
        return new StatsReport(
                report.programId(),
                report.currency(),
                report.from(),
                report.to(),
                report.groupBy(),
                report.totals(),
                report.rows().subList(0, limit));
    }
}
