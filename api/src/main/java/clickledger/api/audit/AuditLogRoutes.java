package clickledger.api.audit;

import static clickledger.db.jooq.Tables.AUDIT_LOG;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.http.Timestamps;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record7;
import org.jooq.impl.DSL;

/**
 * {@code GET /v1/audit-log?entity=&entityId=&actor=&action=&from=&to=&limit=&cursor=}, admins
 * only: who did what, newest first, paged by the entry's id (the cursor is the last id seen). Each
 * filter is an exact match; {@code from} and {@code to} take an instant or a UTC day (both ends
 * included). Filters by actor and by action read audit_log_actor_idx and audit_log_action_idx
 * (V6), by entity audit_log_entity_idx (V1); the unfiltered page walks the primary key backwards.
 */
public final class AuditLogRoutes {
    // Longer than any actor, action or entity the api writes; a longer filter can match nothing.
    private static final int MAX_FILTER_LENGTH = 200;

    private final DSLContext dsl;

    public AuditLogRoutes(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** One entry as the api shows it. */
    public record Item(
            String id, Instant ts, String actor, String action, String entity, String entityId, JsonNode details) {}

    public void register(RoutesConfig routes) {
        routes.get("/v1/audit-log", this::list);
    }

    private void list(Context ctx) {
        Access.requireAdmin(ctx);
        FieldErrors errors = new FieldErrors();
        Condition where = DSL.noCondition();
        for (String name : List.of("entity", "entityId", "actor", "action")) {
            String value = ctx.queryParam(name);
            if (value == null || value.isEmpty()) {
                continue;
            }
            if (value.length() > MAX_FILTER_LENGTH) {
                errors.add(name, "must be at most " + MAX_FILTER_LENGTH + " characters");
                continue;
            }
            where = where.and(
                    switch (name) {
                        case "entity" -> AUDIT_LOG.ENTITY.eq(value);
                        case "entityId" -> AUDIT_LOG.ENTITY_ID.eq(value);
                        case "actor" -> AUDIT_LOG.ACTOR.eq(value);
                        default -> AUDIT_LOG.ACTION.eq(value);
                    });
        }
        Instant from = errors.check(() -> Timestamps.bound("from", ctx.queryParam("from"), false));
        Instant to = errors.check(() -> Timestamps.bound("to", ctx.queryParam("to"), true));
        if (from != null) {
            where = where.and(AUDIT_LOG.TS.ge(from.atOffset(ZoneOffset.UTC)));
        }
        if (to != null) {
            where = where.and(AUDIT_LOG.TS.lt(to.atOffset(ZoneOffset.UTC)));
        }
        Long cursor = errors.check(() -> cursor(ctx.queryParam("cursor")));
        if (cursor != null) {
            where = where.and(AUDIT_LOG.ID.lt(cursor));
        }
        String limitText = ctx.queryParam("limit");
        PageRequest page = errors.check(() -> PageRequest.from(limitText));
        errors.throwIfAny();
        List<Item> rows = dsl.select(
                        AUDIT_LOG.ID,
                        AUDIT_LOG.TS,
                        AUDIT_LOG.ACTOR,
                        AUDIT_LOG.ACTION,
                        AUDIT_LOG.ENTITY,
                        AUDIT_LOG.ENTITY_ID,
                        AUDIT_LOG.DETAILS)
                .from(AUDIT_LOG)
                .where(where)
                .orderBy(AUDIT_LOG.ID.desc())
                .limit(page.fetchSize())
                .fetch(AuditLogRoutes::toItem);
        ctx.json(Page.of(rows, page, Item::id));
    }

    private static Item toItem(Record7<Long, OffsetDateTime, String, String, String, String, org.jooq.JSONB> row) {
        JsonNode details;
        try {
            details = row.value7() == null
                    ? null
                    : Json.MAPPER.readTree(row.value7().data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit_log.details is not JSON", e);
        }
        return new Item(
                Long.toString(row.value1()),
                row.value2().toInstant(),
                row.value3(),
                row.value4(),
                row.value5(),
                row.value6(),
                details);
    }

    private static Long cursor(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("cursor", "must be the nextCursor of an earlier page");
    }
}
