package clickledger.api.audit;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static java.util.Objects.requireNonNull;

import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.ZoneOffset;
import org.jooq.DSLContext;
import org.jooq.JSONB;

/**
 * Appends to audit_log. Call it with the transaction's context so the entry commits or rolls back
 * with the change it describes.
 */
public final class AuditRepository {
    private final DSLContext dsl;

    public AuditRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    public void append(AuditEntry entry) {
        String details;
        try {
            details = Json.MAPPER.writeValueAsString(entry.details());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be plain JSON values", e);
        }
        dsl.insertInto(AUDIT_LOG)
                .set(AUDIT_LOG.TS, entry.at().atOffset(ZoneOffset.UTC))
                .set(AUDIT_LOG.ACTOR, entry.actor())
                .set(AUDIT_LOG.ACTION, entry.action())
                .set(AUDIT_LOG.ENTITY, entry.entity())
                .set(AUDIT_LOG.ENTITY_ID, entry.entityId())
                .set(AUDIT_LOG.DETAILS, JSONB.valueOf(details))
                .execute();
    }
}
