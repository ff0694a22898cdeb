package clickledger.api.event;

import static clickledger.db.jooq.Tables.EVENT;

import clickledger.db.Pipeline;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.impl.DSL;

/** Events are raw facts: inserted once, never changed except for their derived status. */
public final class EventRepository {
    private EventRepository() {}

    /** Inserts unless the program already has this eventId; true when this call inserted it. */
    public static boolean insertIfAbsent(DSLContext trx, EventRow event, Instant createdAt) {
        return trx.insertInto(EVENT)
                        .set(EVENT.ID, event.id())
                        .set(EVENT.PROGRAM_ID, event.programId())
                        .set(EVENT.EVENT_KEY, event.eventKey())
                        .set(EVENT.REQUEST_HASH, event.requestHash())
                        .set(EVENT.USER_ID, event.userId())
                        .set(EVENT.TYPE, event.type())
                        .set(EVENT.VALUE_MINOR, event.valueMinor())
                        .set(EVENT.CURRENCY, event.currency())
                        .set(EVENT.REFUND_OF, event.refundOf())
                        .set(
                                EVENT.METADATA,
                                event.metadata() == null
                                        ? null
                                        : JSONB.valueOf(event.metadata().toString()))
                        .set(EVENT.TS, utc(event.ts()))
                        .set(EVENT.ATTRIBUTION_STATUS, event.attributionStatus())
                        .set(EVENT.CREATED_AT, utc(createdAt))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    public static Optional<EventRow> findByKey(DSLContext dsl, UUID programId, String eventKey) {
        return dsl.selectFrom(EVENT)
                .where(EVENT.PROGRAM_ID.eq(programId).and(EVENT.EVENT_KEY.eq(eventKey)))
                .fetchOptional()
                .map(EventRepository::toRow);
    }

    /** An event found by a pipelined read: null until the pipeline ran, and when there is none. */
    public static final class Found {
        private EventRow row;

        public EventRow row() {
            return row;
        }
    }

    private static final String BY_KEY =
            """
            select id, program_id, event_key, request_hash, user_id, type, value_minor, currency, refund_of,
                   metadata::text, ts, attribution_status, model
              from event where program_id = ?::uuid and event_key = ?""";

    /** {@link #findByKey(DSLContext, UUID, String)}, queued on a pipeline. */
    public static Found findByKey(Pipeline reads, UUID programId, String eventKey) {
        Found found = new Found();
        reads.query(
                BY_KEY,
                rows -> {
                    if (rows.next()) {
                        found.row = row(rows);
                    }
                },
                programId,
                eventKey);
        return found;
    }

    /**
     * The program's events with any of these eventIds, by eventId, queued on a pipeline (one probe
     * of the (program_id, event_key) key each); filled when it runs.
     */
    static Map<String, EventRow> findByKeys(Pipeline reads, UUID programId, List<String> eventKeys) {
        Map<String, EventRow> found = new HashMap<>();
        reads.query(
                BY_KEY.replace("event_key = ?", "event_key = any(?::text[])"),
                rows -> {
                    while (rows.next()) {
                        EventRow row = row(rows);
                        found.put(row.eventKey(), row);
                    }
                },
                programId,
                eventKeys.toArray(String[]::new));
        return found;
    }

    private static EventRow row(ResultSet rows) throws SQLException {
        return new EventRow(
                rows.getObject(1, UUID.class),
                rows.getObject(2, UUID.class),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                rows.getString(6),
                rows.getObject(7, Long.class),
                rows.getString(8),
                rows.getObject(9, UUID.class),
                metadata(rows.getString(10)),
                rows.getObject(11, OffsetDateTime.class).toInstant(),
                rows.getString(12),
                rows.getString(13));
    }

    /** The row with other metadata, attribution status and model. */
    public static EventRow copy(EventRow row, JsonNode metadata, String attributionStatus, String model) {
        return new EventRow(
                row.id(),
                row.programId(),
                row.eventKey(),
                row.requestHash(),
                row.userId(),
                row.type(),
                row.valueMinor(),
                row.currency(),
                row.refundOf(),
                metadata,
                row.ts(),
                attributionStatus,
                model);
    }

    /** Stored metadata ({@code metadata::text}) as JSON; null for none. */
    public static JsonNode metadata(String json) {
        try {
            return json == null ? null : Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata is not JSON", e);
        }
    }

    public static Optional<EventRow> find(DSLContext dsl, UUID programId, UUID id) {
        return dsl.selectFrom(EVENT)
                .where(EVENT.PROGRAM_ID.eq(programId).and(EVENT.ID.eq(id)))
                .fetchOptional()
                .map(EventRepository::toRow);
    }

    public static void setStatus(DSLContext trx, UUID id, String status, String model) {
        trx.update(EVENT)
                .set(EVENT.ATTRIBUTION_STATUS, status)
                .set(EVENT.MODEL, model)
                .where(EVENT.ID.eq(id))
                .execute();
    }

    /** The user's events that found no identity when they arrived, oldest first: backfill candidates. */
    public static List<EventRow> awaitingIdentity(DSLContext trx, UUID programId, String userId) {
        return trx.selectFrom(EVENT)
                .where(EVENT.PROGRAM_ID
                        .eq(programId)
                        .and(EVENT.USER_ID.eq(userId))
                        .and(EVENT.ATTRIBUTION_STATUS.eq("no_identity")))
                .orderBy(EVENT.TS, EVENT.ID)
                .fetch(EventRepository::toRow);
    }

    /** Non-refund events of a program in a time range, oldest first, for re-derivation. */
    public static List<EventRow> conversionsBetween(DSLContext dsl, UUID programId, Instant from, Instant to) {
        return dsl.selectFrom(EVENT)
                .where(EVENT.PROGRAM_ID
                        .eq(programId)
                        .and(EVENT.REFUND_OF.isNull())
                        .and(EVENT.TS.ge(utc(from)))
                        .and(EVENT.TS.lt(utc(to))))
                .orderBy(EVENT.TS, EVENT.ID)
                .fetch(EventRepository::toRow);
    }

    /** Total value already refunded against an event, in minor units. */
    public static long refundedSoFar(DSLContext trx, UUID originalId) {
        Long sum = trx.select(DSL.sum(EVENT.VALUE_MINOR).cast(Long.class))
                .from(EVENT)
                .where(EVENT.REFUND_OF.eq(originalId))
                .fetchOne(0, Long.class);
        return sum == null ? 0 : sum;
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static EventRow toRow(Record record) {
        JSONB metadata = record.get(EVENT.METADATA);
        try {
            return new EventRow(
                    record.get(EVENT.ID),
                    record.get(EVENT.PROGRAM_ID),
                    record.get(EVENT.EVENT_KEY),
                    record.get(EVENT.REQUEST_HASH),
                    record.get(EVENT.USER_ID),
                    record.get(EVENT.TYPE),
                    record.get(EVENT.VALUE_MINOR),
                    record.get(EVENT.CURRENCY),
                    record.get(EVENT.REFUND_OF),
                    metadata == null ? null : Json.MAPPER.readTree(metadata.data()),
                    record.get(EVENT.TS).toInstant(),
                    record.get(EVENT.ATTRIBUTION_STATUS),
                    record.get(EVENT.MODEL));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata is not JSON", e);
        }
    }
}
