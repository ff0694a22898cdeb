package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Ids;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.http.Timestamps;
import clickledger.web.ApiException;
import clickledger.web.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import java.time.Instant;
import java.util.Map;

/**
 * {@code /v1/webhooks}: endpoints (create, list, get, patch, delete, rotate-secret, test) and
 * their delivery log (list with filters, one delivery with its attempts, redeliver one, redeliver
 * the dead ones of a time range).
 */
public final class WebhookRoutes {
    private final WebhookService service;

    public WebhookRoutes(WebhookService service) {
        this.service = requireNonNull(service, "service is null");
    }

    /** The body of {@code POST /v1/webhooks/{id}/rotate-secret}; the body itself is optional. */
    record RotateSecret(Integer overlapHours) {}

    /** The body of {@code POST /v1/webhooks/{id}/redeliver}: created at or after from, before to. */
    record RedeliverRange(String from, String to) {}

    public void register(RoutesConfig routes) {
        // The literal "deliveries" routes first, so they are never read as an endpoint id.
        routes.get("/v1/webhooks/deliveries/{deliveryId}", this::delivery);
        routes.post("/v1/webhooks/deliveries/{deliveryId}/redeliver", this::redeliver);
        routes.post("/v1/webhooks", this::create);
        routes.get("/v1/webhooks", ctx -> ctx.json(service.list(PageRequest.from(ctx))));
        routes.get("/v1/webhooks/{id}", ctx -> ctx.json(service.find(id(ctx)).orElseThrow(WebhookRoutes::notFound)));
        routes.patch("/v1/webhooks/{id}", this::update);
        routes.delete("/v1/webhooks/{id}", this::delete);
        routes.post("/v1/webhooks/{id}/rotate-secret", this::rotateSecret);
        routes.post("/v1/webhooks/{id}/test", this::sendTest);
        routes.get("/v1/webhooks/{id}/deliveries", this::deliveries);
        routes.post("/v1/webhooks/{id}/redeliver", this::redeliverDead);
    }

    private void create(Context ctx) {
        WebhookWithSecret created = service.create(Json.body(ctx, WebhookCreate.class), Principal.of(ctx));
        ctx.status(201)
                .header(Header.LOCATION, "/v1/webhooks/" + created.endpoint().id())
                .header(Header.CACHE_CONTROL, "no-store")
                .json(created);
    }

    private void update(Context ctx) {
        WebhookEndpointId id = id(ctx);
        WebhookPatch patch = Json.body(ctx, WebhookPatch.class);
        ctx.json(service.update(id, patch, Json.presentFields(ctx), Principal.of(ctx))
                .orElseThrow(WebhookRoutes::notFound));
    }

    private void delete(Context ctx) {
        if (!service.delete(id(ctx), Principal.of(ctx))) {
            throw notFound();
        }
        ctx.status(204);
    }

    private void rotateSecret(Context ctx) {
        WebhookEndpointId id = id(ctx);
        Integer overlapHours =
                ctx.body().isBlank() ? null : Json.body(ctx, RotateSecret.class).overlapHours();
        ctx.header(Header.CACHE_CONTROL, "no-store")
                .json(service.rotateSecret(id, overlapHours, Principal.of(ctx)).orElseThrow(WebhookRoutes::notFound));
    }

    private void sendTest(Context ctx) {
        ctx.status(202).json(service.sendTest(id(ctx)).orElseThrow(WebhookRoutes::notFound));
    }

    private void deliveries(Context ctx) {
        FieldErrors errors = new FieldErrors();
        WebhookEndpointId id = errors.check(() -> id(ctx));
        DeliveryFilter filter = errors.check(() -> DeliveryFilter.parse(ctx));
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        ctx.json(service.deliveries(id, filter, page).orElseThrow(WebhookRoutes::notFound));
    }

    private void delivery(Context ctx) {
        ctx.json(service.delivery(deliveryId(ctx)).orElseThrow(() -> ApiException.notFound("delivery")));
    }

    private void redeliver(Context ctx) {
        DeliveryId id = deliveryId(ctx);
        ctx.status(202)
                .json(service.redeliver(id, Principal.of(ctx)).orElseThrow(() -> ApiException.notFound("delivery")));
    }

    private void redeliverDead(Context ctx) {
        WebhookEndpointId id = id(ctx);
        RedeliverRange body = Json.body(ctx, RedeliverRange.class);
        FieldErrors errors = new FieldErrors();
        Instant from = errors.check(() -> Timestamps.parse("from", body.from()));
        Instant to = errors.check(() -> Timestamps.parse("to", body.to()));
        if (from != null && to != null && !to.isAfter(from)) {
            errors.add("to", "must be after from");
        }
        errors.throwIfAny();
        int count = service.redeliverDead(id, from, to, Principal.of(ctx)).orElseThrow(WebhookRoutes::notFound);
        ctx.status(202).json(Map.of("count", count));
    }

    private static WebhookEndpointId id(Context ctx) {
        return new WebhookEndpointId(PathIds.id(ctx));
    }

    private static DeliveryId deliveryId(Context ctx) {
        return new DeliveryId(Ids.parse("deliveryId", ctx.pathParam("deliveryId")));
    }

    private static ApiException notFound() {
        return ApiException.notFound("webhook endpoint");
    }
}
