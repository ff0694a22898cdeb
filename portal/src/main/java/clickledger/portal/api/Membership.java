package clickledger.portal.api;

import com.fasterxml.jackson.databind.JsonNode;

/** A partner's membership of a program; {@code commissionRules} null means the program's rules apply. */
public record Membership(
        String programId,
        String partnerId,
        String programSlug,
        String programName,
        String currency,
        String status,
        JsonNode commissionRules) {
    public boolean hasOverride() {
        return commissionRules != null && !commissionRules.isNull();
    }
}
