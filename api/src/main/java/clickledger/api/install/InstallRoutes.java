package clickledger.api.install;

import static java.util.Objects.requireNonNull;

import clickledger.api.admin.AdminView;
import clickledger.api.person.SessionView;
import clickledger.api.program.Program;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Header;
import java.util.Map;

/**
 * {@code GET /v1/install} ({@code {"needed": bool}}) and {@code POST /v1/install}: public, the
 * only way in before any admin exists; ADMIN_API_KEY works throughout for automation.
 */
public final class InstallRoutes {
    private final InstallService service;

    public InstallRoutes(InstallService service) {
        this.service = requireNonNull(service, "service is null");
    }

    /** The answer to an install: the signed-in session, the admin, the program (null when none was asked for). */
    record Answer(SessionView session, AdminView admin, Program program) {}

    public void register(RoutesConfig routes) {
        routes.get("/v1/install", ctx -> ctx.json(Map.of("needed", service.needed())));
        routes.post("/v1/install", ctx -> {
            InstallService.InstallRequest request = Json.body(ctx, InstallService.InstallRequest.class);
            InstallService.Installed installed = service.install(request, ctx.header(Header.USER_AGENT));
            ctx.status(201)
                    .header(Header.CACHE_CONTROL, "no-store")
                    .json(new Answer(
                            SessionView.started(
                                    installed.session().token(),
                                    installed.session().person()),
                            AdminView.of(installed.admin()),
                            installed.program()));
        });
    }
}
