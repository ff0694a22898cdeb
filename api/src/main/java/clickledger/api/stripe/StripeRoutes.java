package clickledger.api.stripe;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.PageRequest;
import clickledger.api.program.ProgramId;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * {@code /v1/programs/{id}/integrations/stripe}: connect (PUT), show (GET), disconnect (DELETE),
 * the events received ({@code /events}) and "send test" ({@code /test}), all for admin keys; and
 * the two routes Stripe posts to, which carry no key but a {@code Stripe-Signature} (RouteAccess
 * lists the first as public): the program's own {@code /webhook} and OpenPartner's
 * {@code POST /webhooks/stripe} for COMPAT_DEFAULT_PROGRAM.
 */
public final class StripeRoutes {
    public static final String BASE = "/v1/programs/{id}/integrations/stripe";
    public static final String WEBHOOK = BASE + "/webhook";
    public static final String COMPAT_WEBHOOK = "/webhooks/stripe";
    public static final String SIGNATURE_HEADER = "Stripe-Signature";

    private final StripeService service;

    public StripeRoutes(StripeService service) {
        this.service = requireNonNull(service, "service is null");
    }

    public void register(RoutesConfig routes) {
        routes.get(BASE, ctx -> ctx.json(service.get(programId(ctx))));
        routes.put(BASE, this::connect);
        routes.delete(BASE, this::disconnect);
        routes.get(BASE + "/events", this::events);
        routes.post(BASE + "/test", this::sendTest);
        routes.post(WEBHOOK, ctx -> receive(ctx, programId(ctx)));
        routes.post(COMPAT_WEBHOOK, ctx -> receive(ctx, service.compatProgram()));
    }

    private void connect(Context ctx) {
        ProgramId programId = programId(ctx);
        StripeConnect request = StripeConnect.from(Json.body(ctx, JsonNode.class));
        StripeService.Connected connected = service.connect(programId, request, Principal.of(ctx));
        ctx.status(connected.created() ? 201 : 200).json(connected.integration());
    }

    private void disconnect(Context ctx) {
        if (!service.disconnect(programId(ctx), Principal.of(ctx))) {
            throw new ApiException(
                    404,
                    "stripe_not_connected",
                    "Not found",
                    "the program has no Stripe integration",
                    java.util.List.of());
        }
        ctx.status(204);
    }

    private void events(Context ctx) {
        FieldErrors errors = new FieldErrors();
        ProgramId programId = errors.check(() -> programId(ctx));
        StripeOutcome outcome = errors.check(() -> outcome(ctx.queryParam("outcome")));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(service.events(programId, outcome, page));
    }

    private void sendTest(Context ctx) {
        // Back to this very server, on the address and port the admin's request came in on.
        String host = ctx.req().getLocalAddr();
        String self = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + ctx.req().getLocalPort();
        ctx.json(service.sendTest(programId(ctx), self));
    }

    private void receive(Context ctx, ProgramId programId) {
        ctx.json(service.receive(programId, ctx.bodyAsBytes(), ctx.header(SIGNATURE_HEADER)));
    }

    private static ProgramId programId(Context ctx) {
        return ProgramId.parse("id", ctx.pathParam("id"));
    }

    private static StripeOutcome outcome(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        for (StripeOutcome outcome : StripeOutcome.values()) {
            if (outcome.wire().equals(text)) {
                return outcome;
            }
        }
        throw ApiException.badRequest("outcome", "must be one of processed, ignored, held, failed, test");
    }
}
