package clickledger.portal.admin.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Delivery;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Webhook;
import clickledger.portal.api.WebhooksClient;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Webhook endpoints and their delivery log: create (the signing secret is shown once), edit,
 * enable and disable, rotate the secret (shown once), send a test, read each delivery's attempts,
 * and redeliver one delivery or every dead one in a range of days.
 */
public final class WebhookRoutes {
    static final String SECTION = "webhooks";
    static final Set<String> FIELDS = Set.of("url", "description", "eventTypes", "enabled");
    static final int DEFAULT_OVERLAP_HOURS = 24;

    public static final List<Option> DELIVERY_STATUSES =
            Option.of("", "Any status", "pending", "Pending", "delivered", "Delivered", "dead", "Dead");

    /** The endpoint form as typed; {@code id} is null for a new endpoint. */
    public record WebhookForm(String id, String url, String description, List<String> eventTypes, boolean enabled) {
        static WebhookForm blank() {
            return new WebhookForm(null, "", "", List.of(), true);
        }

        static WebhookForm of(Webhook webhook) {
            return new WebhookForm(
                    webhook.id(),
                    webhook.url(),
                    webhook.description() == null ? "" : webhook.description(),
                    webhook.eventTypes(),
                    webhook.enabled());
        }

        static WebhookForm from(Form form, String id) {
            return new WebhookForm(
                    id, form.get("url"), form.get("description"), form.all("eventTypes"), form.checked("enabled"));
        }

        ObjectNode body() {
            ObjectNode body = ApiClient.object();
            body.put("url", url);
            body.put("description", description.isEmpty() ? null : description);
            ArrayNode types = body.putArray("eventTypes");
            eventTypes.forEach(types::add);
            body.put("enabled", enabled);
            return body;
        }

        public boolean creating() {
            return id == null;
        }

        public boolean subscribed(String eventType) {
            return eventTypes.contains(eventType);
        }
    }

    public record WebhooksPage(Layout layout, List<Webhook> webhooks, Paging paging) {}

    public record FormPage(Layout layout, WebhookForm form, FieldErrors errors) {}

    /** The page that shows a signing secret, once: after create and after rotate. */
    public record SecretPage(Layout layout, Webhook webhook, boolean rotated) {}

    public record WebhookPage(
            Layout layout,
            Webhook webhook,
            WebhookForm form,
            FieldErrors errors,
            List<Delivery> deliveries,
            String deliveryStatus,
            Paging paging,
            FieldErrors redeliverErrors) {}

    public record DeliveryPage(Layout layout, Delivery delivery, String payload) {}

    private final Pages pages;
    private final WebhooksClient webhooks;

    public WebhookRoutes(Pages pages, WebhooksClient webhooks) {
        this.pages = requireNonNull(pages, "pages is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/webhooks", this::list);
        routes.get("/webhooks/new", ctx -> renderForm(ctx, WebhookForm.blank(), FieldErrors.none(), 200));
        routes.post("/webhooks", this::create);
        routes.get("/webhooks/deliveries/{deliveryId}", this::delivery);
        routes.post("/webhooks/deliveries/{deliveryId}/redeliver", this::redeliverOne);
        routes.get("/webhooks/{id}", ctx -> show(ctx, null, FieldErrors.none(), FieldErrors.none(), 200));
        routes.post("/webhooks/{id}", this::update);
        routes.post("/webhooks/{id}/enable", ctx -> setEnabled(ctx, true));
        routes.post("/webhooks/{id}/disable", ctx -> setEnabled(ctx, false));
        routes.post("/webhooks/{id}/rotate-secret", this::rotate);
        routes.post("/webhooks/{id}/test", this::sendTest);
        routes.post("/webhooks/{id}/redeliver", this::redeliverRange);
    }

    private void list(Context ctx) {
        String cursor = ctx.queryParam("cursor");
        ListPage<Webhook> page = webhooks.list(Pages.caller(ctx), cursor);
        pages.render(
                ctx,
                "admin/webhook/list.jte",
                new WebhooksPage(
                        pages.layout(ctx, "Webhooks", SECTION),
                        page.items(),
                        Paging.of("/webhooks", Map.of(), cursor == null, page.nextCursor())));
    }

    private void create(Context ctx) {
        WebhookForm form = WebhookForm.from(Form.of(ctx), null);
        try {
            Webhook created = webhooks.create(Pages.caller(ctx), form.body());
            // Answered here rather than after a redirect: the secret must never sit in a URL or a cookie.
            pages.render(
                    ctx,
                    201,
                    "admin/webhook/secret.jte",
                    new SecretPage(pages.layout(ctx, "Webhook created", SECTION), created, false));
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            renderForm(ctx, form, FieldErrors.from(e, FIELDS), 400);
        }
    }

