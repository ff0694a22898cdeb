package clickledger.portal.api;

import java.time.Instant;

/**
 * A program's Stripe connection as the api shows it; {@code webhookUrl} is there before
 * connecting too, since Stripe shows the signing secret only once the endpoint exists.
 *
 * @param webhookSecret masked ({@code whsec_…abcd}); null when not connected
 */
public record StripeIntegration(
        String programId,
        boolean connected,
        String webhookUrl,
        String compatWebhookUrl,
        String webhookSecret,
        String eventType,
        Instant connectedAt,
        Instant updatedAt,
        Instant lastEventAt,
        LastError lastError) {

    /** The latest Stripe event that could not be recorded. */
    public record LastError(Instant at, String stripeEventId, String message) {}
}
