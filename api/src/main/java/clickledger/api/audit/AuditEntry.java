package clickledger.api.audit;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * One line of the audit trail: who did what to which entity.
 *
 * @param details small JSON-serialisable facts, such as the previous status
 */
public record AuditEntry(
        Instant at, String actor, String action, String entity, String entityId, Map<String, Object> details) {
    public AuditEntry {
        requireNonNull(at, "at is null");
        requireNonNull(actor, "actor is null");
        requireNonNull(action, "action is null");
        requireNonNull(entity, "entity is null");
        details = Map.copyOf(details);
    }
}
