package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

/**
 * One webhook-worthy change, for {@link WebhookOutbox#publish(org.jooq.DSLContext, java.util.List)}.
 *
 * @param type one of {@link WebhookEvents#SUBSCRIBABLE}
 * @param data the resource as the api shows it (serialised with the api's JSON mapper)
 * @param resourceId the changed resource's id, as the api shows it
 * @param resourceVersion grows with every change of that resource (its change time in epoch
 *     milliseconds, by convention), so a receiver can ignore an older event that arrives late
 */
public record WebhookEvent(String type, Object data, String resourceId, long resourceVersion) {
    public WebhookEvent {
        requireNonNull(type, "type is null");
        requireNonNull(data, "data is null");
        requireNonNull(resourceId, "resourceId is null");
    }
}
