package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Sessions;
import clickledger.api.http.RequestLimits;
import clickledger.api.partner.Email;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.Map;

/**
 * The public routes behind the links mailed to people (RouteAccess.PUBLIC: the token is the
 * credential): asking for a password reset and using one, and confirming a new email address.
 */
public final class AccountLinkRoutes {
    private final PasswordResetService resets;
    private final EmailChangeService emailChanges;
    private final RequestLimits limits;

    public AccountLinkRoutes(PasswordResetService resets, EmailChangeService emailChanges, RequestLimits limits) {
        this.resets = requireNonNull(resets, "resets is null");
        this.emailChanges = requireNonNull(emailChanges, "emailChanges is null");
        this.limits = requireNonNull(limits, "limits is null");
    }

    record ResetRequest(String email) {}

    record ResetConfirm(String token, String password) {
        @Override
        public String toString() {
            return "ResetConfirm[<redacted>]";
        }
    }

    record EmailConfirm(String token) {
        @Override
        public String toString() {
            return "EmailConfirm[<redacted>]";
        }
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/password-resets", this::request);
        // The path position is named id like the other token routes (one name per position in
        // OpenAPI); here it carries the token of the link.
        routes.get("/v1/password-resets/{id}", ctx -> ctx.header(Header.CACHE_CONTROL, "no-store")
                .json(resets.preview(ctx.pathParam("id"))));
        routes.post("/v1/password-resets/confirm", this::confirm);
        routes.get("/v1/email-changes/{id}", ctx -> {
            EmailChangeService.Pending pending = emailChanges.preview(ctx.pathParam("id"));
            ctx.header(Header.CACHE_CONTROL, "no-store")
                    .json(Map.of("email", pending.pendingEmail(), "expiresAt", pending.expiresAt()));
        });
        routes.post("/v1/email-changes/confirm", this::confirmEmail);
    }

    private void request(Context ctx) {
        ResetRequest body = Json.body(ctx, ResetRequest.class);
        Email email = new Email(body.email());
        limits.admit(ctx, email.value());
        resets.request(email.value());
        // The same answer whether or not the address has an account.
        ctx.status(202).json(Map.of("status", "requested"));
    }

    private void confirm(Context ctx) {
        ResetConfirm body = Json.body(ctx, ResetConfirm.class);
        if (body.token() == null || body.token().isEmpty()) {
            throw ApiException.badRequest("token", "is required: the token of the password reset link");
        }
        Sessions.Started started = resets.confirm(body.token(), body.password(), ctx.header(Header.USER_AGENT));
        ctx.status(201)
                .header(Header.CACHE_CONTROL, "no-store")
                .json(SessionView.started(started.token(), started.person()));
    }

    private void confirmEmail(Context ctx) {
        EmailConfirm body = Json.body(ctx, EmailConfirm.class);
        if (body.token() == null || body.token().isEmpty()) {
            throw ApiException.badRequest("token", "is required: the token of the confirmation link");
        }
        ctx.json(Map.of("email", emailChanges.confirm(body.token())));
    }
}
