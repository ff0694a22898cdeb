package clickledger.api.audit;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static java.util.Objects.requireNonNull;

import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.JSONB;

/**
 * Appends to audit_log. Call it with the transaction's context so the entry commits or rolls back
 * with the change it describes.
 */
public final class AuditRepository {
    private static final int ROWS_PER_STATEMENT = 5000;

    private final DSLContext dsl;

    public AuditRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    public void append(AuditEntry entry) {
        String details = details(entry);
        dsl.insertInto(AUDIT_LOG)
                .set(AUDIT_LOG.TS, entry.at().atOffset(ZoneOffset.UTC))
                .set(AUDIT_LOG.ACTOR, entry.actor())
                .set(AUDIT_LOG.ACTION, entry.action())
                .set(AUDIT_LOG.ENTITY, entry.entity())
                .set(AUDIT_LOG.ENTITY_ID, entry.entityId())
                .set(AUDIT_LOG.DETAILS, JSONB.valueOf(details))
                .execute();
    }

    /**
     * Many entries in one statement per 5,000, the columns bound as arrays: a payout batch audits
     * each of its (up to tens of thousands of) payouts without a round trip per entry.
     */
    public void appendAll(List<AuditEntry> entries) {
        for (int from = 0; from < entries.size(); from += ROWS_PER_STATEMENT) {
            List<AuditEntry> chunk = entries.subList(from, Math.min(entries.size(), from + ROWS_PER_STATEMENT));
            dsl.execute(
                    """
                    insert into audit_log (ts, actor, action, entity, entity_id, details)
                    select ts, actor, action, entity, entity_id, details::jsonb
                      from unnest({0}::timestamptz[], {1}::varchar[], {2}::varchar[], {3}::varchar[], {4}::varchar[],
                                  {5}::varchar[]) as entry (ts, actor, action, entity, entity_id, details)""",
                    chunk.stream().map(e -> e.at().atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new),
                    chunk.stream().map(AuditEntry::actor).toArray(String[]::new),
                    chunk.stream().map(AuditEntry::action).toArray(String[]::new),
                    chunk.stream().map(AuditEntry::entity).toArray(String[]::new),
                    chunk.stream().map(AuditEntry::entityId).toArray(String[]::new),
                    chunk.stream().map(AuditRepository::details).toArray(String[]::new));
        }
    }

    private static String details(AuditEntry entry) {
        try {
            return Json.MAPPER.writeValueAsString(entry.details());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be plain JSON values", e);
        }
    }
}
