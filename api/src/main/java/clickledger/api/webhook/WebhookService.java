package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.secret.SecretBox;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.DSLContext;

/**
 * The admin side of webhooks: endpoints (with their secrets sealed at rest), test deliveries and
 * the delivery log with redelivery. Every change is audited in its own transaction.
 */
public final class WebhookService {
    public static final int DEFAULT_OVERLAP_HOURS = 24;
    // A month is long enough to roll a secret out to every receiver; longer means it is not rotated.
    public static final int MAX_OVERLAP_HOURS = 720;

    private final DSLContext dsl;
    private final Clock clock;
    private final SecretBox secrets;
    private final DestinationGuard guard;
    private final WebhookOutbox outbox;

    public WebhookService(
            DSLContext dsl, Clock clock, SecretBox secrets, DestinationGuard guard, WebhookOutbox outbox) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.guard = requireNonNull(guard, "guard is null");
        this.outbox = requireNonNull(outbox, "outbox is null");
    }

    /** The sealing context: a sealed secret opens only in the row it was made for. */
    public static String sealContext(WebhookEndpointId id) {
        return "webhook_endpoint:" + id;
    }

    public WebhookWithSecret create(WebhookCreate request, Principal actor) {
        WebhookCreate.Valid valid = request.validate();
        checkDestination(valid.url());
        Instant now = now();
        WebhookEndpoint endpoint = new WebhookEndpoint(
                WebhookEndpointId.newId(now),
                valid.url(),
                valid.eventTypes(),
                valid.description(),
                valid.enabled(),
                null,
                null,
                0,
                null,
                null,
                now,
                now);
        String secret = WebhookSignature.newSecret();
        byte[] sealed = secrets.seal(secret, sealContext(endpoint.id()));
        dsl.transaction(trx -> {
            new WebhookRepository(trx.dsl()).insert(endpoint, sealed);
            audit(
                    trx.dsl(),
                    now,
                    actor,
                    "webhook.created",
                    endpoint.id(),
                    Map.of("url", endpoint.url().value()));
        });
        return new WebhookWithSecret(endpoint, secret);
    }

    public Optional<WebhookEndpoint> find(WebhookEndpointId id) {
        return new WebhookRepository(dsl).find(id);
    }

    public Page<WebhookEndpoint> list(PageRequest page) {
        return new WebhookRepository(dsl).list(page);
    }

    /** Empty when there is no such endpoint. */
    public Optional<WebhookEndpoint> update(
            WebhookEndpointId id, WebhookPatch patch, Set<String> present, Principal actor) {
        WebhookPatch.Valid valid = patch.validate(present);
        if (valid.url() != null) {
            checkDestination(valid.url());
        }
        return dsl.transactionResult(trx -> {
            WebhookRepository endpoints = new WebhookRepository(trx.dsl());
            Optional<WebhookEndpoint> current = endpoints.findForUpdate(id);
            if (current.isEmpty()) {
                return current;
            }
            WebhookEndpoint before = current.get();
            Instant now = now();
            boolean enabled = valid.enabled() == null ? before.enabled() : valid.enabled();
            boolean reenabled = enabled && !before.enabled();
            WebhookEndpoint after = new WebhookEndpoint(
                    id,
                    valid.url() == null ? before.url() : valid.url(),
                    valid.eventTypes() == null ? before.eventTypes() : valid.eventTypes(),
                    valid.descriptionPresent() ? valid.description() : before.description(),
                    enabled,
                    // An admin's choice replaces the system's reason either way.
                    valid.enabled() == null ? before.disabledReason() : null,
                    reenabled ? null : before.failingSince(),
                    reenabled ? 0 : before.consecutiveFailures(),
                    reenabled ? null : before.breakerOpenUntil(),
                    before.previousSecretExpiresAt(),
                    before.createdAt(),
                    now);
            endpoints.update(after, reenabled);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("fields", List.copyOf(present));
            details.put("enabled", after.enabled());
            audit(trx.dsl(), now, actor, "webhook.updated", id, details);
            return Optional.of(after);
        });
    }

    /**
     * A new secret, shown once. The old one keeps signing (a second v1 in the signature header)
     * for {@code overlapHours}, so receivers can switch without dropping a delivery.
     *
     * @param overlapHours null for {@value #DEFAULT_OVERLAP_HOURS}; 0 retires the old secret at once
     */
    public Optional<WebhookWithSecret> rotateSecret(WebhookEndpointId id, Integer overlapHours, Principal actor) {
        int overlap = overlapHours == null ? DEFAULT_OVERLAP_HOURS : overlapHours;
        if (overlap < 0 || overlap > MAX_OVERLAP_HOURS) {
            throw ApiException.badRequest("overlapHours", "must be between 0 and " + MAX_OVERLAP_HOURS);
        }
        String secret = WebhookSignature.newSecret();
        byte[] sealed = secrets.seal(secret, sealContext(id));
        return dsl.transactionResult(trx -> {
            WebhookRepository endpoints = new WebhookRepository(trx.dsl());
            Optional<WebhookEndpoint> current = endpoints.findForUpdate(id);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            Instant now = now();
            Instant validUntil = overlap == 0 ? null : now.plus(Duration.ofHours(overlap));
            byte[] previous = overlap == 0 ? null : endpoints.secrets(id).current();
            endpoints.rotate(id, sealed, previous, validUntil, now);
            audit(trx.dsl(), now, actor, "webhook.secret_rotated", id, Map.of("overlapHours", overlap));
            return endpoints.find(id).map(endpoint -> new WebhookWithSecret(endpoint, secret));
        });
    }

    /**
     * Hides the endpoint and ends its pending deliveries as dead; the log and audit trail stay.
     *
     * @return false when there is no such endpoint
     */
    public boolean delete(WebhookEndpointId id, Principal actor) {
        return dsl.transactionResult(trx -> {
            WebhookRepository endpoints = new WebhookRepository(trx.dsl());
            if (endpoints.findForUpdate(id).isEmpty()) {
                return false;
            }
            Instant now = now();
            endpoints.delete(id, now);
            int abandoned = new DeliveryRepository(trx.dsl()).abandonPending(id, "endpoint_deleted");
            audit(trx.dsl(), now, actor, "webhook.deleted", id, Map.of("pendingAbandoned", abandoned));
            return true;
        });
    }

    /** Queues a {@code webhook.test} delivery to this endpoint; empty when there is no such endpoint. */
    public Optional<Delivery> sendTest(WebhookEndpointId id) {
        return dsl.transactionResult(trx -> {
            Optional<WebhookEndpoint> endpoint = new WebhookRepository(trx.dsl()).find(id);
            if (endpoint.isEmpty()) {
                return Optional.empty();
            }
            if (!endpoint.get().enabled()) {
                throw ApiException.conflict(
                        "endpoint_disabled", "the endpoint is disabled: enable it (PATCH enabled) to send a test");
            }
            DeliveryId delivery = outbox.publishTest(trx.dsl(), endpoint.get());
            return new DeliveryRepository(trx.dsl()).detail(delivery).map(DeliveryDetail::delivery);
        });
    }

    /** Empty when no endpoint (deleted or not) has this id. */
    public Optional<Page<Delivery>> deliveries(WebhookEndpointId id, DeliveryFilter filter, PageRequest page) {
        if (!new WebhookRepository(dsl).exists(id)) {
            return Optional.empty();
        }
        return Optional.of(new DeliveryRepository(dsl)
                .list(id, filter.status(), filter.eventType(), filter.from(), filter.to(), page));
    }

    public Optional<DeliveryDetail> delivery(DeliveryId id) {
        return new DeliveryRepository(dsl).detail(id);
    }

    /**
     * Queues one delivery again, due now, with a fresh attempt allowance and the same id (so a
     * receiver that did get it can drop it). Empty when there is no such delivery.
     */
    public Optional<Delivery> redeliver(DeliveryId id, Principal actor) {
        return dsl.transactionResult(trx -> {
            DeliveryRepository deliveries = new DeliveryRepository(trx.dsl());
            Optional<Delivery> delivery = deliveries.findForUpdate(id);
            if (delivery.isEmpty()) {
                return delivery;
            }
            if (new WebhookRepository(trx.dsl())
                    .find(delivery.get().endpointId())
                    .isEmpty()) {
                throw ApiException.conflict("endpoint_deleted", "the delivery's endpoint was deleted");
            }
            Instant now = now();
            if (deliveries.inFlight(id, now)) {
                throw ApiException.conflict(
                        "delivery_in_flight", "the delivery is being attempted right now; look again in a minute");
            }
            deliveries.requeue(DeliveryRepository.byId(id), now);
            new AuditRepository(trx.dsl())
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "webhook.redelivered",
                            "webhook_delivery",
                            id.toString(),
                            Map.of("previousStatus", delivery.get().status())));
            return deliveries.findForUpdate(id);
        });
    }

    /**
     * Queues again every dead delivery of the endpoint created in [from, to).
     *
     * @return how many; empty when there is no such endpoint
     */
    public Optional<Integer> redeliverDead(WebhookEndpointId id, Instant from, Instant to, Principal actor) {
        return dsl.transactionResult(trx -> {
            if (new WebhookRepository(trx.dsl()).findForUpdate(id).isEmpty()) {
                return Optional.empty();
            }
            Instant now = now();
            int count = new DeliveryRepository(trx.dsl()).requeue(DeliveryRepository.deadBetween(id, from, to), now);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("from", from.toString());
            details.put("to", to.toString());
            details.put("count", count);
            audit(trx.dsl(), now, actor, "webhook.redelivered_dead", id, details);
            return Optional.of(count);
        });
    }

    private void checkDestination(WebhookUrl url) {
        DestinationGuard.Verdict verdict = guard.check(url);
        if (!verdict.allowed()) {
            throw ApiException.badRequest(WebhookUrl.FIELD, verdict.refusal());
        }
    }

    private static void audit(
            DSLContext tx,
            Instant now,
            Principal actor,
            String action,
            WebhookEndpointId id,
            Map<String, Object> details) {
        new AuditRepository(tx)
                .append(new AuditEntry(now, actor.actor(), action, "webhook_endpoint", id.toString(), details));
    }

    // Milliseconds, like the ids: what create returns is what later reads return.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
