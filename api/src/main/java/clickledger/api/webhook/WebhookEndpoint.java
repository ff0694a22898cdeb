package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A webhook endpoint as the api shows it. Never carries its signing secret: that is shown once,
 * by create and rotate-secret, and otherwise only the delivery worker opens it.
 *
 * @param eventTypes the subscribed types; empty means every type
 * @param description null when none
 * @param disabledReason why the system disabled it (failing for days); null otherwise
 * @param failingSince the first failure since the last success; null when healthy
 * @param consecutiveFailures failed attempts since the last success
 * @param breakerOpenUntil while in the future, deliveries wait without spending attempts
 * @param previousSecretExpiresAt while in the future, the rotated-out secret still signs
 */
public record WebhookEndpoint(
        WebhookEndpointId id,
        WebhookUrl url,
        List<String> eventTypes,
        String description,
        boolean enabled,
        String disabledReason,
        Instant failingSince,
        int consecutiveFailures,
        Instant breakerOpenUntil,
        Instant previousSecretExpiresAt,
        Instant createdAt,
        Instant updatedAt) {
    public WebhookEndpoint {
        requireNonNull(id, "id is null");
        requireNonNull(url, "url is null");
        eventTypes = List.copyOf(eventTypes);
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(updatedAt, "updatedAt is null");
    }

    public boolean subscribesTo(String eventType) {
        return eventTypes.isEmpty() || eventTypes.contains(eventType);
    }
}
