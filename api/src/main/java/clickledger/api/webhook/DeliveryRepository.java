package clickledger.api.webhook;

import static clickledger.api.webhook.WebhookRepository.instant;
import static clickledger.api.webhook.WebhookRepository.utc;
import static clickledger.db.jooq.Tables.WEBHOOK_ATTEMPT;
import static clickledger.db.jooq.Tables.WEBHOOK_DELIVERY;
import static java.util.Objects.requireNonNull;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.common.id.Ulid;
import clickledger.db.Pipeline;
import clickledger.db.jooq.tables.records.WebhookDeliveryRecord;
import clickledger.web.Json;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The outbox rows and their attempts: the worker's claim and outcomes, and the admin's delivery log. */
public final class DeliveryRepository {
    private final DSLContext dsl;

    public DeliveryRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /**
     * A delivery leased to this worker, with what sending it takes.
     *
     * @param attemptsBefore attempts made before this one
     * @param previousSecret sealed; null when there is none
     */
    record Claimed(
            UUID id,
            UUID endpointId,
            String eventType,
            String body,
            int attemptsBefore,
            UUID leaseToken,
            String url,
            byte[] currentSecret,
            byte[] previousSecret,
            Instant previousValidUntil) {
        DeliveryId deliveryId() {
            return new DeliveryId(id);
        }
    }

    // One statement, so one round trip and its own short transaction. Per endpoint (the LATERAL), it
    // takes the due rows in due order, at most the endpoint's limit minus what is already in flight
    // there (leased by any worker), and locks them with SKIP LOCKED, so concurrent workers each get
    // different rows and never wait for each other; then it leases them: next_attempt_at moves to
    // the lease's end, so if this worker dies before writing an outcome the row is due again then.
    // Endpoints come in random order so that, when slots are short, no endpoint is always last.
    // Disabled and deleted endpoints, and those whose breaker is open, are left out here, so their
    // deliveries wait without spending attempts. Like outcomes (see relaxDurability), the claim does
    // not wait for its WAL flush: a claim lost in a PostgreSQL crash can only cause a duplicate.
    // The rows in flight are counted per endpoint from webhook_delivery_in_flight_idx (V78), which
    // holds exactly the leased pending rows by lease end, so the count has one plan whatever the
    // statistics say, and at most perEndpoint of them are read (the LIMIT also keeps the planner on
    // a plain index scan, which marks the dead entries of finished leases as it passes; a bitmap
    // scan never does). Before, the planner chose after each autoanalyze between two indexes or a
    // BitmapAnd of both, and under the BitmapAnd every claim read every lease the drain had taken
    // since the last vacuum: the slow drain of issue 17 (0003, "The slow drain: a plan flip").
    static final String CLAIM =
            """
            update webhook_delivery w
               set lease_token = ?::uuid, next_attempt_at = ?::timestamptz
              from (
                select d.id, e.url, e.secret_enc, e.previous_secret_enc, e.previous_valid_until
                  from (select n.id, n.url, n.secret_enc, n.previous_secret_enc, n.previous_valid_until
                          from webhook_endpoint n
                         where n.enabled and n.deleted_at is null
                           and (n.breaker_open_until is null or n.breaker_open_until <= ?::timestamptz)
                         order by random()) e
                 cross join lateral (
                    select count(*)::int as in_flight
                      from (select
                              from webhook_delivery f
                             where f.endpoint_id = e.id and f.lease_token is not null and f.status = 'pending'
                               and f.next_attempt_at > ?::timestamptz
                             limit ?::int) leases) leased
                 cross join lateral (
                    select x.id
                      from webhook_delivery x
                     where x.endpoint_id = e.id and x.status = 'pending' and x.next_attempt_at <= ?::timestamptz
                     order by x.next_attempt_at
                     limit greatest(0, ?::int - leased.in_flight)
                     for update of x skip locked) d
                 limit ?::int) c
             cross join (select set_config('synchronous_commit', 'off', true)) relaxed
             where w.id = c.id
            returning w.id, w.endpoint_id, w.event_type, w.payload::text, w.attempts,
                      c.url, c.secret_enc, c.previous_secret_enc, c.previous_valid_until""";

    /**
     * Leases up to {@code slots} due deliveries, at most {@code perEndpoint} in flight per endpoint.
     */
    List<Claimed> claim(int slots, int perEndpoint, Instant now, Duration lease) {
        Pipeline pipeline = new Pipeline();
        List<Claimed> claimed = claim(pipeline, slots, perEndpoint, now, lease);
        run(pipeline);
        return claimed;
    }

