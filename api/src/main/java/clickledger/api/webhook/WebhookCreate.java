package clickledger.api.webhook;

import clickledger.api.http.FieldErrors;
import java.util.List;

/** The body of {@code POST /v1/webhooks}: eventTypes absent or empty subscribes to every type. */
public record WebhookCreate(String url, List<String> eventTypes, String description, Boolean enabled) {

    /** The request with every field checked; description null means none. */
    record Valid(WebhookUrl url, List<String> eventTypes, String description, boolean enabled) {}

    Valid validate() {
        FieldErrors errors = new FieldErrors();
        WebhookUrl validUrl = errors.check(() -> new WebhookUrl(url));
        List<String> validTypes = errors.check(() -> WebhookEvents.filter("eventTypes", eventTypes));
        String validDescription = errors.check(() -> Description.of(description));
        errors.throwIfAny();
        return new Valid(validUrl, validTypes, validDescription, enabled == null || enabled);
    }
}
