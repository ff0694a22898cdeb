package clickledger.portal.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code /v1/programs/{id}/integrations/stripe}: the connection, the events received, send test. */
public final class StripeClient {
    /** The api's problem code when the program has no Stripe integration to test or disconnect. */
    public static final String NOT_CONNECTED = "stripe_not_connected";

    private final ApiClient api;

    public StripeClient(ApiClient api) {
        this.api = requireNonNull(api, "api is null");
    }

    public StripeIntegration get(Caller caller, String programId) {
        return api.get(caller, path("", programId), StripeIntegration.class);
    }

    /** Connects, or replaces the secret and event type; a secret that is not Stripe's is a 400 naming the field. */
    public StripeIntegration connect(Caller caller, String programId, String webhookSecret, String eventType) {
        ObjectNode body = ApiClient.object().put("webhookSecret", webhookSecret);
        if (eventType != null && !eventType.isBlank()) {
            body.put("eventType", eventType.strip());
        }
        return api.put(caller, path("", programId), body, StripeIntegration.class);
    }

    public void disconnect(Caller caller, String programId) {
        api.delete(caller, path("", programId));
    }

    /** The latest events, newest first. */
    public ListPage<StripeEvent> events(Caller caller, String programId, int limit) {
        return api.list(caller, path("/events", programId).param("limit", limit), StripeEvent.class);
    }

    /** Has the api post a signed sample to its own webhook; answers {@code {status, outcome, detail}}. */
    public JsonNode sendTest(Caller caller, String programId) {
        return api.post(caller, path("/test", programId), null, JsonNode.class);
    }

    private static ApiPath path(String suffix, String programId) {
        return ApiPath.of("/v1/programs/{id}/integrations/stripe" + suffix, programId);
    }
}
