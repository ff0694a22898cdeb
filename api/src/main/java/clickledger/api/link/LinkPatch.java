package clickledger.api.link;

import clickledger.api.http.FieldErrors;
import clickledger.api.value.DestinationUrl;
import java.util.Set;

/**
 * The body of {@code PATCH /v1/links/{id}}: a field left out keeps its value; {@code
 * "destinationUrl": null} sends the link back to the program's destination.
 */
public record LinkPatch(String status, String destinationUrl) {

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
        errors.throwIfAny();
        return new Link(
                current.id(),
                current.slug(),
                current.programId(),
                current.partnerId(),
                newDestination,
                newStatus,
                current.createdAt(),
                current.domain());
    }
}
