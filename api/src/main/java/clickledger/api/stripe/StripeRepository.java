package clickledger.api.stripe;

import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.STRIPE_DISPUTE;
import static clickledger.db.jooq.Tables.STRIPE_EVENT;
import static clickledger.db.jooq.Tables.STRIPE_INTEGRATION;
import static clickledger.db.jooq.Tables.STRIPE_PAYMENT;
import static clickledger.db.jooq.Tables.STRIPE_REFUND;
import static clickledger.db.jooq.Tables.STRIPE_SUBSCRIPTION;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.common.id.Ulid;
import clickledger.db.jooq.tables.records.StripeEventRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The Stripe tables of V40: the integration, the raw events, and what links them to the ledger. */
final class StripeRepository {
    private StripeRepository() {}

    /** A connected integration as stored; the secret stays sealed until a delivery needs it. */
    record Integration(
            UUID programId,
            byte[] secretSealed,
            String secretLast4,
            String eventType,
            String lastError,
            Instant lastErrorAt,
            String lastErrorEvent,
            Instant connectedAt,
            Instant updatedAt) {}

    /** A stored Stripe event with what became of it. */
    record StoredEvent(
            UUID id,
            UUID programId,
            String stripeId,
            String type,
            boolean livemode,
            Instant created,
            Instant receivedAt,
            String body,
            StripeOutcome outcome,
            String detail,
            List<String> waitingFor,
            String eventKey,
            Instant processedAt) {}

    // ---- integration ----------------------------------------------------------------------

    static Optional<Integration> integration(DSLContext dsl, UUID programId) {
        return dsl.selectFrom(STRIPE_INTEGRATION)
                .where(STRIPE_INTEGRATION.PROGRAM_ID.eq(programId))
                .fetchOptional()
                .map(r -> new Integration(
                        r.getProgramId(),
                        r.getSecretEnc(),
                        r.getSecretLast4(),
                        r.getEventType(),
                        r.getLastError(),
                        instant(r.getLastErrorAt()),
                        r.getLastErrorEvent(),
                        r.getConnectedAt().toInstant(),
                        r.getUpdatedAt().toInstant()));
    }

    /** Connects, or replaces the secret and event type of a connected program; true when newly connected. */
    static boolean upsertIntegration(
            DSLContext trx, UUID programId, byte[] sealed, String last4, String eventType, Instant now) {
        boolean existed = trx.fetchExists(STRIPE_INTEGRATION, STRIPE_INTEGRATION.PROGRAM_ID.eq(programId));
        trx.insertInto(STRIPE_INTEGRATION)
                .set(STRIPE_INTEGRATION.PROGRAM_ID, programId)
                .set(STRIPE_INTEGRATION.SECRET_ENC, sealed)
                .set(STRIPE_INTEGRATION.SECRET_LAST4, last4)
                .set(STRIPE_INTEGRATION.EVENT_TYPE, eventType)
                .set(STRIPE_INTEGRATION.CONNECTED_AT, utc(now))
                .set(STRIPE_INTEGRATION.UPDATED_AT, utc(now))
                .onConflict(STRIPE_INTEGRATION.PROGRAM_ID)
                .doUpdate()
                .set(STRIPE_INTEGRATION.SECRET_ENC, sealed)
                .set(STRIPE_INTEGRATION.SECRET_LAST4, last4)
                .set(STRIPE_INTEGRATION.EVENT_TYPE, eventType)
                .set(STRIPE_INTEGRATION.UPDATED_AT, utc(now))
                .execute();
        return !existed;
    }

    static boolean deleteIntegration(DSLContext trx, UUID programId) {
        return trx.deleteFrom(STRIPE_INTEGRATION)
                        .where(STRIPE_INTEGRATION.PROGRAM_ID.eq(programId))
                        .execute()
                == 1;
    }

    static void recordError(DSLContext trx, UUID programId, String stripeId, String message, Instant now) {
        trx.update(STRIPE_INTEGRATION)
                .set(STRIPE_INTEGRATION.LAST_ERROR, message)
                .set(STRIPE_INTEGRATION.LAST_ERROR_AT, utc(now))
                .set(STRIPE_INTEGRATION.LAST_ERROR_EVENT, stripeId)
                .where(STRIPE_INTEGRATION.PROGRAM_ID.eq(programId))
                .execute();
    }

