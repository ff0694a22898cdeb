package clickledger.api.link;

import clickledger.api.http.FieldErrors;
import clickledger.api.value.DestinationUrl;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code PATCH /v1/links/{id}}: a field left out keeps its value; {@code
 * "destinationUrl": null} sends the link back to the program's destination, {@code "expiresAt":
 * null} lifts the expiry, {@code "expiredUrl": null} sends expired visits to the program's
 * destination, and {@code "tags": []} (or null) removes every tag. An expiry may be set in the
 * past: that expires the link now.
 */
public record LinkPatch(
        String status,
        String destinationUrl,
        List<String> tags,
        String expiresAt,
        String expiredUrl,
        Boolean archived) {

    /** @param present the fields the body named, from {@code Json.presentFields} */
    Link applyTo(Link current, Set<String> present) {
        FieldErrors errors = new FieldErrors();
        LinkStatus newStatus = present.contains("status")
                ? errors.check(() -> LinkStatus.fromWire("status", status))
                : current.status();
        DestinationUrl newDestination = current.destinationUrl();
        if (present.contains("destinationUrl")) {
            newDestination = destinationUrl == null ? null : errors.check(() -> new DestinationUrl(destinationUrl));
        }
        List<String> newTags = current.tags();
        if (present.contains("tags")) {
            newTags = tags == null ? List.of() : errors.check(() -> LinkTag.parseAll("tags", tags));
        }
        Instant newExpiresAt = current.expiresAt();
        if (present.contains("expiresAt")) {
            newExpiresAt = expiresAt == null ? null : errors.check(() -> LinkFields.expiresAt(expiresAt));
        }
        DestinationUrl newExpiredUrl = current.expiredUrl();
        if (present.contains("expiredUrl")) {
            newExpiredUrl = expiredUrl == null ? null : errors.check(() -> LinkFields.expiredUrl(expiredUrl));
        }
        if (present.contains("archived") && archived == null) {
            errors.add("archived", "must be true or false");
        }
        boolean newArchived = archived != null ? archived : current.archived();
        errors.throwIfAny();
        return new Link(
                current.id(),
                current.slug(),
                current.programId(),
                current.partnerId(),
                newDestination,
                newStatus,
                current.createdAt(),
                current.domain(),
                newTags,
                newExpiresAt,
                newExpiredUrl,
                newArchived);
    }
}
