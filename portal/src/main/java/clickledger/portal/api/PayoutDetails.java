package clickledger.portal.api;

import java.time.Instant;

/**
 * Where the partner is paid, as the api shows it: the method ({@code paypal}, {@code wise}, or
 * null before any is set) and the details masked ({@code a•••@example.com}, {@code •••• 1234}).
 * The details themselves never come back.
 */
public record PayoutDetails(String method, String masked, Instant updatedAt) {
    public boolean set() {
        return method != null;
    }
}