    private void renderForm(Context ctx, WebhookForm form, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "admin/webhook/new.jte",
                new FormPage(pages.layout(ctx, "New webhook", SECTION), form, errors));
    }

    private void show(Context ctx, WebhookForm typed, FieldErrors errors, FieldErrors redeliverErrors, int status) {
        Caller caller = Pages.caller(ctx);
        String id = ctx.pathParam("id");
        String deliveryStatus = Params.text(ctx, "status");
        String cursor = ctx.queryParam("cursor");
        Webhook webhook = webhooks.get(caller, id);
        ListPage<Delivery> deliveries = webhooks.deliveries(caller, id, deliveryStatus, cursor);
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("status", deliveryStatus);
        pages.render(
                ctx,
                status,
                "admin/webhook/show.jte",
                new WebhookPage(
                        pages.layout(ctx, "Webhook " + webhook.url(), SECTION),
                        webhook,
                        typed == null ? WebhookForm.of(webhook) : typed,
                        errors,
                        deliveries.items(),
                        deliveryStatus,
                        Paging.of("/webhooks/" + id, filters, cursor == null, deliveries.nextCursor()),
                        redeliverErrors));
    }

    private void update(Context ctx) {
        String id = ctx.pathParam("id");
        WebhookForm form = WebhookForm.from(Form.of(ctx), id);
        try {
            webhooks.update(Pages.caller(ctx), id, form.body());
            pages.redirect(ctx, "/webhooks/" + id, "Webhook saved.");
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            show(ctx, form, FieldErrors.from(e, FIELDS), FieldErrors.none(), 400);
        }
    }

    private void setEnabled(Context ctx, boolean enabled) {
        String id = ctx.pathParam("id");
        webhooks.update(Pages.caller(ctx), id, ApiClient.object().put("enabled", enabled));
        pages.redirect(
                ctx,
                "/webhooks/" + id,
                enabled
                        ? "Webhook enabled; its failure history is cleared."
                        : "Webhook disabled: nothing is sent to it.");
    }

    private void rotate(Context ctx) {
        int overlap = overlapHours(Form.of(ctx).get("overlapHours"));
        Webhook rotated = webhooks.rotateSecret(Pages.caller(ctx), ctx.pathParam("id"), overlap);
        pages.render(
                ctx,
                "admin/webhook/secret.jte",
                new SecretPage(pages.layout(ctx, "New signing secret", SECTION), rotated, true));
    }

    private static int overlapHours(String typed) {
        if (typed.isEmpty()) {
            return DEFAULT_OVERLAP_HOURS;
        }
        try {
            return Integer.parseInt(typed);
        } catch (NumberFormatException e) {
            // The api names the field and its range.
            return -1;
        }
    }

    private void sendTest(Context ctx) {
        String id = ctx.pathParam("id");
        webhooks.sendTest(Pages.caller(ctx), id);
        pages.redirect(ctx, "/webhooks/" + id, "A webhook.test delivery is queued; it appears in the log below.");
    }

    /** Every dead delivery created on the chosen days (UTC, both ends included). */
    private void redeliverRange(Context ctx) {
        String id = ctx.pathParam("id");
        Form form = Form.of(ctx);
        LocalDate from;
        LocalDate to;
        try {
            from = LocalDate.parse(form.get("from"));
            to = LocalDate.parse(form.get("to"));
        } catch (DateTimeParseException e) {
            show(ctx, null, FieldErrors.none(), FieldErrors.general("Choose both days, the first and the last."), 400);
            return;
        }
        try {
            int count = webhooks.redeliverRange(
                    Pages.caller(ctx),
                    id,
                    from.atStartOfDay(ZoneOffset.UTC).toInstant().toString(),
                    to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString());
            pages.redirect(
                    ctx,
                    "/webhooks/" + id,
                    count == 1 ? "1 dead delivery is queued again." : count + " dead deliveries are queued again.");
        } catch (ApiProblem e) {
            if (e.status() != 400) {
                throw e;
            }
            show(ctx, null, FieldErrors.none(), FieldErrors.from(e, Set.of("from", "to")), 400);
        }
    }

    private void delivery(Context ctx) {
        Delivery delivery = webhooks.delivery(Pages.caller(ctx), ctx.pathParam("deliveryId"));
        String payload = delivery.payload() == null ? "" : delivery.payload().toPrettyString();
        pages.render(
                ctx,
                "admin/webhook/delivery.jte",
                new DeliveryPage(pages.layout(ctx, "Delivery " + delivery.id(), SECTION), delivery, payload));
    }

    private void redeliverOne(Context ctx) {
        String deliveryId = ctx.pathParam("deliveryId");
        webhooks.redeliver(Pages.caller(ctx), deliveryId);
        pages.redirect(ctx, "/webhooks/deliveries/" + deliveryId, "Delivery queued again, due now.");
    }
}
