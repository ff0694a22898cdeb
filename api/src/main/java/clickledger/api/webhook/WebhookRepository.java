package clickledger.api.webhook;

import static clickledger.db.jooq.Tables.WEBHOOK_ENDPOINT;
import static java.util.Objects.requireNonNull;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.db.jooq.tables.records.WebhookEndpointRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Webhook endpoints in PostgreSQL. Deleted endpoints keep their row (deleted_at) for the delivery log. */
public final class WebhookRepository {
    private final DSLContext dsl;

    public WebhookRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** The signing secrets, sealed; null previous when no rotated-out secret exists. */
    record SealedSecrets(byte[] current, byte[] previous, Instant previousValidUntil) {}

    void insert(WebhookEndpoint endpoint, byte[] sealedSecret) {
        dsl.insertInto(WEBHOOK_ENDPOINT)
                .set(WEBHOOK_ENDPOINT.ID, endpoint.id().value())
                .set(WEBHOOK_ENDPOINT.URL, endpoint.url().value())
                .set(WEBHOOK_ENDPOINT.EVENT_TYPES, endpoint.eventTypes().toArray(String[]::new))
                .set(WEBHOOK_ENDPOINT.SECRET_ENC, sealedSecret)
                .set(WEBHOOK_ENDPOINT.ENABLED, endpoint.enabled())
                .set(WEBHOOK_ENDPOINT.DESCRIPTION, endpoint.description())
                .set(WEBHOOK_ENDPOINT.CREATED_AT, utc(endpoint.createdAt()))
                .set(WEBHOOK_ENDPOINT.UPDATED_AT, utc(endpoint.updatedAt()))
                .execute();
    }

    /** Not deleted. */
    Optional<WebhookEndpoint> find(WebhookEndpointId id) {
        return dsl.selectFrom(WEBHOOK_ENDPOINT)
                .where(WEBHOOK_ENDPOINT.ID.eq(id.value()))
                .and(WEBHOOK_ENDPOINT.DELETED_AT.isNull())
                .fetchOptional()
                .map(WebhookRepository::toEndpoint);
    }

    /** Not deleted; locks the row until the transaction ends so concurrent changes apply in turn. */
    Optional<WebhookEndpoint> findForUpdate(WebhookEndpointId id) {
        return dsl.selectFrom(WEBHOOK_ENDPOINT)
                .where(WEBHOOK_ENDPOINT.ID.eq(id.value()))
                .and(WEBHOOK_ENDPOINT.DELETED_AT.isNull())
                .forUpdate()
                .fetchOptional()
                .map(WebhookRepository::toEndpoint);
    }

    /** Deleted or not: the delivery log outlives the endpoint. */
    boolean exists(WebhookEndpointId id) {
        return dsl.fetchExists(WEBHOOK_ENDPOINT, WEBHOOK_ENDPOINT.ID.eq(id.value()));
    }

