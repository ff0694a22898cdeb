package clickledger.portal.api;

import java.time.Instant;

/**
 * One of the partner's own commissions ({@code /v1/me/commissions}): what earned it (the event's
 * type, time and value) but never the merchant's user or event id.
 */
public record MyCommission(
        String id,
        String programId,
        String kind,
        String amount,
        String currency,
        String status,
        Instant holdUntil,
        Instant createdAt,
        String eventType,
        Instant eventTs,
        String eventValue,
        String eventCurrency,
        String payoutId) {}