    /** {@link #claim(int, int, Instant, Duration)} queued on a pipeline; the list fills when it runs. */
    static List<Claimed> claim(Pipeline pipeline, int slots, int perEndpoint, Instant now, Duration lease) {
        UUID token = UUID.randomUUID();
        OffsetDateTime at = utc(now);
        List<Claimed> claimed = new ArrayList<>();
        pipeline.query(
                CLAIM,
                rows -> {
                    while (rows.next()) {
                        claimed.add(new Claimed(
                                rows.getObject(1, UUID.class),
                                rows.getObject(2, UUID.class),
                                rows.getString(3),
                                rows.getString(4),
                                rows.getInt(5),
                                token,
                                rows.getString(6),
                                rows.getBytes(7),
                                rows.getBytes(8),
                                instant(rows.getObject(9, OffsetDateTime.class))));
                    }
                },
                token,
                now.plus(lease),
                at,
                at,
                perEndpoint,
                at,
                perEndpoint,
                slots);
        return claimed;
    }

    /** Runs a pipeline on a connection of its own, in autocommit: up to its one Sync, one transaction. */
    void run(Pipeline pipeline) {
        dsl.connection(connection -> pipeline.run(connection));
    }

    /** A successful attempt whose outcome waits to be written with the worker's next claim. */
    record Delivered(Claimed claimed, Instant attemptedAt, Outcome outcome) {}

    // The success path of every delivery, for every success since the worker's last claim at once
    // and in the same round trip as its next claim: the attempts, the deliveries marked delivered
    // while this worker still holds their leases, and their endpoints' failure counts reset where
    // they had any. Returns the deliveries it marked. set_config(..., true) turns synchronous_commit
    // off for the statement's transaction only (see relaxDurability).
    private static final String DELIVERED =
            """
            with relaxed as (select set_config('synchronous_commit', 'off', true)),
            outcome as (
                select * from unnest(?::uuid[], ?::uuid[], ?::timestamptz[], ?::int[], ?::int[], ?::text[], ?::int[],
                                     ?::uuid[], ?::uuid[])
                         as t (attempt_id, delivery_id, attempted_at, status_code, latency_ms, response_body, attempts,
                               lease_token, endpoint_id)),
            attempt as (
                insert into webhook_attempt (id, delivery_id, attempted_at, status_code, latency_ms, response_body)
                select attempt_id, delivery_id, attempted_at, status_code, latency_ms, response_body
                  from outcome, relaxed),
            delivery as (
                update webhook_delivery d
                   set status = 'delivered', attempts = o.attempts, next_attempt_at = o.attempted_at,
                       delivered_at = o.attempted_at, last_status_code = o.status_code, last_error = null,
                       lease_token = null
                  from outcome o
                 where d.id = o.delivery_id and d.lease_token = o.lease_token
                returning d.id),
            endpoint as (
                update webhook_endpoint
                   set consecutive_failures = 0, failing_since = null, breaker_open_until = null
                 where id in (select endpoint_id from outcome)
                   and (consecutive_failures <> 0 or failing_since is not null or breaker_open_until is not null))
            select id from delivery""";

    /**
     * Queues the outcomes of successful attempts (see {@link #DELIVERED}); {@code marked} gets the
     * ids of the deliveries whose lease was still this worker's (for the others only the attempt
     * row is written: the delivery belongs to another worker now).
     */
    static void recordDelivered(Pipeline pipeline, List<Delivered> successes, Set<UUID> marked) {
        int n = successes.size();
        UUID[] attemptIds = new UUID[n];
        UUID[] deliveryIds = new UUID[n];
        String[] attemptedAt = new String[n];
        Integer[] statusCodes = new Integer[n];
        Integer[] latencies = new Integer[n];
        String[] bodies = new String[n];
        Integer[] attempts = new Integer[n];
        UUID[] leaseTokens = new UUID[n];
        UUID[] endpointIds = new UUID[n];
        for (int i = 0; i < n; i++) {
            Delivered success = successes.get(i);
            attemptIds[i] = Ulid.newUuidV7(success.attemptedAt().toEpochMilli());
            deliveryIds[i] = success.claimed().id();
            attemptedAt[i] = success.attemptedAt().toString();
            statusCodes[i] = success.outcome().statusCode();
            latencies[i] = (int) Math.min(Integer.MAX_VALUE, success.outcome().latencyMs());
            bodies[i] = success.outcome().responseBody();
            attempts[i] = success.claimed().attemptsBefore() + 1;
            leaseTokens[i] = success.claimed().leaseToken();
            endpointIds[i] = success.claimed().endpointId();
        }
        pipeline.query(
                DELIVERED,
                rows -> {
                    while (rows.next()) {
                        marked.add(rows.getObject(1, UUID.class));
                    }
                },
                attemptIds,
                deliveryIds,
                attemptedAt,
                statusCodes,
                latencies,
                bodies,
                attempts,
                leaseTokens,
                endpointIds);
    }

