package clickledger.portal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A program as the api shows it; {@code hasEvents} says whether its currency is locked (the api's
 * 409 on a currency change stays the rule either way).
 */
public record Program(
        String id,
        String slug,
        String name,
        String destinationUrl,
        String currency,
        String attributionModel,
        int lookbackDays,
        int holdbackDays,
        int cookieDays,
        JsonNode commissionRules,
        Instant startsAt,
        Instant endsAt,
        String status,
        Instant createdAt,
        Boolean hasEvents,
        String payoutMinimum) {

    /** Whether the currency may still change, as far as the portal can tell before asking. */
    public boolean currencyLocked() {
        return Boolean.TRUE.equals(hasEvents);
    }
}