    static Optional<Instant> lastReceived(DSLContext dsl, UUID programId) {
        // stripe_event_program_idx (program_id, id desc): ids are UUIDv7, so the first is the newest.
        return dsl.select(STRIPE_EVENT.RECEIVED_AT)
                .from(STRIPE_EVENT)
                .where(STRIPE_EVENT.PROGRAM_ID.eq(programId))
                .orderBy(STRIPE_EVENT.ID.desc())
                .limit(1)
                .fetchOptional(STRIPE_EVENT.RECEIVED_AT)
                .map(OffsetDateTime::toInstant);
    }

    // ---- events -----------------------------------------------------------------------------

    /** Stores the raw event unless the program already has it; true when this call stored it. */
    static boolean insertEvent(DSLContext trx, UUID id, UUID programId, StripeEvent event, String body, Instant now) {
        return trx.insertInto(STRIPE_EVENT)
                        .set(STRIPE_EVENT.ID, id)
                        .set(STRIPE_EVENT.PROGRAM_ID, programId)
                        .set(STRIPE_EVENT.STRIPE_ID, event.id())
                        .set(STRIPE_EVENT.TYPE, event.type())
                        .set(STRIPE_EVENT.LIVEMODE, event.livemode())
                        .set(STRIPE_EVENT.CREATED, utc(event.created()))
                        .set(STRIPE_EVENT.RECEIVED_AT, utc(now))
                        .set(STRIPE_EVENT.BODY, body)
                        // Overwritten by the derivation in the same transaction; nobody sees this value.
                        .set(STRIPE_EVENT.OUTCOME, StripeOutcome.HELD.wire())
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    static Optional<StoredEvent> findEvent(DSLContext dsl, UUID programId, String stripeId) {
        return dsl.selectFrom(STRIPE_EVENT)
                .where(STRIPE_EVENT.PROGRAM_ID.eq(programId).and(STRIPE_EVENT.STRIPE_ID.eq(stripeId)))
                .fetchOptional()
                .map(StripeRepository::toStored);
    }

    static void setOutcome(DSLContext trx, UUID id, StripeMapping.Result result, Instant now) {
        trx.update(STRIPE_EVENT)
                .set(STRIPE_EVENT.OUTCOME, result.outcome().wire())
                .set(STRIPE_EVENT.DETAIL, result.detail())
                .set(
                        STRIPE_EVENT.WAITING_FOR,
                        result.waitingFor().isEmpty()
                                ? null
                                : result.waitingFor().toArray(String[]::new))
                .set(STRIPE_EVENT.EVENT_KEY, result.eventKey())
                .set(STRIPE_EVENT.PROCESSED_AT, utc(now))
                .where(STRIPE_EVENT.ID.eq(id))
                .execute();
    }

    /** Held events of the program waiting for any of {@code keys}, in Stripe's order, then arrival. */
    static List<StoredEvent> heldFor(DSLContext trx, UUID programId, Collection<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        // stripe_event_held_idx: held rows of one program are few, the overlap filters them.
        return trx.selectFrom(STRIPE_EVENT)
                .where(STRIPE_EVENT.PROGRAM_ID.eq(programId))
                .and(STRIPE_EVENT.OUTCOME.eq(StripeOutcome.HELD.wire()))
                .and(DSL.condition(
                        "{0} && {1}::varchar[]", STRIPE_EVENT.WAITING_FOR, DSL.val(keys.toArray(String[]::new))))
                .orderBy(STRIPE_EVENT.CREATED, STRIPE_EVENT.ID)
                .fetch(StripeRepository::toStored);
    }

    /** @param outcome one outcome to list, or null for all */
    static Page<StoredEvent> events(DSLContext dsl, UUID programId, StripeOutcome outcome, PageRequest page) {
        // stripe_event_program_idx (program_id, id desc)
        List<StoredEvent> rows = dsl.selectFrom(STRIPE_EVENT)
                .where(STRIPE_EVENT.PROGRAM_ID.eq(programId))
                .and(page.after(STRIPE_EVENT.ID))
                .and(outcome == null ? DSL.noCondition() : STRIPE_EVENT.OUTCOME.eq(outcome.wire()))
                .orderBy(STRIPE_EVENT.ID.desc())
                .limit(page.fetchSize())
                .fetch(StripeRepository::toStored);
        return Page.of(rows, page, row -> Ulid.encode(row.id()));
    }

    private static StoredEvent toStored(StripeEventRecord r) {
        return new StoredEvent(
                r.getId(),
                r.getProgramId(),
                r.getStripeId(),
                r.getType(),
                r.getLivemode(),
                r.getCreated().toInstant(),
                r.getReceivedAt().toInstant(),
                r.getBody(),
                StripeOutcome.fromWire(r.getOutcome()),
                r.getDetail(),
                r.getWaitingFor() == null ? List.of() : Arrays.asList(r.getWaitingFor()),
                r.getEventKey(),
                instant(r.getProcessedAt()));
    }

    // ---- payments, refunds, disputes, subscriptions --------------------------------------------

    /** The event key of the payment one of {@code refs} stands for, if any was recorded. */
    static Optional<String> paymentFor(DSLContext trx, UUID programId, Collection<String> refs) {
        if (refs.isEmpty()) {
            return Optional.empty();
        }
        return trx.select(STRIPE_PAYMENT.EVENT_KEY)
                .from(STRIPE_PAYMENT)
                .where(STRIPE_PAYMENT.PROGRAM_ID.eq(programId).and(STRIPE_PAYMENT.REF.in(refs)))
                .limit(1)
                .fetchOptional(STRIPE_PAYMENT.EVENT_KEY);
    }

    static void linkPayment(DSLContext trx, UUID programId, Collection<String> refs, String eventKey) {
        for (String ref : refs) {
            trx.insertInto(STRIPE_PAYMENT)
                    .set(STRIPE_PAYMENT.PROGRAM_ID, programId)
                    .set(STRIPE_PAYMENT.REF, ref)
                    .set(STRIPE_PAYMENT.EVENT_KEY, eventKey)
                    .onConflictDoNothing()
                    .execute();
        }
    }

    /** Records what one source says was refunded, keeping the largest figure it ever gave. */
    static void refundSeen(DSLContext trx, UUID programId, String eventKey, String source, long amount) {
        trx.insertInto(STRIPE_REFUND)
                .set(STRIPE_REFUND.PROGRAM_ID, programId)
                .set(STRIPE_REFUND.EVENT_KEY, eventKey)
                .set(STRIPE_REFUND.SOURCE, source)
                .set(STRIPE_REFUND.AMOUNT, amount)
                .onConflict(STRIPE_REFUND.PROGRAM_ID, STRIPE_REFUND.EVENT_KEY, STRIPE_REFUND.SOURCE)
                .doUpdate()
                .set(STRIPE_REFUND.AMOUNT, DSL.greatest(STRIPE_REFUND.AMOUNT, DSL.excluded(STRIPE_REFUND.AMOUNT)))
                .execute();
    }

    /**
     * What Stripe has said was taken back from the payment, at least: refunds (re_…) add up, and
     * so do the charges' own cumulative figures (ch_…); both count the same refunds, so the larger
     * of the two is the best lower bound. Lost disputes (dp_…) come on top: Stripe refuses to
     * refund a disputed charge, so the two never cover the same money.
     */
    static long refundedTotal(DSLContext trx, UUID programId, String eventKey) {
        var source = STRIPE_REFUND.SOURCE;
        var amount = STRIPE_REFUND.AMOUNT;
        var row = trx.select(
                        DSL.coalesce(DSL.sum(amount).filterWhere(source.startsWith("re_")), DSL.inline(0))
                                .cast(Long.class),
                        DSL.coalesce(DSL.sum(amount).filterWhere(source.startsWith("ch_")), DSL.inline(0))
                                .cast(Long.class),
                        DSL.coalesce(DSL.sum(amount).filterWhere(source.startsWith("dp_")), DSL.inline(0))
                                .cast(Long.class))
                .from(STRIPE_REFUND)
                .where(STRIPE_REFUND.PROGRAM_ID.eq(programId).and(STRIPE_REFUND.EVENT_KEY.eq(eventKey)))
                .fetchOne();
        return Math.max(row.value1(), row.value2()) + row.value3();
    }

    /** The dispute's status, when this program has seen it. */
    static Optional<String> disputeStatus(DSLContext trx, UUID programId, String disputeId) {
        return trx.select(STRIPE_DISPUTE.STATUS)
                .from(STRIPE_DISPUTE)
                .where(STRIPE_DISPUTE.PROGRAM_ID.eq(programId).and(STRIPE_DISPUTE.ID.eq(disputeId)))
                .fetchOptional(STRIPE_DISPUTE.STATUS);
    }

    static void saveDispute(DSLContext trx, UUID programId, String disputeId, String eventKey, String status) {
        trx.insertInto(STRIPE_DISPUTE)
                .set(STRIPE_DISPUTE.PROGRAM_ID, programId)
                .set(STRIPE_DISPUTE.ID, disputeId)
                .set(STRIPE_DISPUTE.EVENT_KEY, eventKey)
                .set(STRIPE_DISPUTE.STATUS, status)
                .onConflict(STRIPE_DISPUTE.PROGRAM_ID, STRIPE_DISPUTE.ID)
                .doUpdate()
                .set(
                        STRIPE_DISPUTE.EVENT_KEY,
                        DSL.coalesce(DSL.excluded(STRIPE_DISPUTE.EVENT_KEY), STRIPE_DISPUTE.EVENT_KEY))
                .set(STRIPE_DISPUTE.STATUS, DSL.excluded(STRIPE_DISPUTE.STATUS))
                .execute();
    }

    /** Ids of the open disputes against the payment recorded as {@code eventKey}. */
    static List<String> openDisputes(DSLContext trx, UUID programId, String eventKey) {
        return trx.select(STRIPE_DISPUTE.ID)
                .from(STRIPE_DISPUTE)
                .where(STRIPE_DISPUTE.PROGRAM_ID.eq(programId))
                .and(STRIPE_DISPUTE.EVENT_KEY.eq(eventKey))
                .and(STRIPE_DISPUTE.STATUS.eq("open"))
                .fetch(STRIPE_DISPUTE.ID);
    }

    /** Empty when no Checkout started it and no first invoice was seen; else whether that invoice was. */
    static Optional<Boolean> firstInvoiceSeen(DSLContext trx, UUID programId, String subscriptionId) {
        return trx.select(STRIPE_SUBSCRIPTION.FIRST_INVOICE_SEEN)
                .from(STRIPE_SUBSCRIPTION)
                .where(STRIPE_SUBSCRIPTION.PROGRAM_ID.eq(programId).and(STRIPE_SUBSCRIPTION.ID.eq(subscriptionId)))
                .fetchOptional(STRIPE_SUBSCRIPTION.FIRST_INVOICE_SEEN);
    }

    /** @param firstInvoiceSeen true from the first invoice; a Checkout (false) never undoes it */
    static void subscriptionSeen(DSLContext trx, UUID programId, String subscriptionId, boolean firstInvoiceSeen) {
        trx.insertInto(STRIPE_SUBSCRIPTION)
                .set(STRIPE_SUBSCRIPTION.PROGRAM_ID, programId)
                .set(STRIPE_SUBSCRIPTION.ID, subscriptionId)
                .set(STRIPE_SUBSCRIPTION.FIRST_INVOICE_SEEN, firstInvoiceSeen)
                .onConflict(STRIPE_SUBSCRIPTION.PROGRAM_ID, STRIPE_SUBSCRIPTION.ID)
                .doUpdate()
                .set(
                        STRIPE_SUBSCRIPTION.FIRST_INVOICE_SEEN,
                        DSL.field(
                                "{0} or {1}",
                                Boolean.class,
                                STRIPE_SUBSCRIPTION.FIRST_INVOICE_SEEN,
                                DSL.excluded(STRIPE_SUBSCRIPTION.FIRST_INVOICE_SEEN)))
                .execute();
    }

    /** The refunds recorded against an event, oldest first (the order /v1/events applied them in). */
    static List<UUID> refundEventsOf(DSLContext trx, UUID originalId) {
        return trx.select(EVENT.ID)
                .from(EVENT)
                .where(EVENT.REFUND_OF.eq(originalId))
                .orderBy(EVENT.TS, EVENT.ID)
                .fetch(EVENT.ID);
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
