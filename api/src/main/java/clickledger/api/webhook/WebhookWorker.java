package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.outbox.LeasedWorker;
import clickledger.api.outbox.RetrySchedule;
import clickledger.api.secret.SecretBox;
import clickledger.db.Pipeline;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox, as the {@link LeasedWorker.Queue} of the loop every outbox shares: the loop
 * claims due deliveries ({@link DeliveryRepository#claim}: FOR UPDATE SKIP LOCKED, then a lease)
 * and hands each to a virtual thread that signs and POSTs it and writes the outcome. Every api
 * replica runs one; they never get the same row, because the claim skips rows another worker has
 * locked and a claimed row is not due again until its lease ends. The claim is the only
 * coordination, so no advisory lock is needed.
 *
 * <p>Bounds: at most {@code WEBHOOK_CONCURRENCY} requests in flight in this process, and at most
 * {@code WEBHOOK_ENDPOINT_CONCURRENCY} per endpoint, counted from the leases in the database (so
 * across replicas too, except that two replicas claiming in the same instant can each take the
 * endpoint's full allowance). A receiver that hangs thus holds at most its own slots; its breaker
 * opens after {@code WEBHOOK_BREAKER_THRESHOLD} failures in a row, and an endpoint failing for
 * {@code WEBHOOK_DISABLE_AFTER_HOURS} without one success is disabled, logged and audited.
 *
 * <p>Delivery is at least once: a worker that dies after the POST and before writing the outcome
 * leaves the lease to expire, and the delivery is sent again with the same id.
 *
 * <p>A success's outcome is written with the loop's next claim, in the same round trip (the
 * queue's {@code claim} sends both in one pipeline): the claim then already counts that delivery's
 * slot free, and a drain of many deliveries costs one round trip per claim, not one per delivery
 * and one per claim. Failures, which move the endpoint's breaker, are written at once by their
 * delivery thread; what is still queued at close is written by {@code stopped}.
 */
public final class WebhookWorker implements AutoCloseable {
    static final String SYSTEM_ACTOR = "system:webhooks";
    /**
     * Failed attempts' outcomes written at once, at most: each holds a pooled connection for its
     * short transaction, and with dozens of requests in flight an outage at the receivers would
     * otherwise take the whole pool (DB_POOL_SIZE, 10) from the api's HTTP requests. The others wait
     * for a writer on their virtual thread, still holding their delivery slot, so a failing
     * receiver slows its own retries, not the api.
     */
    static final int FAILURE_WRITERS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(WebhookWorker.class);

    private final DSLContext dsl;
    private final Clock clock;
    private final WebhookConfig config;
    private final Destinations destinations;
    private final DestinationGuard guard;
    private final RetrySchedule schedule;
    private final WebhookSender sender;
    private final EndpointDisabledListener disabledListener;
    private final LeasedWorker<DeliveryRepository.Claimed> loop;
    // Successes whose outcome the next claim writes. Bounded by the concurrency: a success frees
    // its slot as it is queued, and the claim takes every queued one before it claims deliveries
    // for the slots they freed.
    private final ConcurrentLinkedQueue<DeliveryRepository.Delivered> succeeded = new ConcurrentLinkedQueue<>();
    private final Semaphore failureWriters = new Semaphore(FAILURE_WRITERS);
    // The most failure writes seen at once (tests check FAILURE_WRITERS holds).
    private final AtomicInteger writingFailures = new AtomicInteger();
    private final AtomicInteger mostFailureWrites = new AtomicInteger();
    private final Counter delivered;
    private final Counter failed;
    private final Counter dead;
    private final Timer latency;

    /** Told, in the transaction that disables it, when an endpoint failing for too long is disabled. */
    public interface EndpointDisabledListener {
        void disabled(DSLContext trx, WebhookEndpointId endpointId, String url, String reason);
    }

    public WebhookWorker(
            DSLContext dsl,
            Clock clock,
            WebhookConfig config,
            SecretBox secrets,
            DestinationGuard guard,
            RetrySchedule schedule,
            EndpointDisabledListener disabledListener,
            MeterRegistry registry) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.config = requireNonNull(config, "config is null");
        this.destinations = new Destinations(requireNonNull(secrets, "secrets is null"));
        this.guard = requireNonNull(guard, "guard is null");
        this.schedule = requireNonNull(schedule, "schedule is null");
        this.sender = new WebhookSender(config.timeout());
        this.disabledListener = requireNonNull(disabledListener, "disabledListener is null");
        // Longer than any attempt can take (the timeout bounds the request; the rest is for writing
        // the outcome), so a live worker never loses its lease to another.
        this.loop = new LeasedWorker<>(
                "webhook",
                new LeasedWorker.Queue<>() {
                    @Override
                    public List<DeliveryRepository.Claimed> claim(int slots, Duration lease) {
                        return claimDue(slots, lease);
                    }

                    @Override
                    public void deliver(DeliveryRepository.Claimed claimed) {
                        WebhookWorker.this.deliver(claimed);
                    }

                    @Override
                    public void stopped() {
                        flushSucceeded();
                    }
                },
                config.concurrency(),
                config.pollInterval(),
                LeasedWorker.leaseFor(config.timeout()));
        this.delivered =
                Counter.builder("webhook_attempts").tag("outcome", "delivered").register(registry);
        this.failed =
                Counter.builder("webhook_attempts").tag("outcome", "failed").register(registry);
        this.dead = Counter.builder("webhook_deliveries_dead").register(registry);
        this.latency = Timer.builder("webhook_attempt_duration").register(registry);
        registry.gauge("webhook_in_flight", loop, LeasedWorker::inFlight);
    }

    public WebhookWorker start() {
        loop.start();
        return this;
    }

    int inFlight() {
        return loop.inFlight();
    }

    /** The most failed attempts' outcomes this worker has written at the same time. */
    int mostFailureWritesAtOnce() {
        return mostFailureWrites.get();
    }

    /** Writes the successes queued since the last claim and claims, in one round trip. */
    private List<DeliveryRepository.Claimed> claimDue(int slots, Duration lease) {
        List<DeliveryRepository.Delivered> successes = takeSucceeded();
        List<DeliveryRepository.Claimed> batch;
        Set<UUID> marked;
        try {
            Pipeline pipeline = new Pipeline();
            marked = recordSucceeded(pipeline, successes);
            batch = DeliveryRepository.claim(pipeline, slots, config.endpointConcurrency(), clock.instant(), lease);
            new DeliveryRepository(dsl).run(pipeline);
        } catch (RuntimeException e) {
            if (!successes.isEmpty()) {
                LOG.atError()
                        .addKeyValue("outcomes", successes.size())
                        .log("the webhook outcomes sent with a failed claim are lost; those deliveries go again"
                                + " when their leases end");
            }
            throw e;
        }
        leasesLost(successes, marked);
        return batch;
    }

    private List<DeliveryRepository.Delivered> takeSucceeded() {
        List<DeliveryRepository.Delivered> taken = new ArrayList<>();
        for (DeliveryRepository.Delivered success = succeeded.poll(); success != null; success = succeeded.poll()) {
            taken.add(success);
        }
        return taken;
    }

    /** Queues the successes' outcomes, if any; the set gets the deliveries they marked delivered. */
    private static Set<UUID> recordSucceeded(Pipeline pipeline, List<DeliveryRepository.Delivered> successes) {
        Set<UUID> marked = new HashSet<>();
        if (!successes.isEmpty()) {
            DeliveryRepository.recordDelivered(pipeline, successes, marked);
        }
        return marked;
    }

    private static void leasesLost(List<DeliveryRepository.Delivered> successes, Set<UUID> marked) {
        for (DeliveryRepository.Delivered success : successes) {
            if (!marked.contains(success.claimed().id())) {
                leaseLost(success.claimed());
            }
        }
    }

    /** Writes the outcomes still queued (at close); they would otherwise go again when their leases end. */
    private void flushSucceeded() {
        List<DeliveryRepository.Delivered> successes = takeSucceeded();
        if (successes.isEmpty()) {
            return;
        }
        try {
            Pipeline pipeline = new Pipeline();
            Set<UUID> marked = recordSucceeded(pipeline, successes);
            new DeliveryRepository(dsl).run(pipeline);
            leasesLost(successes, marked);
        } catch (RuntimeException e) {
            LOG.atError()
                    .setCause(e)
                    .addKeyValue("outcomes", successes.size())
                    .log("could not write webhook outcomes at close; those deliveries go again when their leases end");
        }
    }

    /** One attempt: sign, check the destination, POST, write the outcome. */
    private void deliver(DeliveryRepository.Claimed claimed) {
        Instant attemptedAt = clock.instant();
        Outcome outcome;
        try {
            outcome = attempt(claimed, attemptedAt);
        } catch (RuntimeException e) {
            // A bug, not the receiver's doing; recorded as a failed attempt so the delivery follows
            // its schedule instead of being retried at every lease expiry forever.
            LOG.atError()
                    .setCause(e)
                    .addKeyValue("deliveryId", claimed.deliveryId())
                    .log("webhook attempt failed unexpectedly");
            outcome = Outcome.failed("failed: " + e.getClass().getSimpleName(), 0);
        } catch (InterruptedException e) {
            // Shutting down mid-request: no outcome is written, the lease expires, and the delivery
            // goes again, with the same id, from whichever worker claims it next.
            Thread.currentThread().interrupt();
            return;
        }
        latency.record(Duration.ofMillis(outcome.latencyMs()));
        try {
            record(claimed, attemptedAt, outcome);
        } catch (RuntimeException e) {
            LOG.atError()
                    .setCause(e)
                    .addKeyValue("deliveryId", claimed.deliveryId())
                    .log("could not write a webhook attempt's outcome; the delivery goes again when its lease ends");
        }
    }

    private Outcome attempt(DeliveryRepository.Claimed claimed, Instant now) throws InterruptedException {
        Destinations.Destination destination;
        try {
            destination = destinations.of(claimed, now);
        } catch (IllegalStateException e) {
            LOG.atError()
                    .addKeyValue("endpointId", new WebhookEndpointId(claimed.endpointId()))
                    .log(e.getMessage());
            return Outcome.failed("secret_unreadable: " + e.getMessage(), 0);
        }
        // Before every attempt, never cached: DNS answers change.
        DestinationGuard.Verdict verdict = guard.checkHost(destination.host());
        if (!verdict.allowed()) {
            return Outcome.failed("destination_refused: " + verdict.refusal(), 0);
        }
        return sender.send(
                destination.uri(),
                claimed.eventType(),
                claimed.deliveryId(),
                claimed.body().getBytes(StandardCharsets.UTF_8),
                destination.keys(),
                now);
    }

    /** Endpoints prepared for signing so far (tests check the cache). */
    Destinations destinations() {
        return destinations;
    }

    private void record(DeliveryRepository.Claimed claimed, Instant attemptedAt, Outcome outcome) {
        if (outcome.delivered()) {
            succeeded.add(new DeliveryRepository.Delivered(claimed, attemptedAt, outcome));
            delivered.increment();
            return;
        }
        Instant now = clock.instant();
        int attemptsMade = claimed.attemptsBefore() + 1;
        RetrySchedule.Next next = schedule.next(attemptsMade, outcome.retryAfter(), now);
        String status = next.dead() ? Delivery.DEAD : Delivery.PENDING;
        failureWriters.acquireUninterruptibly();
        try {
            mostFailureWrites.accumulateAndGet(writingFailures.incrementAndGet(), Math::max);
            recordFailure(claimed, attemptedAt, outcome, status, next.at(), now);
        } finally {
            writingFailures.decrementAndGet();
            failureWriters.release();
        }
        failed.increment();
        if (next.dead()) {
            dead.increment();
            LOG.atWarn()
                    .addKeyValue("deliveryId", claimed.deliveryId())
                    .addKeyValue("endpointId", new WebhookEndpointId(claimed.endpointId()))
                    .addKeyValue("eventType", claimed.eventType())
                    .addKeyValue("attempts", attemptsMade)
                    .log("webhook delivery is dead");
        }
    }

    private void recordFailure(
            DeliveryRepository.Claimed claimed,
            Instant attemptedAt,
            Outcome outcome,
            String status,
            Instant next,
            Instant now) {
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            DeliveryRepository deliveries = new DeliveryRepository(tx);
            deliveries.relaxDurability();
            if (!deliveries.recordOutcome(claimed, attemptedAt, outcome, status, next)) {
                leaseLost(claimed);
            }
            WebhookRepository.Health health = new WebhookRepository(tx)
                    .recordFailure(claimed.endpointId(), now, config.breakerThreshold(), config.breakerCooldown());
            if (health.consecutiveFailures() == config.breakerThreshold()) {
                LOG.atInfo()
                        .addKeyValue("endpointId", new WebhookEndpointId(claimed.endpointId()))
                        .addKeyValue("openUntil", health.breakerOpenUntil())
                        .log("webhook endpoint breaker opened");
            }
            if (health.enabled()
                    && health.failingSince() != null
                    && !health.failingSince().plus(config.disableAfter()).isAfter(now)) {
                disable(tx, claimed, health, now);
            }
        });
    }

    private static void leaseLost(DeliveryRepository.Claimed claimed) {
        LOG.atWarn()
                .addKeyValue("deliveryId", claimed.deliveryId())
                .log("webhook lease had expired; the attempt is logged but the delivery belongs to another worker now");
    }

    private void disable(
            DSLContext tx, DeliveryRepository.Claimed claimed, WebhookRepository.Health health, Instant now) {
        WebhookEndpointId endpointId = new WebhookEndpointId(claimed.endpointId());
        String reason = "failing since " + health.failingSince() + " without a successful delivery ("
                + health.consecutiveFailures() + " failed attempts in a row)";
        if (!new WebhookRepository(tx).disableFailing(claimed.endpointId(), reason, now)) {
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("failingSince", health.failingSince().toString());
        details.put("consecutiveFailures", health.consecutiveFailures());
        details.put("reason", reason);
        new AuditRepository(tx)
                .append(new AuditEntry(
                        now, SYSTEM_ACTOR, "webhook.disabled", "webhook_endpoint", endpointId.toString(), details));
        disabledListener.disabled(tx, endpointId, claimed.url(), reason);
        LOG.atWarn()
                .addKeyValue("endpointId", endpointId)
                .addKeyValue("failingSince", health.failingSince())
                .addKeyValue("consecutiveFailures", health.consecutiveFailures())
                .log("webhook endpoint disabled: it has been failing for too long; fix the receiver and re-enable it");
    }

    /**
     * Stops claiming, lets requests in flight finish for a few seconds, then cuts them off (their
     * leases expire and they are sent again later), and writes the successes still queued.
     */
    @Override
    public void close() {
        try {
            loop.close();
        } finally {
            sender.close();
        }
    }
}
