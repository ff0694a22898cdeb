package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/** A webhook endpoint; {@code secret} is present only in the answers to create and rotate. */
public record Webhook(
        String id,
        String url,
        List<String> eventTypes,
        String description,
        boolean enabled,
        String disabledReason,
        Instant failingSince,
        int consecutiveFailures,
        Instant breakerOpenUntil,
        Instant previousSecretExpiresAt,
        Instant createdAt,
        Instant updatedAt,
        String secret) {

    public Webhook {
        eventTypes = eventTypes == null ? List.of() : List.copyOf(eventTypes);
    }

    /** The api's event types, in the order the forms list them. */
    public static final List<String> EVENT_TYPES = List.of(
            "conversion.created",
            "commission.created",
            "commission.approved",
            "commission.reversed",
            "commission.paid",
            "payout.created",
            "payout.paid",
            "partner.created",
            "partner.revoked",
            "link.created");
}
