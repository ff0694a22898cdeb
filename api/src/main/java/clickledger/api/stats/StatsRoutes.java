package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /v1/stats?programId=&from=&to=&groupBy=day|partner|link&partnerId=&linkId=}. Admin
 * keys only for now (the /v1 guard); partner-scoped keys will call
 * {@link StatsService#statsForPartner}.
 */
public final class StatsRoutes {
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
        ctx.json(service.stats(StatsQuery.fromRequest(ctx, service.today())));
    }
}
