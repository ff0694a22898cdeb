package clickledger.api.program;

import clickledger.api.http.FieldErrors;
import clickledger.api.http.Timestamps;
import clickledger.api.value.AllowedHosts;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Name;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code PATCH /v1/programs/{id}}: a field left out keeps its value; {@code "endsAt":
 * null} clears the end date; null is refused for fields that cannot be empty. {@code currency}
 * may change only while the program has no events ({@link ProgramService#update} checks), and a
 * non-zero {@code payoutMinimum} must then be given again in the new currency.
 */
public record ProgramPatch(
        String name,
        String destinationUrl,
        String status,
        String endsAt,
        Integer cookieDays,
        Integer lookbackDays,
        Integer holdbackDays,
        String attributionModel,
        JsonNode commissionRules,
        String currency,
        Boolean allowCustomSlugs,
        JsonNode payoutMinimum,
        List<String> allowedHosts) {

    /** @param present the fields the body named, from {@code Json.presentFields} */
    Program applyTo(Program current, Set<String> present) {
        FieldErrors errors = new FieldErrors();
        Name newName = present.contains("name") ? errors.check(() -> new Name(name)) : current.name();
        DestinationUrl newDestination = present.contains("destinationUrl")
                ? errors.check(() -> new DestinationUrl(destinationUrl))
                : current.destinationUrl();
        ProgramStatus newStatus = present.contains("status")
                ? errors.check(() -> ProgramStatus.fromWire("status", status))
                : current.status();
        Instant newEndsAt = current.endsAt();
        if (present.contains("endsAt")) {
            newEndsAt = endsAt == null ? null : errors.check(() -> Timestamps.parse("endsAt", endsAt));
        }
        Integer newCookieDays = present.contains("cookieDays")
                ? errors.check(() -> Program.checkCookieDays(cookieDays))
                : Integer.valueOf(current.cookieDays());
        Integer newLookbackDays = present.contains("lookbackDays")
                ? errors.check(() -> Program.checkLookbackDays(lookbackDays))
                : Integer.valueOf(current.lookbackDays());
        Integer newHoldbackDays = present.contains("holdbackDays")
                ? errors.check(() -> Program.checkHoldbackDays(holdbackDays))
                : Integer.valueOf(current.holdbackDays());
        AttributionModel newModel = present.contains("attributionModel")
                ? errors.check(() -> AttributionModel.fromWire("attributionModel", attributionModel))
                : current.attributionModel();
        JsonNode newRules = present.contains("commissionRules")
                ? errors.check(() -> Program.checkCommissionRules(commissionRules))
                : current.commissionRules();
        Currency newCurrency = present.contains("currency")
                ? errors.check(() -> Currencies.parse("currency", currency))
                : current.currency();
        Long newMinimum = current.payoutMinimumMinor();
        if (present.contains("payoutMinimum") && newCurrency != null) {
            newMinimum = errors.check(() -> Program.parsePayoutMinimum(payoutMinimum, newCurrency));
        } else if (newCurrency != null && !newCurrency.equals(current.currency()) && newMinimum != 0) {
            // Minor units of one currency mean nothing in another: 10.00 USD is not 1000 JPY.
            errors.add(
                    "payoutMinimum",
                    "must be given again in " + newCurrency.getCurrencyCode() + " with the new currency");
        }
        if (present.contains("allowCustomSlugs") && allowCustomSlugs == null) {
            errors.add("allowCustomSlugs", "must be true or false");
        }
        boolean newAllowCustomSlugs = present.contains("allowCustomSlugs") && allowCustomSlugs != null
                ? allowCustomSlugs
                : current.allowCustomSlugs();
        AllowedHosts newAllowedHosts = current.allowedHosts();
        if (present.contains("allowedHosts")) {
            newAllowedHosts =
                    allowedHosts == null ? AllowedHosts.NONE : errors.check(() -> AllowedHosts.parse(allowedHosts));
        }
        errors.throwIfAny();
        Program.checkPeriod(current.startsAt(), newEndsAt);
        return new Program(
                current.id(),
                current.slug(),
                newName,
                newDestination,
                newCurrency,
                newModel,
                newLookbackDays,
                newHoldbackDays,
                newCookieDays,
                newRules,
                current.startsAt(),
                newEndsAt,
                newStatus,
                newAllowCustomSlugs,
                current.createdAt(),
                newMinimum,
                newAllowedHosts);
    }
}
