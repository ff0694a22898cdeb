package clickledger.portal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** {@code GET /v1/commissions/{id}/detail}: the commission, the event that earned it and its touches. */
public record CommissionDetail(
        String id,
        String eventId,
        String partnerId,
        String programId,
        String kind,
        String amount,
        String currency,
        String status,
        Instant holdUntil,
        String reversesId,
        Instant createdAt,
        Event event,
        List<Touch> touches,
        String model,
        List<JsonNode> notes) {

    public CommissionDetail {
        touches = touches == null ? List.of() : List.copyOf(touches);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /** The event as the merchant reported it; {@code eventId} is the merchant's id, {@code id} the api's. */
    public record Event(
            String id,
            String eventId,
            String type,
            String value,
            String currency,
            Instant ts,
            String refundOf,
            String attributionStatus) {}

    /**
     * One click that shares in the event: its weight (a decimal string, "0.5"), the share of the
     * event's value it was credited, whether this commission pays for it, and the router's marks
     * ({@code fraudFlag} names the reason, such as {@code velocity}, or is null).
     */
    public record Touch(
            String clickId,
            String linkId,
            String partnerId,
            Instant ts,
            BigDecimal weight,
            String value,
            boolean credited,
            boolean isBot,
            String botReason,
            String fraudFlag) {

        public boolean flagged() {
            return fraudFlag != null && !fraudFlag.isEmpty();
        }
    }

    public boolean pending() {
        return "pending".equals(status);
    }

    public boolean rejectable() {
        return "pending".equals(status) || "approved".equals(status);
    }

    /** A note as text, whether the api sends strings or objects with a message. */
    public static String noteText(JsonNode note) {
        if (note.isTextual()) {
            return note.textValue();
        }
        if (note.hasNonNull("message")) {
            return note.get("message").asText();
        }
        return note.toString();
    }
}
