package clickledger.api.stripe;

import clickledger.api.event.EventRequest;
import clickledger.api.http.FieldErrors;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The body of {@code PUT /v1/programs/{id}/integrations/stripe}:
 * {@code {"webhookSecret": "whsec_…", "eventType"?: "purchase"}}.
 *
 * @param eventType the type of the events Stripe payments become, which commission rules may name
 */
public record StripeConnect(String webhookSecret, String eventType) {
    public static final String DEFAULT_EVENT_TYPE = "purchase";
    private static final Set<String> FIELDS = Set.of("webhookSecret", "eventType");
    // Stripe's signing secrets are whsec_ and some 32 to 64 base64 characters; 255 leaves room.
    private static final Pattern SECRET = Pattern.compile("whsec_[A-Za-z0-9+/=_-]{8,249}");

    public StripeConnect {
        FieldErrors errors = new FieldErrors();
        if (webhookSecret == null || !SECRET.matcher(webhookSecret).matches()) {
            errors.add(
                    "webhookSecret",
                    "must be the endpoint's signing secret from Stripe (whsec_…, under Developers → Webhooks)");
        }
        if (eventType == null) {
            eventType = DEFAULT_EVENT_TYPE;
        }
        String type = eventType;
        errors.verify(
                () -> EventRequest.text(Json.MAPPER.createObjectNode().put("eventType", type), "eventType", true, 64));
        errors.throwIfAny();
    }

    public static StripeConnect from(JsonNode body) {
        Json.checkObject(body, FIELDS);
        JsonNode secret = body.get("webhookSecret");
        JsonNode type = body.get("eventType");
        if (secret != null && !secret.isNull() && !secret.isTextual()) {
            throw ApiException.badRequest("webhookSecret", "must be a string");
        }
        if (type != null && !type.isNull() && !type.isTextual()) {
            throw ApiException.badRequest("eventType", "must be a string");
        }
        return new StripeConnect(
                secret == null || secret.isNull() ? null : secret.textValue(),
                type == null || type.isNull() ? null : type.textValue());
    }

    /** The last four characters: enough to tell two secrets apart, too few to be one. */
    String last4() {
        return webhookSecret.substring(webhookSecret.length() - 4);
    }

    @Override
    public String toString() {
        return "StripeConnect[webhookSecret=<redacted>, eventType=" + eventType + "]";
    }
}
