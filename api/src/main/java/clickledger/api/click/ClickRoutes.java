package clickledger.api.click;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code GET /v1/clicks/{cref}}: one click by the id the router put in the redirect. A secret key
 * reads its own program's clicks; another program's click is a 404 to it, as if it did not exist.
 */
public final class ClickRoutes {
    private final ClickRepository clicks;

    public ClickRoutes(ClickRepository clicks) {
        this.clicks = requireNonNull(clicks, "clicks is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/v1/clicks/{cref}", this::get);
    }

    private void get(Context ctx) {
        ClickId id = ClickId.parse("cref", ctx.pathParam("cref"));
        Click click = clicks.find(id).orElseThrow(() -> ApiException.notFound("click"));
        Access.requireProgramAccess(ctx, click.programId(), "click");
        ctx.json(click);
    }
}
