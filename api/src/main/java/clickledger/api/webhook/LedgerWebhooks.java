package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.CommissionService;
import clickledger.api.commission.CommissionView;
import clickledger.api.event.EventService;
import clickledger.api.event.EventView;
import clickledger.db.Pipeline;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;

/**
 * Turns the ledger's changes into outbox rows, in the transaction that makes them:
 * {@code conversion.created} and {@code commission.created} when an event is attributed (as it
 * arrives, or when identify backfills it), {@code commission.reversed} for a refund's reversals,
 * and the status changes of review and auto-approval.
 */
public final class LedgerWebhooks implements EventService.EventListener, CommissionService.CommissionListener {
    private final WebhookOutbox outbox;
    private final Clock clock;

    public LedgerWebhooks(WebhookOutbox outbox, Clock clock) {
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void stored(DSLContext trx, EventView view) {
        outbox.publish(trx, announcements(view));
    }

    @Override
    public Announcement prepare(Pipeline reads) {
        WebhookOutbox.Subscribers subscribers = outbox.subscribers(reads);
        return (writes, view) -> outbox.publish(writes, subscribers, announcements(view));
    }

    private List<WebhookEvent> announcements(EventView view) {
        long version = clock.millis();
        List<WebhookEvent> events = new ArrayList<>();
        String status = view.attribution().status();
        if ("attributed".equals(status)) {
            events.add(new WebhookEvent("conversion.created", view, view.id(), version));
            for (CommissionView commission : view.commissions()) {
                events.add(new WebhookEvent("commission.created", commission, commission.id(), version));
            }
        } else if ("refund".equals(status)) {
            for (CommissionView reversal : view.commissions()) {
                events.add(new WebhookEvent("commission.reversed", reversal, reversal.id(), version));
            }
        }
        return events;
    }

    @Override
    public void changed(DSLContext trx, String event, List<CommissionRow> rows) {
        if (!WebhookEvents.SUBSCRIBABLE.contains(event)) {
            return;
        }
        long version = clock.millis();
        List<WebhookEvent> events = new ArrayList<>();
        for (CommissionRow row : rows) {
            CommissionView view = CommissionView.of(row, null);
            events.add(new WebhookEvent(event, view, view.id(), version));
        }
        outbox.publish(trx, events);
    }
}