    /**
     * An outcome that is lost when PostgreSQL crashes costs a duplicate delivery, never a lost
     * one: the delivery stays leased and goes again when the lease ends, and receivers drop
     * duplicates by X-Clickledger-Delivery. So outcomes skip waiting for their WAL flush
     * (synchronous_commit off for this transaction), which would otherwise be most of their cost.
     * Call first inside the transaction.
     */
    void relaxDurability() {
        dsl.execute("set local synchronous_commit to off");
    }

    /**
     * Writes a failed attempt's outcome, if this worker still holds the lease.
     *
     * @param status the delivery's new status
     * @param nextAttemptAt when a pending delivery is tried again
     * @return false when the lease had passed to another worker: only the attempt row was written
     */
    boolean recordOutcome(Claimed claimed, Instant attemptedAt, Outcome outcome, String status, Instant nextAttemptAt) {
        dsl.insertInto(WEBHOOK_ATTEMPT)
                .set(WEBHOOK_ATTEMPT.ID, Ulid.newUuidV7(attemptedAt.toEpochMilli()))
                .set(WEBHOOK_ATTEMPT.DELIVERY_ID, claimed.id())
                .set(WEBHOOK_ATTEMPT.ATTEMPTED_AT, utc(attemptedAt))
                .set(WEBHOOK_ATTEMPT.STATUS_CODE, outcome.statusCode())
                .set(WEBHOOK_ATTEMPT.LATENCY_MS, (int) Math.min(Integer.MAX_VALUE, outcome.latencyMs()))
                .set(WEBHOOK_ATTEMPT.ERROR, outcome.error())
                .set(WEBHOOK_ATTEMPT.RESPONSE_BODY, outcome.responseBody())
                .execute();
        return dsl.update(WEBHOOK_DELIVERY)
                        .set(WEBHOOK_DELIVERY.STATUS, status)
                        .set(WEBHOOK_DELIVERY.ATTEMPTS, claimed.attemptsBefore() + 1)
                        .set(WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT, utc(nextAttemptAt))
                        .set(WEBHOOK_DELIVERY.LAST_STATUS_CODE, outcome.statusCode())
                        .set(WEBHOOK_DELIVERY.LAST_ERROR, outcome.error())
                        .set(WEBHOOK_DELIVERY.DELIVERED_AT, outcome.delivered() ? utc(attemptedAt) : null)
                        .setNull(WEBHOOK_DELIVERY.LEASE_TOKEN)
                        .where(WEBHOOK_DELIVERY.ID.eq(claimed.id()))
                        .and(WEBHOOK_DELIVERY.LEASE_TOKEN.eq(claimed.leaseToken()))
                        .execute()
                == 1;
    }

