package clickledger.api.event;

import clickledger.api.http.Timestamps;
import clickledger.web.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;

/**
 * {@code POST /v1/events} as sent, checked field by field; money is parsed later, once the
 * program (and so the currency) is known.
 *
 * @param value null when the event carries no value
 * @param ts null when the caller left the time to us
 * @param programId only for admin keys, which are not bound to one program
 */
public record EventRequest(
        String eventId,
        String userId,
        String type,
        JsonNode value,
        String currency,
        Instant ts,
        String refundOf,
        JsonNode metadata,
        String programId) {
    // Metadata rides along on every event row and webhook: enough for order ids and SKUs, not documents.
    public static final int MAX_METADATA_BYTES = 8 * 1024;
    public static final int MAX_ID_LENGTH = 200;
    private static final Set<String> FIELDS =
            Set.of("eventId", "userId", "type", "value", "currency", "ts", "refundOf", "metadata", "programId");

    public static EventRequest from(JsonNode body) {
        clickledger.web.Json.checkObject(body, FIELDS);
        String eventId = text(body, "eventId", true, MAX_ID_LENGTH);
        String userId = text(body, "userId", true, MAX_ID_LENGTH);
        String type = text(body, "type", true, 64);
        JsonNode value = body.get("value");
        if (value != null && value.isNull()) {
            value = null;
        }
        if (value != null && !value.isTextual() && !value.isNumber()) {
            throw ApiException.badRequest("value", "must be a decimal string such as \"49.00\" or a number");
        }
        String currency = text(body, "currency", false, 3);
        String tsText = text(body, "ts", false, 64);
        Instant ts = tsText == null ? null : Timestamps.parse("ts", tsText);
        String refundOf = text(body, "refundOf", false, MAX_ID_LENGTH);
        JsonNode metadata = body.get("metadata");
        if (metadata != null && metadata.isNull()) {
            metadata = null;
        }
        if (metadata != null) {
            if (!metadata.isObject()) {
                throw ApiException.badRequest("metadata", "must be a JSON object");
            }
            if (metadata.toString().length() > MAX_METADATA_BYTES) {
                throw ApiException.badRequest("metadata", "must be at most " + MAX_METADATA_BYTES + " bytes of JSON");
            }
        }
        String programId = text(body, "programId", false, 64);
        return new EventRequest(eventId, userId, type, value, currency, ts, refundOf, metadata, programId);
    }

    /** A string field, checked for presence, blankness, length and control characters; null when optional and absent. */
    public static String text(JsonNode body, String field, boolean required, int maxLength) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ApiException.badRequest(field, "is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field, "must be a string");
        }
        String text = node.textValue();
        if (text.isBlank()) {
            throw ApiException.badRequest(field, "must not be blank");
        }
        if (text.length() > maxLength) {
            throw ApiException.badRequest(field, "must be at most " + maxLength + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw ApiException.badRequest(field, "must not contain control characters");
            }
        }
        return text;
    }
}
