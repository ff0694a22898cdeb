package clickledger.api.program;

import static java.util.Objects.requireNonNull;

import clickledger.api.http.Ranges;
import clickledger.api.money.Money;
import clickledger.api.value.AllowedHosts;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Name;
import clickledger.api.value.Slug;
import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Currency;

/**
 * A partner program. The day ranges mirror the schema's check constraints so a bad value is a 400
 * naming the field rather than a constraint violation.
 *
 * @param commissionRules a JSON array of rules; only its shape is checked until commissions exist
 * @param startsAt null when the program has no start date
 * @param endsAt null when the program is open-ended
 * @param payoutMinimumMinor the net amount, in the program currency's minor units, a partner must
 *     reach to be paid by a batch ({@code payoutMinimum} on the wire, a decimal string); 0 pays any
 *     positive amount
 * @param allowCustomSlugs whether its partners may choose their links' slugs (else generated)
 * @param allowedHosts the hosts besides its destination's that deep links may lead to (issue 19)
 */
public record Program(
        ProgramId id,
        Slug slug,
        Name name,
        DestinationUrl destinationUrl,
        Currency currency,
        AttributionModel attributionModel,
        int lookbackDays,
        int holdbackDays,
        int cookieDays,
        JsonNode commissionRules,
        Instant startsAt,
        Instant endsAt,
        ProgramStatus status,
        boolean allowCustomSlugs,
        Instant createdAt,
        @JsonIgnore long payoutMinimumMinor,
        AllowedHosts allowedHosts) {
    public static final int MAX_DAYS = 3650;
    public static final int DEFAULT_LOOKBACK_DAYS = 60;
    public static final int DEFAULT_HOLDBACK_DAYS = 30;
    public static final int DEFAULT_COOKIE_DAYS = 90;
    // Rules are evaluated for every conversion; a few dozen covers any real program.
    public static final int MAX_COMMISSION_RULES = 100;

    public Program {
        requireNonNull(id, "id is null");
        requireNonNull(slug, "slug is null");
        requireNonNull(name, "name is null");
        requireNonNull(destinationUrl, "destinationUrl is null");
        requireNonNull(currency, "currency is null");
        requireNonNull(attributionModel, "attributionModel is null");
        requireNonNull(status, "status is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(allowedHosts, "allowedHosts is null");
        checkLookbackDays(lookbackDays);
        checkHoldbackDays(holdbackDays);
        checkCookieDays(cookieDays);
        checkCommissionRules(commissionRules);
        clickledger.api.commission.CommissionRule.parseAll("commissionRules", commissionRules, currency);
        checkPeriod(startsAt, endsAt);
        if (payoutMinimumMinor < 0) {
            throw ApiException.badRequest("payoutMinimum", "must not be negative");
        }
    }

    /** The payout minimum as the api shows amounts: a decimal string in the program's currency. */
    @JsonProperty("payoutMinimum")
    public String payoutMinimum() {
        return Money.format(payoutMinimumMinor, currency);
    }

    /** {@code payoutMinimum} from a request: money in {@code currency}, zero or more. */
    static long parsePayoutMinimum(JsonNode value, Currency currency) {
        long minor = Money.parse("payoutMinimum", value, currency).minor();
        if (minor < 0) {
            throw ApiException.badRequest("payoutMinimum", "must not be negative");
        }
        return minor;
    }

    static int checkLookbackDays(Integer days) {
        return Ranges.check("lookbackDays", days, 1, MAX_DAYS);
    }

    static int checkHoldbackDays(Integer days) {
        return Ranges.check("holdbackDays", days, 0, MAX_DAYS);
    }

    static int checkCookieDays(Integer days) {
        return Ranges.check("cookieDays", days, 1, MAX_DAYS);
    }

    static JsonNode checkCommissionRules(JsonNode rules) {
        if (rules == null || !rules.isArray()) {
            throw ApiException.badRequest("commissionRules", "must be a JSON array of rule objects");
        }
        if (rules.size() > MAX_COMMISSION_RULES) {
            throw ApiException.badRequest("commissionRules", "must have at most " + MAX_COMMISSION_RULES + " rules");
        }
        for (int i = 0; i < rules.size(); i++) {
            if (!rules.get(i).isObject()) {
                throw ApiException.badRequest("commissionRules[" + i + "]", "must be a JSON object");
            }
        }
        return rules;
    }

    static void checkPeriod(Instant startsAt, Instant endsAt) {
        if (startsAt != null && endsAt != null && !endsAt.isAfter(startsAt)) {
            throw ApiException.badRequest("endsAt", "must be after startsAt");
        }
    }
}
