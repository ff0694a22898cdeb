package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.common.id.Ulid;
import clickledger.db.Pipeline;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The transactional outbox: a change that is worth a webhook writes its deliveries in the same
 * transaction as the change itself, so a committed change always gets its webhooks (the worker
 * delivers them later, retrying) and a rolled-back change sends nothing.
 *
 * <p>Call {@link #publish(DSLContext, String, Object, String, long)} with the transaction's own
 * context ({@code trx.dsl()}), after the change's writes. It writes one {@code webhook_delivery}
 * row per enabled endpoint subscribed to the type (none when nobody listens). Each row's payload is
 * the envelope receivers get:
 *
 * <pre>{@code
 * {"id": "<delivery id, as X-Clickledger-Delivery>", "type": "commission.approved",
 *  "createdAt": "2030-01-15T10:00:00.123Z", "data": { ...the resource as the api shows it... },
 *  "resource": {"id": "<resource id>", "version": 1894701600123}}
 * }</pre>
 *
 * <p>Callers today: partner.created and partner.revoked (PartnerService), link.created
 * (LinkService). Events still to hook in where they happen: conversion.created (data: the event
 * with its attribution), commission.created|approved|reversed|paid (data: the commission as
 * {@code GET /v1/commissions/{id}} shows it), payout.created|paid (data: the payout). Bulk
 * changes (approving many commissions) pass all their events to {@link #publish(DSLContext, List)}
 * at once: one endpoint lookup and one multi-row insert instead of one of each per event.
 *
 * <p>{@code resourceVersion} must grow with every change of a resource: by convention the
 * change's time ({@code updated_at}) in epoch milliseconds. Delivery order is not guaranteed, so
 * receivers keep the highest version they have seen per resource id.
 */
public final class WebhookOutbox {
    // One statement per 5,000 rows, the columns bound as arrays (STYLE: bulk writes through
    // unnest): a bulk approval of thousands of commissions is one or two round trips, and no
    // statement carries more than a few megabytes of payload.
    private static final int ROWS_PER_STATEMENT = 5000;
    private static final String INSERT =
            """
            insert into webhook_delivery (id, endpoint_id, event_type, payload, next_attempt_at, created_at)
            select id, endpoint_id, event_type, payload::jsonb, ?::timestamptz, ?::timestamptz
              from unnest(?::uuid[], ?::uuid[], ?::varchar[], ?::varchar[]) as row (id, endpoint_id, event_type, payload)""";

    private final Clock clock;

    public WebhookOutbox(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Queues one event for every enabled endpoint subscribed to its type, inside the caller's
     * transaction.
     *
     * @param trx the context of the transaction that makes the change ({@code trx.dsl()})
     * @param eventType one of {@link WebhookEvents#SUBSCRIBABLE}
     * @param data the resource as the api shows it; serialised with the api's JSON mapper
     * @param resourceId the resource's id as the api shows it
     * @param resourceVersion grows with every change of the resource (its updated_at in epoch ms)
     * @return how many deliveries were queued
     * @throws IllegalArgumentException for an unknown event type (a programming error)
     */
    public int publish(DSLContext trx, String eventType, Object data, String resourceId, long resourceVersion) {
        return publish(trx, List.of(new WebhookEvent(eventType, data, resourceId, resourceVersion)));
    }

    /** {@link #publish(DSLContext, String, Object, String, long)} for many events at once. */
    public int publish(DSLContext trx, List<WebhookEvent> events) {
        requireNonNull(trx, "trx is null");
        check(events);
        if (events.isEmpty()) {
            return 0;
        }
        List<WebhookEndpoint> endpoints = new WebhookRepository(trx).enabled();
        if (endpoints.isEmpty()) {
            return 0;
        }
        Instant now = now();
        List<Row> rows = rows(
                endpoints.stream()
                        .map(endpoint -> new Subscriber(endpoint.id().value(), endpoint.eventTypes()))
                        .toList(),
                events,
                now);
        insert(trx, rows, now);
        return rows.size();
    }

    /** An endpoint that gets deliveries: its id and types (empty for every type). */
    private record Subscriber(UUID id, List<String> eventTypes) {
        boolean subscribesTo(String eventType) {
            return eventTypes.isEmpty() || eventTypes.contains(eventType);
        }
    }

    /** The enabled endpoints, read on a pipeline; filled when it runs. */
    public static final class Subscribers {
        private final List<Subscriber> endpoints = new ArrayList<>();
    }

    // WebhookRepository.enabled(), as the outbox needs it.
    private static final String ENABLED =
            "select id, event_types from webhook_endpoint where enabled and deleted_at is null";

    /**
     * {@link #publish(DSLContext, List)} in two halves for a caller that reads and writes in one
     * round trip each: queues the read of the enabled endpoints, inside the transaction like
     * publish's own.
     */
    public Subscribers subscribers(Pipeline reads) {
        Subscribers subscribers = new Subscribers();
        reads.query(ENABLED, rows -> {
            while (rows.next()) {
                subscribers.endpoints.add(new Subscriber(rows.getObject(1, UUID.class), List.of((String[])
                        rows.getArray(2).getArray())));
            }
        });
        return subscribers;
    }

    /** The second half: queues the deliveries of {@code events} to the subscribers on {@code writes}. */
    public int publish(Pipeline writes, Subscribers subscribers, List<WebhookEvent> events) {
        check(events);
        if (events.isEmpty() || subscribers.endpoints.isEmpty()) {
            return 0;
        }
        Instant now = now();
        List<Row> rows = rows(subscribers.endpoints, events, now);
        for (List<Row> chunk : chunks(rows)) {
            writes.execute(INSERT, insertParameters(chunk, now));
        }
        return rows.size();
    }

    private static List<Row> rows(List<Subscriber> endpoints, List<WebhookEvent> events, Instant now) {
        List<Row> rows = new ArrayList<>();
        for (WebhookEvent event : events) {
            JsonNode data = Json.MAPPER.valueToTree(event.data());
            for (Subscriber endpoint : endpoints) {
                if (endpoint.subscribesTo(event.type())) {
                    rows.add(row(endpoint.id(), event, data, now));
                }
            }
        }
        return rows;
    }

    /** The test event of {@code POST /v1/webhooks/{id}/test}: to that endpoint only, whatever its filter. */
    DeliveryId publishTest(DSLContext trx, WebhookEndpoint endpoint) {
        Instant now = now();
        ObjectNode data = Json.MAPPER
                .createObjectNode()
                .put("endpointId", endpoint.id().toString())
                .put("url", endpoint.url().value())
                .put(
                        "message",
                        "A test delivery from clickledger: this endpoint is reachable and can check signatures.");
        Row row = row(
                endpoint.id().value(),
                new WebhookEvent(WebhookEvents.TEST, data, endpoint.id().toString(), now.toEpochMilli()),
                data,
                now);
        insert(trx, List.of(row), now);
        return new DeliveryId(row.id());
    }

    private record Row(UUID id, UUID endpointId, String type, String payload) {}

    private static Row row(UUID endpointId, WebhookEvent event, JsonNode data, Instant now) {
        UUID id = Ulid.newUuidV7(now.toEpochMilli());
        ObjectNode envelope = Json.MAPPER.createObjectNode();
        envelope.put("id", Ulid.encode(id));
        envelope.put("type", event.type());
        envelope.put("createdAt", now.toString());
        envelope.set("data", data);
        envelope.putObject("resource").put("id", event.resourceId()).put("version", event.resourceVersion());
        try {
            return new Row(id, endpointId, event.type(), Json.MAPPER.writeValueAsString(envelope));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("webhook data must be plain JSON values", e);
        }
    }

    private static void check(List<WebhookEvent> events) {
        for (WebhookEvent event : events) {
            if (!WebhookEvents.SUBSCRIBABLE.contains(event.type())) {
                throw new IllegalArgumentException("unknown webhook event type " + event.type());
            }
        }
    }

    private static void insert(DSLContext trx, List<Row> rows, Instant now) {
        for (List<Row> chunk : chunks(rows)) {
            trx.execute(INSERT, insertParameters(chunk, now));
        }
    }

    private static List<List<Row>> chunks(List<Row> rows) {
        List<List<Row>> chunks = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
            chunks.add(rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT)));
        }
        return chunks;
    }

    private static Object[] insertParameters(List<Row> chunk, Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        return new Object[] {
            at,
            at,
            chunk.stream().map(Row::id).toArray(UUID[]::new),
            chunk.stream().map(Row::endpointId).toArray(UUID[]::new),
            chunk.stream().map(Row::type).toArray(String[]::new),
            chunk.stream().map(Row::payload).toArray(String[]::new)
        };
    }

    // Milliseconds, like the ids: the createdAt a receiver gets matches the delivery log's.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
