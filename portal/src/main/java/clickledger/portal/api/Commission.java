package clickledger.portal.api;

import java.time.Instant;

/**
 * A commission in the review queue. {@code eventId} is the merchant's own event id; the event's
 * type, time and value come along so the queue shows what earned it.
 */
public record Commission(
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
        String eventType,
        Instant eventTs,
        String eventValue) {

    public boolean pending() {
        return "pending".equals(status);
    }

    /** Approved but not paid: the api still lets an admin reject it. */
    public boolean rejectable() {
        return "pending".equals(status) || "approved".equals(status);
    }
}
