package clickledger.api.webhook;

import clickledger.api.http.FieldErrors;
import clickledger.web.ApiException;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code PATCH /v1/webhooks/{id}}: a field left out keeps its value; eventTypes null
 * or empty subscribes to every type; description null clears it.
 */
public record WebhookPatch(String url, List<String> eventTypes, String description, Boolean enabled) {

    /** The changes, each null when the body left that field out. */
    record Valid(
            WebhookUrl url, List<String> eventTypes, boolean descriptionPresent, String description, Boolean enabled) {}

    /** @param present the fields the body named, from {@code Json.presentFields} */
    Valid validate(Set<String> present) {
        FieldErrors errors = new FieldErrors();
        WebhookUrl validUrl = present.contains("url") ? errors.check(() -> new WebhookUrl(url)) : null;
        List<String> validTypes = present.contains("eventTypes")
                ? errors.check(() -> WebhookEvents.filter("eventTypes", eventTypes))
                : null;
        String validDescription =
                present.contains("description") ? errors.check(() -> Description.of(description)) : null;
        if (present.contains("enabled") && enabled == null) {
            errors.verify(() -> {
                throw ApiException.badRequest("enabled", "must be true or false");
            });
        }
        errors.throwIfAny();
        return new Valid(validUrl, validTypes, present.contains("description"), validDescription, enabled);
    }
}
