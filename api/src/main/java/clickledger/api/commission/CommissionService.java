package clickledger.api.commission;

import static clickledger.db.jooq.Tables.EVENT;
import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Admin review of commissions: list with filters, approve, reject, singly or in bulk. Paid
 * commissions are never changed here. Every change is audited in its transaction.
 */
public final class CommissionService {
    // A bulk call touches at most this many rows in one transaction: large enough for a review
    // screen's "select all", small enough to keep the transaction short.
    public static final int MAX_BULK = 1_000;

    private final DSLContext dsl;
    private final Clock clock;
    private final CommissionListener listener;

    /** Told about status changes inside their transaction (the webhook outbox hooks in here). */
    public interface CommissionListener {
        void changed(DSLContext trx, String event, List<CommissionRow> rows);

        CommissionListener NONE = (trx, event, rows) -> {};
    }

    public CommissionService(DSLContext dsl, Clock clock, CommissionListener listener) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /** A commission of the review queue: the commission, and what its event was. */
    public record ListItem(
            @JsonUnwrapped CommissionView commission, String eventType, Instant eventTs, String eventValue) {}

    public Page<ListItem> list(
            CommissionRepository.Filter filter, CommissionRepository.EventFilter events, PageRequest page) {
        return CommissionRepository.listWithEvents(dsl, filter, events, page)
                .map(listed -> new ListItem(
                        CommissionView.of(listed.row(), listed.eventKey()),
                        listed.eventType(),
                        listed.eventTs(),
                        listed.eventValueMinor() == null || listed.eventCurrency() == null
                                ? null
                                : clickledger.api.money.Money.format(
                                        listed.eventValueMinor(),
                                        java.util.Currency.getInstance(
                                                listed.eventCurrency().trim()))));
    }

    public CommissionView get(UUID id) {
        CommissionRow row = CommissionRepository.find(dsl, id)
                .orElseThrow(() -> ApiException.notFound("commission " + Ulid.encode(id)));
        return CommissionView.of(row, eventKey(row.eventId()));
    }

    /** The commission with its event, touches and notes, for the review queue's detail. */
    public CommissionDetail detail(UUID id) {
        CommissionRow row = CommissionRepository.find(dsl, id)
                .orElseThrow(() -> ApiException.notFound("commission " + Ulid.encode(id)));
        return CommissionDetail.load(dsl, row, CommissionView.of(row, eventKey(row.eventId())));
    }

    /** The event ids matching a client eventId (unique per program) or our own event id. */
    public List<UUID> eventIds(String eventId) {
        var byKey = dsl.select(EVENT.ID)
                .from(EVENT)
                .where(EVENT.EVENT_KEY.eq(eventId))
                .fetch(EVENT.ID);
        if (!byKey.isEmpty()) {
            return byKey;
        }
        return Ulid.parse(eventId).map(List::of).orElse(List.of());
    }

    /** Whether a pending or paid payout claims the commission (it is then frozen). */
    public boolean inPayout(UUID id) {
        return !PayoutClaims.claimed(dsl, List.of(id)).isEmpty();
    }

    public record BulkResult(List<String> updated, List<String> skipped) {}

    public BulkResult approve(Collection<UUID> ids, Principal actor) {
        return change(ids, List.of("pending"), "approved", "commission.approve", actor);
    }

    public BulkResult reject(Collection<UUID> ids, Principal actor) {
        return change(ids, List.of("pending", "approved"), "rejected", "commission.reject", actor);
    }

    private BulkResult change(Collection<UUID> ids, List<String> from, String to, String action, Principal actor) {
        if (ids.isEmpty() || ids.size() > MAX_BULK) {
            throw ApiException.badRequest("ids", "must list 1 to " + MAX_BULK + " commission ids");
        }
        Instant now = clock.instant();
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            List<UUID> movable = new ArrayList<>(ids);
            if (from.contains("approved")) {
                // A payout may claim an approved commission: it is frozen until the payout is paid
                // or cancelled, so it is skipped here (after waiting out a batch that may claim it).
                for (UUID programId : CommissionRepository.programsOf(trx, ids)) {
                    PayoutClaims.lockShared(trx, programId);
                }
                movable.removeAll(PayoutClaims.claimed(trx, ids));
            }
            List<UUID> moved = CommissionRepository.transition(trx, movable, from, to, now);
            AuditRepository audit = new AuditRepository(trx);
            List<CommissionRow> rows = new ArrayList<>();
            for (UUID id : moved) {
                audit.append(new AuditEntry(
                        now, actor.actor(), action, "commission", Ulid.encode(id), Map.of("status", to)));
                rows.add(CommissionRepository.find(trx, id).orElseThrow());
            }
            listener.changed(trx, "commission." + to, rows);
            List<String> updated = moved.stream().map(Ulid::encode).toList();
            List<String> skipped = ids.stream()
                    .filter(id -> !moved.contains(id))
                    .map(Ulid::encode)
                    .toList();
            return new BulkResult(updated, skipped);
        });
    }

    private String eventKey(UUID eventId) {
        return dsl.select(EVENT.EVENT_KEY)
                .from(EVENT)
                .where(EVENT.ID.eq(eventId))
                .fetchOptional(EVENT.EVENT_KEY)
                .orElse(null);
    }
}
