package clickledger.api.stripe;

import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.ProgramLocks;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.event.EventRepository;
import clickledger.api.event.EventRequest;
import clickledger.api.event.EventRow;
import clickledger.api.event.EventService;
import clickledger.api.event.EventView;
import clickledger.api.event.Refunds;
import clickledger.api.identity.IdentifyService;
import clickledger.api.money.Money;
import clickledger.web.ApiException;
import clickledger.web.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * What one Stripe event means for the ledger, derived inside the transaction that stored it. It
 * goes through the same services as {@code /v1/identify} and {@code /v1/events} (built on the
 * transaction, so they run as nested transactions of it): a Stripe payment and the same payment
 * sent by hand cannot be attributed differently.
 *
 * <ul>
 *   <li>{@code checkout.session.completed} (and {@code .async_payment_succeeded}): the cref in
 *       {@code client_reference_id} or {@code metadata.cref} identifies the customer; a one-time
 *       payment is also an event.
 *   <li>{@code invoice.paid}: an event for the customer, keyed by the invoice id. Renewals of a
 *       subscription whose Checkout was seen wait for its first invoice, so that one is the
 *       partner's first conversion whatever order Stripe delivers them in.
 *   <li>{@code charge.refunded}, {@code refund.created}: a refund of the payment's event, up to
 *       what Stripe has said was refunded in total (see {@link StripeRepository#refundedTotal}).
 *   <li>{@code charge.dispute.created}: the payment's commissions are held and flagged;
 *       {@code charge.dispute.closed}: lost reverses like a refund of the disputed amount, won
 *       releases them.
 * </ul>
 *
 * A refund or dispute of a payment not recorded yet is held and replayed when it is.
 */
final class StripeMapping {
    /** The type of the signed sample "send test" posts; Stripe has none of this name. */
    static final String TEST_TYPE = "clickledger.test";

    static final String REFUND_TYPE = "refund";
    private static final Set<String> RENEWALS =
            Set.of("subscription_cycle", "subscription_update", "subscription_threshold");
    private static final String PAYMENT = "payment:";
    private static final String SUBSCRIPTION = "subscription:";

    /**
     * @param waitingFor for a held event, what it waits for ("payment:ch_…", "subscription:sub_…")
     * @param eventKey the ledger event it recorded or acted on, if any
     * @param wakes what this derivation made available, for held events waiting for it
     */
    record Result(StripeOutcome outcome, String detail, List<String> waitingFor, String eventKey, List<String> wakes) {
        Result {
            waitingFor = List.copyOf(waitingFor);
            wakes = List.copyOf(wakes);
        }

        static Result of(StripeOutcome outcome, String detail) {
            return new Result(outcome, detail, List.of(), null, List.of());
        }

        static Result failed(String detail) {
            return of(StripeOutcome.FAILED, detail);
        }

        static Result held(String detail, List<String> waitingFor) {
            return new Result(StripeOutcome.HELD, detail, waitingFor, null, List.of());
        }

        Result waking(List<String> more) {
            List<String> all = new ArrayList<>(wakes);
            all.addAll(more);
            return new Result(outcome, detail, waitingFor, eventKey, all);
        }
    }

    private final DSLContext trx;
    private final Clock clock;
    private final EventService.EventListener listener;
    private final UUID programId;
    private final String eventType;
    private final ProgramSettings program;
    private final Instant now;

    StripeMapping(
            DSLContext trx,
            Clock clock,
            EventService.EventListener listener,
            UUID programId,
            String eventType,
            Instant now) {
        this.trx = requireNonNull(trx, "trx is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.programId = requireNonNull(programId, "programId is null");
        this.eventType = requireNonNull(eventType, "eventType is null");
        this.program = ProgramSettings.load(trx, programId);
        this.now = requireNonNull(now, "now is null");
    }

    Result derive(StripeEvent event) {
        return switch (event.type()) {
            case "checkout.session.completed", "checkout.session.async_payment_succeeded" -> checkout(event);
            case "invoice.paid" -> invoice(event);
            case "invoice_payment.paid" -> invoicePayment(event);
            case "charge.refunded" -> chargeRefunded(event);
            case "refund.created" -> refundCreated(event);
            case "charge.dispute.created" -> disputeCreated(event);
            case "charge.dispute.closed" -> disputeClosed(event);
            case TEST_TYPE -> Result.of(StripeOutcome.TEST, "signed test event received and verified; nothing derived");
            default -> Result.of(StripeOutcome.IGNORED, event.type() + " is not an event type clickledger maps");
        };
    }

    // ---- checkout ---------------------------------------------------------------------------

    private Result checkout(StripeEvent event) {
        JsonNode session = event.object();
        Optional<String> sessionId = event.objectId();
        if (sessionId.isEmpty()) {
            return Result.failed("the session has no id");
        }
        String customer = StripeEvent.text(session, "customer").orElse(null);
        // A guest Checkout has no customer; the session stands for the buyer of this one payment.
        String userId = customer != null ? customer : sessionId.get();
        String mode = StripeEvent.text(session, "mode").orElse("payment");
        List<String> notes = new ArrayList<>();
        if (mode.equals("subscription")) {
            StripeEvent.text(session, "subscription")
                    .ifPresent(subscription -> StripeRepository.subscriptionSeen(trx, programId, subscription, false));
        }
        Optional<String> cref = StripeEvent.text(session, "client_reference_id")
                .or(() -> StripeEvent.text(session.path("metadata"), "cref"));
        boolean identified = false;
        if (cref.isEmpty()) {
            notes.add("no client_reference_id or metadata.cref: " + userId + " is not identified");
        } else {
            try {
                IdentifyService.Result stitch = new IdentifyService(trx, clock, listener)
                        .identify(cref.get(), userId, event.created(), programId);
                identified = true;
                notes.add(
                        stitch.created()
                                ? userId + " identified with click " + cref.get()
                                : userId + " was already identified with click " + cref.get());
                if (!stitch.backfilledEventIds().isEmpty()) {
                    notes.add("earlier events attributed: " + String.join(", ", stitch.backfilledEventIds()));
                    afterBackfill(stitch.backfilledEventIds());
                }
            } catch (ApiException e) {
                if (ProgramLocks.isBusy(e)) {
                    throw e; // the delivery is answered 503, nothing of it kept: Stripe sends it again
                }
                notes.add("client_reference_id \"" + cref.get() + "\" is no click of this program, so " + userId
                        + " is not identified");
            }
        }
        if (!mode.equals("payment")) {
            return new Result(
                    identified ? StripeOutcome.PROCESSED : StripeOutcome.IGNORED,
                    String.join("; ", notes),
                    List.of(),
                    null,
                    List.of());
        }
        String paymentStatus = StripeEvent.text(session, "payment_status").orElse("paid");
        if (!paymentStatus.equals("paid")) {
            notes.add("payment is " + paymentStatus
                    + ": it is recorded when checkout.session.async_payment_succeeded arrives");
            return Result.of(identified ? StripeOutcome.PROCESSED : StripeOutcome.IGNORED, String.join("; ", notes));
        }
        List<String> refs = refs(
                List.of(StripeEvent.text(session, "payment_intent"), sessionId, StripeEvent.text(session, "invoice")));
        String eventKey = refs.getFirst();
        ObjectNode metadata =
                metadata(event).put("stripeCheckoutSession", sessionId.get()).put("stripeCustomer", customer);
        Result payment = recordPayment(
                eventKey,
                refs,
                userId,
                StripeEvent.amount(session, "amount_total"),
                StripeEvent.text(session, "currency"),
                event.created(),
                metadata);
        notes.add(payment.detail());
        StripeOutcome outcome =
                payment.outcome() == StripeOutcome.IGNORED && identified ? StripeOutcome.PROCESSED : payment.outcome();
        return new Result(outcome, String.join("; ", notes), List.of(), payment.eventKey(), payment.wakes());
    }

    // ---- invoices ---------------------------------------------------------------------------

    private Result invoice(StripeEvent event) {
        JsonNode invoice = event.object();
        Optional<String> invoiceId = event.objectId();
        Optional<String> customer = StripeEvent.text(invoice, "customer");
        Optional<Long> amountPaid = StripeEvent.amount(invoice, "amount_paid");
        if (invoiceId.isEmpty() || customer.isEmpty() || amountPaid.isEmpty()) {
            return Result.failed("the invoice lacks its id, customer or amount_paid");
        }
        // Before the 2025-03-31 API version at the top; since, under parent.subscription_details.
        Optional<String> subscription = StripeEvent.text(invoice, "subscription")
                .or(() -> StripeEvent.text(invoice.path("parent").path("subscription_details"), "subscription"));
        String reason = StripeEvent.text(invoice, "billing_reason").orElse("manual");
        List<String> wakes = new ArrayList<>();
        if (reason.equals("subscription_create") && subscription.isPresent()) {
            StripeRepository.subscriptionSeen(trx, programId, subscription.get(), true);
            wakes.add(SUBSCRIPTION + subscription.get());
        }
        if (amountPaid.get() == 0) {
            return Result.of(
                            StripeOutcome.IGNORED,
                            "invoice " + invoiceId.get()
                                    + " paid nothing (a trial or a full discount): not a conversion")
                    .waking(wakes);
        }
        if (RENEWALS.contains(reason)
                && subscription.isPresent()
                && StripeRepository.firstInvoiceSeen(trx, programId, subscription.get())
                        .equals(Optional.of(false))) {
            return Result.held(
                    "renewal " + invoiceId.get() + " waits for the first invoice of " + subscription.get(),
                    List.of(SUBSCRIPTION + subscription.get()));
        }
        List<Optional<String>> ids = new ArrayList<>();
        ids.add(invoiceId);
        ids.add(StripeEvent.text(invoice, "payment_intent"));
        ids.add(StripeEvent.text(invoice, "charge"));
        for (JsonNode payment : invoice.path("payments").path("data")) {
            ids.add(StripeEvent.text(payment.path("payment"), "payment_intent"));
            ids.add(StripeEvent.text(payment.path("payment"), "charge"));
        }
        ObjectNode metadata = metadata(event)
                .put("stripeInvoice", invoiceId.get())
                .put("stripeCustomer", customer.get())
                .put("stripeSubscription", subscription.orElse(null))
                .put("billingReason", reason);
        Instant paidAt =
                StripeEvent.time(invoice.path("status_transitions"), "paid_at").orElse(event.created());
        return recordPayment(
                        invoiceId.get(),
                        refs(ids),
                        customer.get(),
                        amountPaid,
                        StripeEvent.text(invoice, "currency"),
                        paidAt,
                        metadata)
                .waking(wakes);
    }

    /** Since the 2025-03-31 API version an invoice names its payment here rather than on itself. */
    private Result invoicePayment(StripeEvent event) {
        JsonNode invoicePayment = event.object();
        Optional<String> invoice = StripeEvent.text(invoicePayment, "invoice");
        if (invoice.isEmpty()) {
            return Result.failed("the invoice payment names no invoice");
        }
        JsonNode payment = invoicePayment.path("payment");
        List<String> refs =
                refs(List.of(StripeEvent.text(payment, "payment_intent"), StripeEvent.text(payment, "charge")));
        Optional<String> eventKey = StripeRepository.paymentFor(trx, programId, List.of(invoice.get()));
        if (eventKey.isEmpty()) {
            return Result.held("waits for invoice " + invoice.get(), List.of(PAYMENT + invoice.get()));
        }
        StripeRepository.linkPayment(trx, programId, refs, eventKey.get());
        return new Result(
                StripeOutcome.PROCESSED,
                String.join(", ", refs) + " linked to event " + eventKey.get(),
                List.of(),
                eventKey.get(),
                waitingKeys(refs));
    }

    // ---- refunds ----------------------------------------------------------------------------

    private Result chargeRefunded(StripeEvent event) {
        JsonNode charge = event.object();
        Optional<String> chargeId = event.objectId();
        Optional<Long> refunded = StripeEvent.amount(charge, "amount_refunded");
        if (chargeId.isEmpty() || refunded.isEmpty()) {
            return Result.failed("the charge lacks its id or amount_refunded");
        }
        List<String> refs = refs(
                List.of(chargeId, StripeEvent.text(charge, "payment_intent"), StripeEvent.text(charge, "invoice")));
        return refundOrHold(
                "refund of " + chargeId.get(),
                refs,
                chargeId.get(),
                refunded.get(),
                StripeEvent.text(charge, "currency"),
                chargeId.get() + ":refunded:" + refunded.get(),
                event);
    }

    private Result refundCreated(StripeEvent event) {
        JsonNode refund = event.object();
        Optional<String> refundId = event.objectId();
        Optional<Long> amount = StripeEvent.amount(refund, "amount");
        if (refundId.isEmpty() || amount.isEmpty()) {
            return Result.failed("the refund lacks its id or amount");
        }
        String status = StripeEvent.text(refund, "status").orElse("succeeded");
        if (status.equals("failed") || status.equals("canceled")) {
            return Result.of(StripeOutcome.IGNORED, "refund " + refundId.get() + " is " + status);
        }
        List<String> refs =
                refs(List.of(StripeEvent.text(refund, "charge"), StripeEvent.text(refund, "payment_intent")));
        return refundOrHold(
                "refund " + refundId.get(),
                refs,
                refundId.get(),
                amount.get(),
                StripeEvent.text(refund, "currency"),
                refundId.get(),
                event);
    }

    /** A refund of the payment one of {@code refs} stands for; held until that payment is recorded. */
    private Result refundOrHold(
            String what,
            List<String> refs,
            String source,
            long stripeAmount,
            Optional<String> stripeCurrency,
            String refundKey,
            StripeEvent event) {
        Optional<String> payment = StripeRepository.paymentFor(trx, programId, refs);
        if (payment.isEmpty()) {
            return heldForPayment(what, refs);
        }
        return refund(payment.get(), source, stripeAmount, stripeCurrency, refundKey, event);
    }

    /**
     * Records what {@code source} says was taken back, then brings the payment's refunds up to
     * the total Stripe has reported, as one refund event for the difference. Refunds are
     * cumulative as on /v1/events, so the order and grouping of Stripe's events change nothing.
     */
    private Result refund(
            String paymentKey,
            String source,
            long stripeAmount,
            Optional<String> stripeCurrency,
            String refundKey,
            StripeEvent event) {
        Optional<Currency> currency = programCurrency(stripeCurrency);
        if (currency.isEmpty()) {
            return Result.failed(currencyProblem(stripeCurrency));
        }
        Optional<Long> minor = StripeAmounts.minor(stripeAmount, currency.get());
        if (minor.isEmpty()) {
            return Result.failed("amount " + stripeAmount + " is not a whole "
                    + currency.get().getCurrencyCode());
        }
        StripeRepository.refundSeen(trx, programId, paymentKey, source, minor.get());
        EventRow original = EventRepository.findByKey(trx, programId, paymentKey)
                .orElseThrow(() -> new IllegalStateException(
                        "stripe_payment names event " + paymentKey + " that the event table lacks"));
        long total = Math.min(StripeRepository.refundedTotal(trx, programId, paymentKey), original.value());
        long recorded = EventRepository.refundedSoFar(trx, original.id());
        long difference = total - recorded;
        if (difference <= 0) {
            return new Result(
                    StripeOutcome.IGNORED,
                    "already recorded: " + money(recorded) + " of event " + paymentKey + " refunded so far",
                    List.of(),
                    paymentKey,
                    List.of());
        }
        ObjectNode metadata = metadata(event).put("stripeSource", source);
        EventRequest request = new EventRequest(
                refundKey,
                original.userId(),
                REFUND_TYPE,
                TextNode.valueOf(Money.format(difference, program.currency())),
                program.currency().getCurrencyCode(),
                event.created(),
                paymentKey,
                metadata,
                null);
        try {
            EventService.Outcome outcome = events().record(programId, request);
            return new Result(
                    StripeOutcome.PROCESSED,
                    "refund " + refundKey + " of event " + paymentKey + " recorded: " + money(difference) + " ("
                            + money(total) + " of " + money(original.value()) + " refunded), "
                            + outcome.view().commissions().size() + " reversal(s)",
                    List.of(),
                    paymentKey,
                    List.of());
        } catch (ApiException e) {
            if (ProgramLocks.isBusy(e)) {
                throw e; // the delivery is answered 503, nothing of it kept: Stripe sends it again
            }
            return Result.failed("refund " + refundKey + " of event " + paymentKey + " was refused: " + e.getMessage());
        }
    }

    // ---- disputes ---------------------------------------------------------------------------

    private Result disputeCreated(StripeEvent event) {
        JsonNode dispute = event.object();
        Optional<String> disputeId = event.objectId();
        if (disputeId.isEmpty()) {
            return Result.failed("the dispute has no id");
        }
        Optional<String> status = StripeRepository.disputeStatus(trx, programId, disputeId.get());
        if (status.isPresent() && !status.get().equals("open")) {
            return Result.of(
                    StripeOutcome.IGNORED, "dispute " + disputeId.get() + " was already closed (" + status.get() + ")");
        }
        List<String> refs =
                refs(List.of(StripeEvent.text(dispute, "charge"), StripeEvent.text(dispute, "payment_intent")));
        Optional<String> payment = StripeRepository.paymentFor(trx, programId, refs);
        if (payment.isEmpty()) {
            return heldForPayment("dispute " + disputeId.get(), refs);
        }
        StripeRepository.saveDispute(trx, programId, disputeId.get(), payment.get(), "open");
        EventRow original =
                EventRepository.findByKey(trx, programId, payment.get()).orElseThrow();
        List<CommissionRow> held = CommissionRepository.hold(trx, original.id(), flag(disputeId.get()), now);
        return new Result(
                StripeOutcome.PROCESSED,
                "dispute " + disputeId.get() + " ("
                        + StripeEvent.text(dispute, "reason").orElse("no reason") + "): " + held.size()
                        + " commission(s) of event " + payment.get() + " held for review",
                List.of(),
                payment.get(),
                List.of());
    }

    private Result disputeClosed(StripeEvent event) {
        JsonNode dispute = event.object();
        Optional<String> disputeId = event.objectId();
        Optional<String> status = StripeEvent.text(dispute, "status");
        if (disputeId.isEmpty() || status.isEmpty()) {
            return Result.failed("the dispute lacks its id or status");
        }
        boolean lost = status.get().equals("lost");
        if (!lost && !status.get().equals("won") && !status.get().equals("warning_closed")) {
            return Result.of(
                    StripeOutcome.IGNORED,
                    "dispute " + disputeId.get() + " closed as " + status.get() + ", which clickledger does not map");
        }
        List<String> refs =
                refs(List.of(StripeEvent.text(dispute, "charge"), StripeEvent.text(dispute, "payment_intent")));
        Optional<String> payment = StripeRepository.paymentFor(trx, programId, refs);
        if (payment.isEmpty()) {
            return heldForPayment("closed dispute " + disputeId.get(), refs);
        }
        StripeRepository.saveDispute(trx, programId, disputeId.get(), payment.get(), lost ? "lost" : "won");
        EventRow original =
                EventRepository.findByKey(trx, programId, payment.get()).orElseThrow();
        List<CommissionRow> released = CommissionRepository.release(trx, original.id(), flag(disputeId.get()), now);
        if (!lost) {
            return new Result(
                    StripeOutcome.PROCESSED,
                    "dispute " + disputeId.get() + " won: " + released.size() + " commission(s) of event "
                            + payment.get() + " released",
                    List.of(),
                    payment.get(),
                    List.of());
        }
        Optional<Long> amount = StripeEvent.amount(dispute, "amount");
        if (amount.isEmpty()) {
            return Result.failed("the lost dispute " + disputeId.get() + " has no amount");
        }
        Result reversal = refund(
                payment.get(),
                disputeId.get(),
                amount.get(),
                StripeEvent.text(dispute, "currency"),
                disputeId.get(),
                event);
        if (reversal.outcome() == StripeOutcome.FAILED) {
            return reversal;
        }
        return new Result(
                StripeOutcome.PROCESSED,
                "dispute " + disputeId.get() + " lost: " + reversal.detail(),
                List.of(),
                payment.get(),
                List.of());
    }

    // ---- shared steps -----------------------------------------------------------------------

    /**
     * Records a payment as an event of the program's type, unless one of its Stripe ids already
     * stands for a recorded payment (a Checkout payment that also made an invoice): then its ids
     * are linked to that event instead, so refunds of either find it.
     */
    private Result recordPayment(
            String eventKey,
            List<String> refs,
            String userId,
            Optional<Long> stripeAmount,
            Optional<String> stripeCurrency,
            Instant ts,
            ObjectNode metadata) {
        Optional<String> recorded = StripeRepository.paymentFor(trx, programId, refs);
        if (recorded.isPresent()) {
            StripeRepository.linkPayment(trx, programId, refs, recorded.get());
            return new Result(
                    StripeOutcome.IGNORED,
                    "the payment was already recorded as event " + recorded.get(),
                    List.of(),
                    recorded.get(),
                    waitingKeys(refs));
        }
        if (stripeAmount.isEmpty()) {
            return Result.failed("the payment has no amount");
        }
        Optional<Currency> currency = programCurrency(stripeCurrency);
        if (currency.isEmpty()) {
            return Result.failed(currencyProblem(stripeCurrency));
        }
        Optional<Long> minor = StripeAmounts.minor(stripeAmount.get(), currency.get());
        if (minor.isEmpty()) {
            return Result.failed("amount " + stripeAmount.get() + " is not a whole "
                    + currency.get().getCurrencyCode());
        }
        if (minor.get() == 0) {
            return Result.of(StripeOutcome.IGNORED, "payment " + eventKey + " is of 0: not a conversion");
        }
        EventRequest request = new EventRequest(
                eventKey,
                userId,
                eventType,
                TextNode.valueOf(Money.format(minor.get(), program.currency())),
                program.currency().getCurrencyCode(),
                ts,
                null,
                metadata,
                null);
        EventService.Outcome outcome;
        try {
            outcome = events().record(programId, request);
        } catch (ApiException e) {
            if (ProgramLocks.isBusy(e)) {
                throw e; // the delivery is answered 503, nothing of it kept: Stripe sends it again
            }
            return Result.failed("event " + eventKey + " was refused: " + e.getMessage());
        }
        StripeRepository.linkPayment(trx, programId, refs, eventKey);
        EventView view = outcome.view();
        String detail =
                "event " + eventKey + " of " + money(minor.get()) + " recorded for " + userId + ": " + describe(view);
        return new Result(StripeOutcome.PROCESSED, detail, List.of(), eventKey, waitingKeys(refs));
    }

    /**
     * Identify attributes the customer's earlier events (backfill) but not the refunds and
     * disputes that Stripe delivered before the customer was identified: applied here, in the
     * order they were recorded, they leave the same reversals and holds as had they come after.
     * Refunds.apply offsets only what is not reversed yet, so this is safe to repeat.
     */
    private void afterBackfill(List<String> eventKeys) {
        for (String eventKey : eventKeys) {
            EventRow original =
                    EventRepository.findByKey(trx, programId, eventKey).orElseThrow();
            long refundedBefore = 0;
            for (UUID refundId : StripeRepository.refundEventsOf(trx, original.id())) {
                EventRow refund = EventRepository.find(trx, programId, refundId).orElseThrow();
                List<CommissionRow> reversals = Refunds.apply(trx, program, original, refund, refundedBefore, now);
                refundedBefore += refund.value();
                if (!reversals.isEmpty()) {
                    listener.stored(trx, EventView.load(trx, refund));
                }
            }
            for (String disputeId : StripeRepository.openDisputes(trx, programId, eventKey)) {
                CommissionRepository.hold(trx, original.id(), flag(disputeId), now);
            }
        }
    }

    private EventService events() {
        return new EventService(trx, clock, listener);
    }

    private Result heldForPayment(String what, List<String> refs) {
        return Result.held(what + " waits for its payment (" + String.join(", ", refs) + ")", waitingKeys(refs));
    }

    private Optional<Currency> programCurrency(Optional<String> stripeCurrency) {
        return stripeCurrency.flatMap(StripeAmounts::currency).filter(currency -> currency.equals(program.currency()));
    }

    private String currencyProblem(Optional<String> stripeCurrency) {
        return "currency "
                + stripeCurrency.map(c -> c.toUpperCase(java.util.Locale.ROOT)).orElse("(none)")
                + " is not the program's currency " + program.currency().getCurrencyCode()
                + ": nothing was recorded (connect this Stripe account to a program in that currency)";
    }

    private String money(long minor) {
        return Money.format(minor, program.currency()) + " "
                + program.currency().getCurrencyCode();
    }

    private static String describe(EventView view) {
        String status = view.attribution().status();
        if (!"attributed".equals(status)) {
            return status.replace('_', ' ');
        }
        return "attributed, " + view.commissions().size() + " commission(s)";
    }

    private static ObjectNode metadata(StripeEvent event) {
        return Json.MAPPER.createObjectNode().put("stripeEvent", event.id());
    }

    private static String flag(String disputeId) {
        return "dispute:" + disputeId;
    }

    /** The distinct Stripe ids present, in order. */
    private static List<String> refs(List<Optional<String>> ids) {
        Set<String> refs = new LinkedHashSet<>();
        for (Optional<String> id : ids) {
            id.ifPresent(refs::add);
        }
        return List.copyOf(refs);
    }

    private static List<String> waitingKeys(List<String> refs) {
        return refs.stream().map(ref -> PAYMENT + ref).toList();
    }
}
