package clickledger.api.payout;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.CommissionService;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.webhook.WebhookEvent;
import clickledger.api.webhook.WebhookEvents;
import clickledger.api.webhook.WebhookOutbox;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Payouts: preview and create a batch, list and read, mark paid, cancel. Every change is audited,
 * and its webhooks (and the partner's mail) are queued, in the transaction that makes it.
 */
public final class PayoutService {
    // Payouts read per query when a list of any length is streamed (a batch's answer, an export),
    // with their commission ids: a few hundred keep each read short and the memory flat.
    static final int CHUNK = 500;

    private final DSLContext dsl;
    private final Clock clock;
    private final WebhookOutbox webhooks;
    private final CommissionService.CommissionListener commissions;
    private final PayoutPaidListener paid;

    /**
     * @param commissions told about the commissions a payment pays ({@code commission.paid}), as
     *     review and auto-approval tell it about theirs
     * @param paid told about each payment (the partner's "payout paid" mail)
     */
    public PayoutService(
            DSLContext dsl,
            Clock clock,
            WebhookOutbox webhooks,
            CommissionService.CommissionListener commissions,
            PayoutPaidListener paid) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.webhooks = requireNonNull(webhooks, "webhooks is null");
        this.commissions = requireNonNull(commissions, "commissions is null");
        this.paid = requireNonNull(paid, "paid is null");
    }

    /** The clock's now, in milliseconds: what the database keeps of it is what a later read returns. */
    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    public PayoutPreview preview(BatchSpec spec) {
        return PayoutPreview.of(spec, new PayoutRepository(dsl).groups(spec));
    }

    /** The payouts one {@code POST /v1/payouts} created, in id order. */
    public record Batch(UUID batchId, List<Payout> payouts) {}

    /**
     * Creates one payout per partner and currency that the spec pays, each claiming its owed
     * commissions. Batches of one program run one at a time, whatever the number of api
     * processes; a second one finds only what the first left.
     */
    public Batch create(BatchSpec spec, Principal actor) {
        Instant now = now();
        UUID batchId = Ulid.newUuidV7(now.toEpochMilli());
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            PayoutRepository payouts = new PayoutRepository(trx);
            payouts.lockExclusive(spec.programId().value());
            List<PayoutRepository.Planned> plan = new ArrayList<>();
            for (PayoutRepository.Group group : payouts.groups(spec)) {
                if (PayoutPreview.reason(spec, group) == null) {
                    plan.add(new PayoutRepository.Planned(PayoutId.newId(now), group.partnerId(), group.currency()));
                }
            }
            List<Payout> created = payouts.claim(spec, batchId, plan, now);
            audit(trx, spec, batchId, created, actor, now);
            announceCreated(trx, created);
            return new Batch(batchId, created);
        });
    }

    private static void audit(
            DSLContext trx, BatchSpec spec, UUID batchId, List<Payout> created, Principal actor, Instant now) {
        Map<String, Long> totals = new LinkedHashMap<>();
        List<AuditEntry> entries = new ArrayList<>();
        for (Payout payout : created) {
            totals.merge(
                    payout.amount().currency().getCurrencyCode(),
                    payout.amount().minor(),
                    Long::sum);
            entries.add(new AuditEntry(
                    now,
                    actor.actor(),
                    "payout.created",
                    "payout",
                    payout.id().toString(),
                    Map.of(
                            "batchId", Ulid.encode(batchId),
                            "partnerId", payout.partnerId().toString(),
                            "amount", payout.amount().decimal(),
                            "currency", payout.amount().currency().getCurrencyCode(),
                            "commissionCount", payout.commissionCount())));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("batchId", Ulid.encode(batchId));
        details.put("payouts", created.size());
        details.put("upTo", spec.upTo().toString());
        details.put(
                "currency", spec.currency() == null ? "all" : spec.currency().getCurrencyCode());
        details.put("minimumAmount", spec.minimum().decimal());
        details.put("minimumCurrency", spec.minimum().currency().getCurrencyCode());
        details.put("totalsMinor", totals);
        entries.add(new AuditEntry(
                now,
                actor.actor(),
                "payout.batch_created",
                "program",
                spec.programId().toString(),
                details));
        new AuditRepository(trx).appendAll(entries);
    }

    // A batch may create thousands of payouts claiming a million commissions: their views are
    // built a chunk at a time, and only when an endpoint listens.
    private void announceCreated(DSLContext trx, List<Payout> created) {
        if (created.isEmpty() || !PayoutRepository.anyEndpointFor(trx, WebhookEvents.PAYOUT_CREATED)) {
            return;
        }
        for (int from = 0; from < created.size(); from += CHUNK) {
            List<Payout> chunk = created.subList(from, Math.min(created.size(), from + CHUNK));
            List<WebhookEvent> events = new ArrayList<>();
            for (PayoutView view : views(trx, chunk)) {
                events.add(new WebhookEvent(
                        WebhookEvents.PAYOUT_CREATED,
                        view,
                        view.id(),
                        view.createdAt().toEpochMilli()));
            }
            webhooks.publish(trx, events);
        }
    }

    public Optional<Payout> find(PayoutId id) {
        return new PayoutRepository(dsl).find(id);
    }

    public PayoutView view(Payout payout) {
        return views(dsl, List.of(payout)).getFirst();
    }

    /** Newest first; each payout with its commission ids (one query for the page). */
    public Page<PayoutView> list(PayoutRepository.Filter filter, PageRequest page) {
        Page<Payout> payouts = new PayoutRepository(dsl).list(filter, page);
        return new Page<>(views(dsl, payouts.items()), payouts.nextCursor());
    }

    /** The payouts as the api shows them, with their commission ids (one query for all of them). */
    public static List<PayoutView> views(DSLContext dsl, List<Payout> payouts) {
        Map<PayoutId, List<UUID>> ids = new PayoutRepository(dsl).commissionIds(payouts);
        return payouts.stream()
                .map(payout -> PayoutView.of(payout, ids.get(payout.id())))
                .toList();
    }

    /** The currencies of the selected payouts, at most {@code limit}. */
    public List<java.util.Currency> currencies(PayoutRepository.Filter filter, int limit) {
        return new PayoutRepository(dsl).currencies(filter, limit);
    }

    /** Which of these ids are payouts. */
    public java.util.Set<PayoutId> existing(List<PayoutId> ids) {
        return new PayoutRepository(dsl).existing(ids);
    }

    /** Receives a stream of payouts a chunk at a time. */
    @FunctionalInterface
    public interface ChunkWriter {
        void write(List<PayoutRepository.WithPartner> payouts, List<PayoutView> views) throws java.io.IOException;
    }

    /**
     * Every payout the filter selects, in id order, {@link #CHUNK} at a time (each chunk its own
     * short reads): for answers and files of any length in flat memory.
     */
    public void stream(PayoutRepository.Filter filter, ChunkWriter writer) throws java.io.IOException {
        PayoutRepository payouts = new PayoutRepository(dsl);
        PayoutId after = null;
        while (true) {
            List<PayoutRepository.WithPartner> chunk = payouts.chunk(filter, after, CHUNK);
            if (chunk.isEmpty()) {
                return;
            }
            writer.write(
                    chunk,
                    views(
                            dsl,
                            chunk.stream()
                                    .map(PayoutRepository.WithPartner::payout)
                                    .toList()));
            if (chunk.size() < CHUNK) {
                return;
            }
            after = chunk.getLast().payout().id();
        }
    }

    /**
     * What {@code POST /v1/payouts/{id}/mark-paid} asks.
     *
     * @param paidAt when the money left; the request's time when not given
     * @param method how it was paid, free text ({@code paypal}, {@code wise}); null when not given
     */
    public record MarkPaid(String reference, Instant paidAt, String method) {
        public MarkPaid {
            requireNonNull(reference, "reference is null");
        }
    }

    /** @param changed false when the payout was already paid with this reference (a repeated call) */
    public record Outcome(PayoutView payout, boolean changed) {}

    /**
     * Pays a pending payout: it and every commission it claims become paid, and {@code payout.paid},
     * one {@code commission.paid} per commission and the partner's mail are queued, in one
     * transaction. Again with the same reference: nothing changes; with another: 409.
     */
    public Outcome markPaid(PayoutId id, MarkPaid request, Principal actor) {
        Instant now = now();
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            PayoutRepository payouts = new PayoutRepository(trx);
            Payout current = payouts.findForUpdate(id).orElseThrow(() -> notFound(id));
            switch (current.status()) {
                case PAID -> {
                    if (current.reference().equals(request.reference())) {
                        return new Outcome(views(trx, List.of(current)).getFirst(), false);
                    }
                    throw conflict(
                            "payout_already_paid",
                            "reference",
                            "this payout was already paid with reference \"" + current.reference() + "\"");
                }
                case CANCELLED -> throw conflict("payout_cancelled", "status", "a cancelled payout cannot be paid");
                case PENDING -> {
                    // Handled below.
                }
            }
            Instant paidAt = request.paidAt() == null ? now : request.paidAt();
            payouts.markPaid(id, request.reference(), request.method(), paidAt, now);
            List<CommissionRow> rows = payouts.payCommissions(id, now);
            if (rows.size() != current.commissionCount()) {
                // The claim guard keeps every claimed commission approved until now; if one was not,
                // this payment must not be recorded as paying all of them.
                throw new IllegalStateException("payout " + id + " claims " + current.commissionCount()
                        + " commissions but " + rows.size() + " were approved");
            }
            Payout paidPayout = payouts.find(id).orElseThrow();
            PayoutView view = views(trx, List.of(paidPayout)).getFirst();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("reference", request.reference());
            details.put("paidAt", paidAt.toString());
            details.put("amount", paidPayout.amount().decimal());
            details.put("currency", paidPayout.amount().currency().getCurrencyCode());
            details.put("commissionCount", paidPayout.commissionCount());
            if (request.method() != null) {
                details.put("method", request.method());
            }
            new AuditRepository(trx)
                    .append(new AuditEntry(now, actor.actor(), "payout.paid", "payout", id.toString(), details));
            webhooks.publish(trx, WebhookEvents.PAYOUT_PAID, view, view.id(), now.toEpochMilli());
            commissions.changed(trx, WebhookEvents.COMMISSION_PAID, rows);
            paid.paid(trx, paidPayout);
            return new Outcome(view, true);
        });
    }

    /**
     * Cancels a pending payout: its commissions are owed again, for the next batch. Cancelling a
     * cancelled payout changes nothing; a paid one cannot be cancelled (409).
     */
    public Outcome cancel(PayoutId id, Principal actor) {
        Instant now = now();
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            PayoutRepository payouts = new PayoutRepository(trx);
            Payout current = payouts.findForUpdate(id).orElseThrow(() -> notFound(id));
            switch (current.status()) {
                case CANCELLED -> {
                    return new Outcome(views(trx, List.of(current)).getFirst(), false);
                }
                case PAID -> throw conflict("payout_paid", "status", "a paid payout cannot be cancelled");
                case PENDING -> {
                    // Handled below.
                }
            }
            payouts.cancel(id, now);
            new AuditRepository(trx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "payout.cancelled",
                            "payout",
                            id.toString(),
                            Map.of(
                                    "amount", current.amount().decimal(),
                                    "currency", current.amount().currency().getCurrencyCode(),
                                    "commissionCount", current.commissionCount())));
            return new Outcome(
                    views(trx, List.of(payouts.find(id).orElseThrow())).getFirst(), true);
        });
    }

    static ApiException notFound(PayoutId id) {
        return ApiException.notFound("payout " + id);
    }

    private static ApiException conflict(String code, String field, String message) {
        return new ApiException(
                409, code, "Conflict", field + ": " + message, List.of(new ApiException.FieldError(field, message)));
    }
}
