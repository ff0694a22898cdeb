package clickledger.portal.admin.apikey;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiKey;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.Program;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** API keys for automation: create (the key is shown once, with a copy button), list, revoke. */
public final class ApiKeyRoutes {
    static final String SECTION = "api-keys";
    static final Set<String> FIELDS = Set.of("name", "kind", "programId", "partnerId");

    public static final List<Option> KINDS = Option.of(
            "secret", "Secret: your server's identify and events, one program",
            "publishable", "Publishable: identify from a browser, one program",
            "admin", "Admin: everything, like ADMIN_API_KEY",
            "partner", "Partner: one partner's own links and stats");

    public record KeyForm(String name, String kind, String programId, String partnerId) {
        static KeyForm blank() {
            return new KeyForm("", "secret", null, "");
        }

        static KeyForm from(Form form) {
            return new KeyForm(form.get("name"), form.get("kind"), form.get("programId"), form.get("partnerId"));
        }

        ObjectNode body() {
            ObjectNode body = ApiClient.object().put("name", name).put("kind", kind);
            // Admin keys take neither; partner keys may narrow to a program. The api checks the rest.
            if (!programId.isEmpty() && !kind.equals("admin")) {
                body.put("programId", programId);
            }
            if (!partnerId.isEmpty()) {
                body.put("partnerId", partnerId);
            }
            return body;
        }
    }

    public record KeysPage(
            Layout layout,
            List<ApiKey> keys,
            Map<String, String> programNames,
            Paging paging,
            KeyForm form,
            List<Option> programs,
            FieldErrors errors) {}

    public record CreatedPage(Layout layout, ApiKey key) {}

    public record RevokePage(Layout layout, ApiKey key) {}

    private final Pages pages;
    private final Api api;

    public ApiKeyRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/api-keys", ctx -> list(ctx, KeyForm.blank(), FieldErrors.none(), 200));
        routes.post("/api-keys", this::create);
        routes.get("/api-keys/{id}/revoke", this::confirmRevoke);
        routes.post("/api-keys/{id}/revoke", this::revoke);
    }

    private void list(Context ctx, KeyForm form, FieldErrors errors, int status) {
        Caller caller = Pages.caller(ctx);
        String cursor = ctx.queryParam("cursor");
        var loaded = Parallel.both(
                () -> api.apiKeys().list(caller, cursor), () -> api.programs().all(caller));
        ListPage<ApiKey> page = loaded.first();
        Map<String, String> programNames = new LinkedHashMap<>();
        List<Option> programs = new ArrayList<>(List.of(new Option("", "No program (admin and partner keys)")));
        for (Program program : loaded.second()) {
            programNames.put(program.id(), program.name());
            programs.add(new Option(program.id(), program.name()));
        }
        KeyForm shown = form.programId() == null && !loaded.second().isEmpty()
                ? new KeyForm(
                        form.name(), form.kind(), loaded.second().getFirst().id(), form.partnerId())
                : form;
        pages.render(
                ctx,
                status,
                "admin/apikey/list.jte",
                new KeysPage(
                        pages.layout(ctx, "API keys", SECTION),
                        page.items(),
                        programNames,
                        Paging.of("/api-keys", Map.of(), cursor == null, page.nextCursor()),
                        shown,
                        programs,
                        errors));
    }

    private void create(Context ctx) {
        KeyForm form = KeyForm.from(Form.of(ctx));
        try {
            ApiKey created = api.apiKeys().create(Pages.caller(ctx), form.body());
            // Shown in this answer only: the key never sits in a URL, a cookie or the api's storage.
            pages.render(
                    ctx,
                    201,
                    "admin/apikey/created.jte",
                    new CreatedPage(pages.layout(ctx, "API key created", SECTION), created));
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 404) {
                throw e;
            }
            list(ctx, form, FieldErrors.from(e, FIELDS), 400);
        }
    }

    private void confirmRevoke(Context ctx) {
        ApiKey key = find(Pages.caller(ctx), ctx.pathParam("id"));
        pages.render(
                ctx,
                "admin/apikey/revoke.jte",
                new RevokePage(pages.layout(ctx, "Revoke " + key.name(), SECTION), key));
    }

    private ApiKey find(Caller caller, String id) {
        return api.apiKeys().get(caller, id);
    }

    private void revoke(Context ctx) {
        ApiKey key = api.apiKeys().revoke(Pages.caller(ctx), ctx.pathParam("id"));
        pages.redirect(ctx, "/api-keys", "Key " + key.name() + " (" + key.prefix() + ") is revoked.");
    }
}