    /**
     * Newest first.
     *
     * @param status null for every status
     * @param eventType null for every type
     * @param from null for no lower bound (inclusive)
     * @param to null for no upper bound (exclusive)
     */
    Page<Delivery> list(
            WebhookEndpointId endpointId, String status, String eventType, Instant from, Instant to, PageRequest page) {
        return Page.of(
                dsl.selectFrom(WEBHOOK_DELIVERY)
                        .where(WEBHOOK_DELIVERY.ENDPOINT_ID.eq(endpointId.value()))
                        .and(page.after(WEBHOOK_DELIVERY.ID))
                        .and(status == null ? DSL.noCondition() : WEBHOOK_DELIVERY.STATUS.eq(status))
                        .and(eventType == null ? DSL.noCondition() : WEBHOOK_DELIVERY.EVENT_TYPE.eq(eventType))
                        .and(from == null ? DSL.noCondition() : WEBHOOK_DELIVERY.CREATED_AT.ge(utc(from)))
                        .and(to == null ? DSL.noCondition() : WEBHOOK_DELIVERY.CREATED_AT.lt(utc(to)))
                        .orderBy(WEBHOOK_DELIVERY.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(DeliveryRepository::toDelivery),
                page,
                delivery -> delivery.id().toString());
    }

    Optional<DeliveryDetail> detail(DeliveryId id) {
        Optional<WebhookDeliveryRecord> row = dsl.selectFrom(WEBHOOK_DELIVERY)
                .where(WEBHOOK_DELIVERY.ID.eq(id.value()))
                .fetchOptional();
        if (row.isEmpty()) {
            return Optional.empty();
        }
        List<DeliveryDetail.Attempt> attempts = dsl.selectFrom(WEBHOOK_ATTEMPT)
                .where(WEBHOOK_ATTEMPT.DELIVERY_ID.eq(id.value()))
                .orderBy(WEBHOOK_ATTEMPT.ATTEMPTED_AT, WEBHOOK_ATTEMPT.ID)
                .fetch(attempt -> new DeliveryDetail.Attempt(
                        Ulid.encode(attempt.getId()),
                        attempt.getAttemptedAt().toInstant(),
                        attempt.getStatusCode(),
                        attempt.getLatencyMs(),
                        attempt.getError(),
                        attempt.getResponseBody()));
        return Optional.of(new DeliveryDetail(toDelivery(row.get()), payload(row.get()), attempts));
    }

    /** Locks the row until the transaction ends. */
    Optional<Delivery> findForUpdate(DeliveryId id) {
        return dsl.selectFrom(WEBHOOK_DELIVERY)
                .where(WEBHOOK_DELIVERY.ID.eq(id.value()))
                .forUpdate()
                .fetchOptional()
                .map(DeliveryRepository::toDelivery);
    }

    /** True while a worker holds an unexpired lease on it. */
    boolean inFlight(DeliveryId id, Instant now) {
        return dsl.fetchExists(
                WEBHOOK_DELIVERY,
                WEBHOOK_DELIVERY
                        .ID
                        .eq(id.value())
                        .and(WEBHOOK_DELIVERY.STATUS.eq(Delivery.PENDING))
                        .and(WEBHOOK_DELIVERY.LEASE_TOKEN.isNotNull())
                        .and(WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT.gt(utc(now))));
    }

    /**
     * Queues deliveries again, due now, with a fresh attempt allowance; their attempt history stays.
     * A delivery in flight is left alone.
     */
    int requeue(Condition which, Instant now) {
        return dsl.update(WEBHOOK_DELIVERY)
                .set(WEBHOOK_DELIVERY.STATUS, Delivery.PENDING)
                .set(WEBHOOK_DELIVERY.ATTEMPTS, 0)
                .set(WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT, utc(now))
                .setNull(WEBHOOK_DELIVERY.DELIVERED_AT)
                .setNull(WEBHOOK_DELIVERY.LEASE_TOKEN)
                .where(which)
                .andNot(WEBHOOK_DELIVERY
                        .STATUS
                        .eq(Delivery.PENDING)
                        .and(WEBHOOK_DELIVERY.LEASE_TOKEN.isNotNull())
                        .and(WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT.gt(utc(now))))
                .execute();
    }

    static Condition byId(DeliveryId id) {
        return WEBHOOK_DELIVERY.ID.eq(id.value());
    }

    /** The dead deliveries of an endpoint created in [from, to). */
    static Condition deadBetween(WebhookEndpointId endpointId, Instant from, Instant to) {
        return WEBHOOK_DELIVERY
                .ENDPOINT_ID
                .eq(endpointId.value())
                .and(WEBHOOK_DELIVERY.STATUS.eq(Delivery.DEAD))
                .and(WEBHOOK_DELIVERY.CREATED_AT.ge(utc(from)))
                .and(WEBHOOK_DELIVERY.CREATED_AT.lt(utc(to)));
    }

    /** A deleted endpoint's pending deliveries will never go: they end as dead, saying why. */
    int abandonPending(WebhookEndpointId endpointId, String reason) {
        return dsl.update(WEBHOOK_DELIVERY)
                .set(WEBHOOK_DELIVERY.STATUS, Delivery.DEAD)
                .set(WEBHOOK_DELIVERY.LAST_ERROR, reason)
                .setNull(WEBHOOK_DELIVERY.LEASE_TOKEN)
                .where(WEBHOOK_DELIVERY.ENDPOINT_ID.eq(endpointId.value()))
                .and(WEBHOOK_DELIVERY.STATUS.eq(Delivery.PENDING))
                .execute();
    }

    static Delivery toDelivery(WebhookDeliveryRecord row) {
        boolean pending = Delivery.PENDING.equals(row.getStatus());
        return new Delivery(
                new DeliveryId(row.getId()),
                new WebhookEndpointId(row.getEndpointId()),
                row.getEventType(),
                row.getStatus(),
                row.getAttempts(),
                pending ? instant(row.getNextAttemptAt()) : null,
                row.getLastStatusCode(),
                row.getLastError(),
                row.getCreatedAt().toInstant(),
                instant(row.getDeliveredAt()));
    }

    private static JsonNode payload(WebhookDeliveryRecord row) {
        try {
            return Json.MAPPER.readTree(row.getPayload().data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("webhook_delivery.payload is not JSON", e);
        }
    }
}
