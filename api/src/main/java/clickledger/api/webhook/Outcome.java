package clickledger.api.webhook;

import java.time.Duration;
import java.util.Optional;

/**
 * What one attempt came to.
 *
 * @param statusCode null when no HTTP response arrived
 * @param error null when a response arrived; else a short code and detail, such as
 *     {@code timeout}, {@code connection_failed: …}, {@code destination_refused: …}
 * @param responseBody at most {@link WebhookSender#MAX_RESPONSE_BYTES} of the body; null without a response
 * @param retryAfter the receiver's Retry-After, when it sent a readable one
 */
record Outcome(Integer statusCode, long latencyMs, String error, String responseBody, Optional<Duration> retryAfter) {
    // Keeps the attempt log readable and the row small whatever an exception's message holds.
    static final int MAX_ERROR_LENGTH = 500;

    Outcome {
        error = error == null ? null : Text.clean(error, MAX_ERROR_LENGTH);
        responseBody = responseBody == null ? null : Text.clean(responseBody, Integer.MAX_VALUE);
    }

    static Outcome failed(String error, long latencyMs) {
        return new Outcome(null, latencyMs, error, null, Optional.empty());
    }

    boolean delivered() {
        return error == null && statusCode != null && statusCode >= 200 && statusCode < 300;
    }
}
