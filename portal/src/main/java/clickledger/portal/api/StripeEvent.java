package clickledger.portal.api;

import java.time.Instant;
import java.util.List;

/** A Stripe event the api received, with what became of it (processed, ignored, held, failed, test). */
public record StripeEvent(
        String id,
        String stripeEventId,
        String type,
        boolean livemode,
        Instant created,
        Instant receivedAt,
        String outcome,
        String detail,
        List<String> waitingFor,
        String eventId) {

    public StripeEvent {
        waitingFor = waitingFor == null ? List.of() : List.copyOf(waitingFor);
    }
}
