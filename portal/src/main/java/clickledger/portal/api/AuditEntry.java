package clickledger.portal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

public record AuditEntry(
        String id, Instant ts, String actor, String action, String entity, String entityId, JsonNode details) {}
