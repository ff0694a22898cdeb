package clickledger.api.stats;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Header;

/**
 * {@code GET /v1/stats/live?programId=}: the live click counter, admins only (a whole program's
 * clicks). Answers {@code Cache-Control: private, max-age=<interval>}, since a newer value does not
 * exist before then.
 */
public final class LiveStatsRoutes {
    private final LiveClicks live;

    public LiveStatsRoutes(LiveClicks live) {
        this.live = requireNonNull(live, "live is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/stats/live", ctx -> {
            Access.requireAdmin(ctx);
            String text = ctx.queryParam("programId");
            if (text == null || text.isEmpty()) {
                throw ApiException.badRequest("programId", "is required");
            }
            ProgramId programId = ProgramId.parse("programId", text);
            LiveClicks.Counts counts = live.current(programId).orElseThrow(() -> ApiException.notFound("program"));
            ctx.header(
                            Header.CACHE_CONTROL,
                            "private, max-age=" + live.interval().toSeconds())
                    .json(counts);
        });
    }
}
