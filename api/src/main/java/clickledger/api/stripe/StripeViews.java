package clickledger.api.stripe;

import java.time.Instant;
import java.util.List;

/** What the Stripe routes answer with; the portal's Stripe section is built from these. */
public final class StripeViews {
    private StripeViews() {}

    /**
     * A program's Stripe connection. Answered also before it is connected, since the webhook URL
     * must be pasted into Stripe before Stripe shows the signing secret.
     *
     * @param webhookSecret masked ({@code whsec_…abcd}), null when not connected
     * @param compatWebhookUrl OpenPartner's {@code /webhooks/stripe}, when this is COMPAT_DEFAULT_PROGRAM
     * @param lastError the latest event that could not be recorded, until a later one is
     */
    public record Integration(
            String programId,
            boolean connected,
            String webhookUrl,
            String compatWebhookUrl,
            String webhookSecret,
            String eventType,
            Instant connectedAt,
            Instant updatedAt,
            Instant lastEventAt,
            LastError lastError) {}

    public record LastError(Instant at, String stripeEventId, String message) {}

    /**
     * A Stripe event as received.
     *
     * @param eventId the ledger event it recorded or acted on (its eventId), if any
     */
    public record Event(
            String id,
            String stripeEventId,
            String type,
            boolean livemode,
            Instant created,
            Instant receivedAt,
            StripeOutcome outcome,
            String detail,
            List<String> waitingFor,
            String eventId) {

        static Event of(StripeRepository.StoredEvent stored) {
            return new Event(
                    clickledger.common.id.Ulid.encode(stored.id()),
                    stored.stripeId(),
                    stored.type(),
                    stored.livemode(),
                    stored.created(),
                    stored.receivedAt(),
                    stored.outcome(),
                    stored.detail(),
                    stored.waitingFor(),
                    stored.eventKey());
        }
    }

    /** The webhook's answer to Stripe (which reads only the status) and to people testing it. */
    public record Receipt(String stripeEventId, boolean duplicate, StripeOutcome outcome, String detail) {}

    /**
     * What "send test" saw.
     *
     * @param status the HTTP status the webhook answered the signed sample with; 0 when unreachable
     */
    public record TestResult(String stripeEventId, int status, StripeOutcome outcome, String detail) {}
}
