package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.auth.Sessions;
import clickledger.api.auth.SignedIn;
import clickledger.api.http.FieldErrors;
import clickledger.api.partner.Email;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.util.List;

/**
 * Signing in and out: {@code POST /v1/sessions} (public, rate-limited), {@code GET|DELETE
 * /v1/sessions/current} and {@code POST /v1/account/password} (any session; a key has no session
 * and gets 404 {@code no_session}).
 */
public final class SessionRoutes {
    private final SignInService service;
    private final SignInLimits limits;

    public SessionRoutes(SignInService service, SignInLimits limits) {
        this.service = requireNonNull(service, "service is null");
        this.limits = requireNonNull(limits, "limits is null");
    }

    /** The body of a sign-in. */
    record SignIn(String email, String password) {
        @Override
        public String toString() {
            return "SignIn[email=" + email + ", password=<redacted>]";
        }
    }

    /** The body of a password change. */
    record PasswordChange(String currentPassword, String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[<redacted>]";
        }
    }

    public void register(RoutesConfig routes) {
        routes.post("/v1/sessions", this::signIn);
        routes.get("/v1/sessions/current", ctx -> ctx.json(SessionView.current(person(ctx))));
        routes.delete("/v1/sessions/current", ctx -> {
            service.signOut(person(ctx));
            ctx.status(204);
        });
        routes.post("/v1/account/password", ctx -> {
            SignedIn person = person(ctx);
            PasswordChange body = Json.body(ctx, PasswordChange.class);
            limits.admit(ctx, person.email());
            service.changePassword(person, body.currentPassword(), body.newPassword());
            ctx.status(204);
        });
    }

    private void signIn(Context ctx) {
        SignIn body = Json.body(ctx, SignIn.class);
        FieldErrors errors = new FieldErrors();
        Email email = errors.check(() -> new Email(body.email()));
        if (body.password() == null || body.password().isEmpty()) {
            errors.add("password", "is required");
        } else if (body.password().length() > PasswordPolicy.MAX_LENGTH * 2) {
            // No password this long was ever accepted; refusing it spares an Argon2 run over megabytes.
            errors.add("password", "must be at most " + PasswordPolicy.MAX_LENGTH + " characters");
        }
        errors.throwIfAny();
        limits.admit(ctx, email.value());
        Sessions.Started started = service.signIn(email.value(), body.password(), ctx.header(Header.USER_AGENT));
        ctx.status(201)
                .header(Header.CACHE_CONTROL, "no-store")
                .json(SessionView.started(started.token(), started.person()));
    }

    /** The signed-in person of the request; a key (no person) gets 404 no_session. */
    static SignedIn person(Context ctx) {
        SignedIn person = Principal.of(ctx).person();
        if (person == null) {
            throw new ApiException(
                    404,
                    "no_session",
                    "Not found",
                    "this request was made with an API key, which has no session; sign in with POST /v1/sessions",
                    List.of());
        }
        return person;
    }
}
