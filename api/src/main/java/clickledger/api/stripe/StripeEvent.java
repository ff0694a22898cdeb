package clickledger.api.stripe;

import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * A Stripe event as delivered: {@code {id, type, created, livemode, data: {object}}}. Read with
 * Jackson rather than stripe-java's typed classes: those are generated for one Stripe API version,
 * while an account sends the version its endpoint is pinned to, and only a handful of fields that
 * every version shares are needed here.
 *
 * @param object {@code data.object}: the session, invoice, charge, refund or dispute
 */
public record StripeEvent(String id, String type, Instant created, boolean livemode, JsonNode object) {
    // Stripe ids are short (evt_ and 24 or so characters); anything longer is not one.
    static final int MAX_ID_LENGTH = 255;

    /** Parses a verified body; a body that is not a Stripe event is a 400 naming the field. */
    public static StripeEvent parse(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("body", "is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("body", "must be a Stripe event object");
        }
        String id = text(root, "id")
                .orElseThrow(() -> ApiException.badRequest("id", "must be the Stripe event id (evt_…)"));
        String type =
                text(root, "type").orElseThrow(() -> ApiException.badRequest("type", "must be the Stripe event type"));
        JsonNode created = root.get("created");
        if (created == null || !created.canConvertToLong() || created.longValue() <= 0) {
            throw ApiException.badRequest("created", "must be the event's time in Unix seconds");
        }
        JsonNode object = root.path("data").path("object");
        if (!object.isObject()) {
            throw ApiException.badRequest("data.object", "must be the event's object");
        }
        return new StripeEvent(
                id,
                type,
                Instant.ofEpochSecond(created.longValue()),
                root.path("livemode").asBoolean(false),
                object);
    }

    /**
     * A Stripe id or string field of {@code node}: a string, or the {@code id} of an expanded
     * object; empty when absent, null, blank, too long or holding control characters.
     */
    static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value != null && value.isObject()) {
            value = value.get("id");
        }
        if (value == null || !value.isTextual()) {
            return Optional.empty();
        }
        String text = value.textValue();
        if (text.isBlank() || text.length() > MAX_ID_LENGTH) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(text);
    }

    /** A whole, non-negative amount in Stripe's minor units; empty when absent or not one. */
    static Optional<Long> amount(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            return Optional.empty();
        }
        return Optional.of(value.longValue());
    }

    /** A Unix-seconds time field; empty when absent or not one. */
    static Optional<Instant> time(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(value.longValue()));
    }

    /** {@code data.object.id}. */
    Optional<String> objectId() {
        return text(object, "id");
    }
}
