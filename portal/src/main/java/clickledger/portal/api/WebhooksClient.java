package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code /v1/webhooks}: endpoints, their secrets, tests and the delivery log. */
public final class WebhooksClient {
    private final ApiClient api;

    public WebhooksClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public ListPage<Webhook> list(Caller caller, String cursor) {
        return api.list(caller, ApiPath.of("/v1/webhooks").param("cursor", cursor), Webhook.class);
    }

    public Webhook get(Caller caller, String id) {
        return api.get(caller, ApiPath.of("/v1/webhooks/{id}", id), Webhook.class);
    }

    /** The answer carries the signing secret, this once. */
    public Webhook create(Caller caller, ObjectNode body) {
        return api.post(caller, ApiPath.of("/v1/webhooks"), body, Webhook.class);
    }

    public Webhook update(Caller caller, String id, ObjectNode body) {
        return api.patch(caller, ApiPath.of("/v1/webhooks/{id}", id), body, Webhook.class);
    }

    /** The answer carries the new secret, this once; the old one signs too for {@code overlapHours}. */
    public Webhook rotateSecret(Caller caller, String id, int overlapHours) {
        return api.post(
                caller,
                ApiPath.of("/v1/webhooks/{id}/rotate-secret", id),
                ApiClient.object().put("overlapHours", overlapHours),
                Webhook.class);
    }

    public void sendTest(Caller caller, String id) {
        api.post(caller, ApiPath.of("/v1/webhooks/{id}/test", id), null);
    }

    public ListPage<Delivery> deliveries(Caller caller, String endpointId, String status, String cursor) {
        return api.list(
                caller,
                ApiPath.of("/v1/webhooks/{id}/deliveries", endpointId)
                        .param("status", status)
                        .param("cursor", cursor),
                Delivery.class);
    }

    public Delivery delivery(Caller caller, String deliveryId) {
        return api.get(caller, ApiPath.of("/v1/webhooks/deliveries/{id}", deliveryId), Delivery.class);
    }

    public void redeliver(Caller caller, String deliveryId) {
        api.post(caller, ApiPath.of("/v1/webhooks/deliveries/{id}/redeliver", deliveryId), null);
    }

    /** Queues again every dead delivery of the endpoint created in [from, to); answers how many. */
    public int redeliverRange(Caller caller, String endpointId, String from, String to) {
        ObjectNode body = ApiClient.object().put("from", from).put("to", to);
        JsonNode answer = api.post(caller, ApiPath.of("/v1/webhooks/{id}/redeliver", endpointId), body, JsonNode.class);
        return answer.path("count").asInt();
    }
}
