package clickledger.portal.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A program as the api shows it; {@code hasEvents} says whether its currency is locked (the api's
 * 409 on a currency change stays the rule either way); {@code logoUrl} is the api's path of its
 * logo, null without one.
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
        String logoUrl,
        Boolean allowCustomSlugs,
        String payoutMinimum,
        List<String> allowedHosts) {
    public Program {
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
    }

    /** Where the portal serves the logo from its own origin ({@code /brand/programs/{id}/logo?v=…}), or null. */
    public String portalLogoUrl() {
        return portalLogoUrl(logoUrl);
    }

    /**
     * The portal's own path ({@code /brand/programs/{id}/logo?v=…}) for a logo the api names
     * {@code /v1/programs/{id}/logo?v=…}; null for null or anything else.
     */
    public static String portalLogoUrl(String apiLogoUrl) {
        String prefix = "/v1/programs/";
        if (apiLogoUrl == null || !apiLogoUrl.startsWith(prefix)) {
            return null;
        }
        return "/brand/programs/" + apiLogoUrl.substring(prefix.length());
    }

    /** Whether partners may choose their links' slugs; an api that does not say has always let them. */
    public boolean customSlugs() {
        return !Boolean.FALSE.equals(allowCustomSlugs);
    }

    /** Whether the currency may still change, as far as the portal can tell before asking. */
    public boolean currencyLocked() {
        return Boolean.TRUE.equals(hasEvents);
    }
}
