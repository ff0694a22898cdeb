package clickledger.api.onboarding;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Ids;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.http.RequestLimits;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Applications: the public form ({@code GET|POST /v1/apply/{slug}}, rate-limited per client
 * address), each program's form settings ({@code GET|PUT /v1/programs/{id}/application-form}) and
 * the admins' queue ({@code /v1/applications}: list, get, approve, reject).
 */
public final class ApplicationRoutes {
    private static final Set<String> STATUSES =
            Set.of(Applications.PENDING, Applications.APPROVED, Applications.REJECTED);

    private final Applications applications;
    private final RequestLimits limits;

    public ApplicationRoutes(Applications applications, RequestLimits limits) {
        this.applications = requireNonNull(applications, "applications is null");
        this.limits = requireNonNull(limits, "limits is null");
    }

    record FormBody(Boolean enabled, String terms) {}

    record RejectBody(String reason) {}

    public void register(RoutesConfig routes) {
        routes.get("/v1/apply/{slug}", ctx -> ctx.json(applications.publicForm(ctx.pathParam("slug"))));
        routes.post("/v1/apply/{slug}", this::apply);
        routes.get("/v1/programs/{id}/application-form", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(applications.form(PathIds.id(ctx)));
        });
        routes.put("/v1/programs/{id}/application-form", ctx -> {
            Principal actor = Access.requireAdmin(ctx);
            UUID programId = PathIds.id(ctx);
            FormBody body = Json.body(ctx, FormBody.class);
            ctx.json(applications.setForm(programId, body.enabled(), body.terms(), actor));
        });
        routes.get("/v1/applications", this::list);
        routes.get("/v1/applications/{id}", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(applications.get(PathIds.id(ctx)));
        });
        routes.post("/v1/applications/{id}/approve", ctx -> {
            Principal actor = Access.requireAdmin(ctx);
            ctx.header(Header.CACHE_CONTROL, "no-store").json(applications.approve(PathIds.id(ctx), actor));
        });
        routes.post("/v1/applications/{id}/reject", ctx -> {
            Principal actor = Access.requireAdmin(ctx);
            UUID id = PathIds.id(ctx);
            String body = ctx.body();
            RejectBody reject = body.isBlank() ? new RejectBody(null) : Json.body(ctx, RejectBody.class);
            ctx.json(applications.reject(id, reject.reason(), actor));
        });
    }

    private void apply(Context ctx) {
        Applications.Submission submission = Json.body(ctx, Applications.Submission.class);
        // Per client address and per email: neither many addresses nor one may flood the admins.
        limits.admit(ctx, submission.email());
        applications.apply(ctx.pathParam("slug"), submission);
        // The same answer for a new application, a repeated one and a honeypot hit.
        ctx.status(202).json(Map.of("status", "received"));
    }

    private void list(Context ctx) {
        Access.requireAdmin(ctx);
        FieldErrors errors = new FieldErrors();
        String programText = ctx.queryParam("programId");
        UUID programId = programText == null || programText.isEmpty()
                ? null
                : errors.check(() -> Ids.parse("programId", programText));
        String status = ctx.queryParam("status");
        if (status != null && !status.isEmpty() && !STATUSES.contains(status)) {
            errors.add("status", "must be one of pending, approved, rejected");
        }
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(applications.list(programId, status == null || status.isEmpty() ? null : status, page));
    }
}