    Page<WebhookEndpoint> list(PageRequest page) {
        return Page.of(
                dsl.selectFrom(WEBHOOK_ENDPOINT)
                        .where(page.after(WEBHOOK_ENDPOINT.ID))
                        .and(WEBHOOK_ENDPOINT.DELETED_AT.isNull())
                        .orderBy(WEBHOOK_ENDPOINT.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(WebhookRepository::toEndpoint),
                page,
                endpoint -> endpoint.id().toString());
    }

    /** Enabled, not deleted: the endpoints the outbox writes deliveries for. */
    List<WebhookEndpoint> enabled() {
        return dsl.selectFrom(WEBHOOK_ENDPOINT)
                .where(WEBHOOK_ENDPOINT.ENABLED.isTrue())
                .and(WEBHOOK_ENDPOINT.DELETED_AT.isNull())
                .fetch(WebhookRepository::toEndpoint);
    }

    /**
     * Writes the admin-settable fields. Re-enabling clears the failure history, so the endpoint
     * starts with a closed breaker and a fresh three-day allowance.
     */
    void update(WebhookEndpoint endpoint, boolean reenabled) {
        var update = dsl.update(WEBHOOK_ENDPOINT)
                .set(WEBHOOK_ENDPOINT.URL, endpoint.url().value())
                .set(WEBHOOK_ENDPOINT.EVENT_TYPES, endpoint.eventTypes().toArray(String[]::new))
                .set(WEBHOOK_ENDPOINT.DESCRIPTION, endpoint.description())
                .set(WEBHOOK_ENDPOINT.ENABLED, endpoint.enabled())
                .set(WEBHOOK_ENDPOINT.DISABLED_REASON, endpoint.disabledReason())
                .set(WEBHOOK_ENDPOINT.UPDATED_AT, utc(endpoint.updatedAt()));
        if (reenabled) {
            update = update.set(WEBHOOK_ENDPOINT.FAILING_SINCE, (OffsetDateTime) null)
                    .set(WEBHOOK_ENDPOINT.CONSECUTIVE_FAILURES, 0)
                    .set(WEBHOOK_ENDPOINT.BREAKER_OPEN_UNTIL, (OffsetDateTime) null);
        }
        update.where(WEBHOOK_ENDPOINT.ID.eq(endpoint.id().value())).execute();
    }

    SealedSecrets secrets(WebhookEndpointId id) {
        WebhookEndpointRecord row = dsl.selectFrom(WEBHOOK_ENDPOINT)
                .where(WEBHOOK_ENDPOINT.ID.eq(id.value()))
                .fetchSingle();
        return new SealedSecrets(row.getSecretEnc(), row.getPreviousSecretEnc(), instant(row.getPreviousValidUntil()));
    }

    /** @param previous null (with a null validUntil) when the old secret stops signing at once */
    void rotate(WebhookEndpointId id, byte[] current, byte[] previous, Instant previousValidUntil, Instant now) {
        dsl.update(WEBHOOK_ENDPOINT)
                .set(WEBHOOK_ENDPOINT.SECRET_ENC, current)
                .set(WEBHOOK_ENDPOINT.PREVIOUS_SECRET_ENC, previous)
                .set(WEBHOOK_ENDPOINT.PREVIOUS_VALID_UNTIL, utc(previousValidUntil))
                .set(WEBHOOK_ENDPOINT.UPDATED_AT, utc(now))
                .where(WEBHOOK_ENDPOINT.ID.eq(id.value()))
                .execute();
    }

    void delete(WebhookEndpointId id, Instant now) {
        dsl.update(WEBHOOK_ENDPOINT)
                .set(WEBHOOK_ENDPOINT.DELETED_AT, utc(now))
                .set(WEBHOOK_ENDPOINT.ENABLED, false)
                .set(WEBHOOK_ENDPOINT.UPDATED_AT, utc(now))
                .where(WEBHOOK_ENDPOINT.ID.eq(id.value()))
                .execute();
    }

    /** The endpoint's failure history, after a failed attempt was counted. */
    record Health(boolean enabled, int consecutiveFailures, Instant failingSince, Instant breakerOpenUntil) {}

    /** A success closes the breaker and forgets the failures; writes nothing when already healthy. */
    void recordSuccess(UUID endpointId) {
        dsl.update(WEBHOOK_ENDPOINT)
                .set(WEBHOOK_ENDPOINT.CONSECUTIVE_FAILURES, 0)
                .set(WEBHOOK_ENDPOINT.FAILING_SINCE, (OffsetDateTime) null)
                .set(WEBHOOK_ENDPOINT.BREAKER_OPEN_UNTIL, (OffsetDateTime) null)
                .where(WEBHOOK_ENDPOINT.ID.eq(endpointId))
                .and(WEBHOOK_ENDPOINT
                        .CONSECUTIVE_FAILURES
                        .ne(0)
                        .or(WEBHOOK_ENDPOINT.FAILING_SINCE.isNotNull())
                        .or(WEBHOOK_ENDPOINT.BREAKER_OPEN_UNTIL.isNotNull()))
                .execute();
    }

    /**
     * Counts a failed attempt; from the {@code threshold}-th consecutive failure on, each failure
     * (re)opens the breaker until {@code now + cooldown}.
     */
    Health recordFailure(UUID endpointId, Instant now, int threshold, Duration cooldown) {
        return dsl.update(WEBHOOK_ENDPOINT)
                .set(WEBHOOK_ENDPOINT.CONSECUTIVE_FAILURES, WEBHOOK_ENDPOINT.CONSECUTIVE_FAILURES.plus(1))
                .set(WEBHOOK_ENDPOINT.FAILING_SINCE, DSL.coalesce(WEBHOOK_ENDPOINT.FAILING_SINCE, DSL.val(utc(now))))
                .set(
                        WEBHOOK_ENDPOINT.BREAKER_OPEN_UNTIL,
                        DSL.when(
                                        WEBHOOK_ENDPOINT
                                                .CONSECUTIVE_FAILURES
                                                .plus(1)
                                                .ge(threshold),
                                        DSL.val(utc(now.plus(cooldown))))
                                .otherwise(WEBHOOK_ENDPOINT.BREAKER_OPEN_UNTIL))
                .where(WEBHOOK_ENDPOINT.ID.eq(endpointId))
                .returning(
                        WEBHOOK_ENDPOINT.ENABLED,
                        WEBHOOK_ENDPOINT.DELETED_AT,
                        WEBHOOK_ENDPOINT.CONSECUTIVE_FAILURES,
                        WEBHOOK_ENDPOINT.FAILING_SINCE,
                        WEBHOOK_ENDPOINT.BREAKER_OPEN_UNTIL)
                .fetchOptional()
                .map(row -> new Health(
                        row.getEnabled() && row.getDeletedAt() == null,
                        row.getConsecutiveFailures(),
                        instant(row.getFailingSince()),
                        instant(row.getBreakerOpenUntil())))
                .orElseThrow(() -> new IllegalStateException("webhook endpoint " + endpointId + " vanished"));
    }

    /** Disables an endpoint the system gave up on; false when it was already disabled. */
    boolean disableFailing(UUID endpointId, String reason, Instant now) {
        return dsl.update(WEBHOOK_ENDPOINT)
                        .set(WEBHOOK_ENDPOINT.ENABLED, false)
                        .set(WEBHOOK_ENDPOINT.DISABLED_REASON, reason)
                        .set(WEBHOOK_ENDPOINT.UPDATED_AT, utc(now))
                        .where(WEBHOOK_ENDPOINT.ID.eq(endpointId))
                        .and(WEBHOOK_ENDPOINT.ENABLED.isTrue())
                        .execute()
                == 1;
    }

    static WebhookEndpoint toEndpoint(WebhookEndpointRecord row) {
        return new WebhookEndpoint(
                new WebhookEndpointId(row.getId()),
                new WebhookUrl(row.getUrl()),
                List.of(row.getEventTypes()),
                row.getDescription(),
                row.getEnabled(),
                row.getDisabledReason(),
                instant(row.getFailingSince()),
                row.getConsecutiveFailures(),
                instant(row.getBreakerOpenUntil()),
                instant(row.getPreviousValidUntil()),
                row.getCreatedAt().toInstant(),
                row.getUpdatedAt().toInstant());
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
