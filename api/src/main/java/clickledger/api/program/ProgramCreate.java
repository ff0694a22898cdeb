package clickledger.api.program;

import clickledger.api.http.FieldErrors;
import clickledger.api.http.Timestamps;
import clickledger.api.value.AllowedHosts;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Name;
import clickledger.api.value.Slug;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.Currency;
import java.util.List;

/** The body of {@code POST /v1/programs}, as sent; {@link #toProgram} validates every field at once. */
public record ProgramCreate(
        String slug,
        String name,
        String destinationUrl,
        String currency,
        String attributionModel,
        Integer lookbackDays,
        Integer holdbackDays,
        Integer cookieDays,
        JsonNode commissionRules,
        String startsAt,
        String endsAt,
        Boolean allowCustomSlugs,
        JsonNode payoutMinimum,
        List<String> allowedHosts) {

    Program toProgram(ProgramId id, Instant createdAt) {
        FieldErrors errors = new FieldErrors();
        Slug validSlug = errors.check(() -> new Slug(slug));
        Name validName = errors.check(() -> new Name(name));
        DestinationUrl validDestination = errors.check(() -> new DestinationUrl(destinationUrl));
        Currency validCurrency = errors.check(() -> Currencies.parse("currency", currency));
        AttributionModel model = attributionModel == null
                ? AttributionModel.LAST_CLICK
                : errors.check(() -> AttributionModel.fromWire("attributionModel", attributionModel));
        Integer lookback = errors.check(
                () -> Program.checkLookbackDays(lookbackDays == null ? Program.DEFAULT_LOOKBACK_DAYS : lookbackDays));
        Integer holdback = errors.check(
                () -> Program.checkHoldbackDays(holdbackDays == null ? Program.DEFAULT_HOLDBACK_DAYS : holdbackDays));
        Integer cookie = errors.check(
                () -> Program.checkCookieDays(cookieDays == null ? Program.DEFAULT_COOKIE_DAYS : cookieDays));
        JsonNode rules = commissionRules == null || commissionRules.isNull()
                ? JsonNodeFactory.instance.arrayNode()
                : errors.check(() -> Program.checkCommissionRules(commissionRules));
        Instant starts = startsAt == null ? null : errors.check(() -> Timestamps.parse("startsAt", startsAt));
        Instant ends = endsAt == null ? null : errors.check(() -> Timestamps.parse("endsAt", endsAt));
        errors.verify(() -> Program.checkPeriod(starts, ends));
        // In the program's currency, so it waits for a valid one.
        Long minimum = payoutMinimum == null || payoutMinimum.isNull() || validCurrency == null
                ? Long.valueOf(0)
                : errors.check(() -> Program.parsePayoutMinimum(payoutMinimum, validCurrency));
        AllowedHosts hosts =
                allowedHosts == null ? AllowedHosts.NONE : errors.check(() -> AllowedHosts.parse(allowedHosts));
        errors.throwIfAny();
        return new Program(
                id,
                validSlug,
                validName,
                validDestination,
                validCurrency,
                model,
                lookback,
                holdback,
                cookie,
                rules,
                starts,
                ends,
                ProgramStatus.ACTIVE,
                allowCustomSlugs == null || allowCustomSlugs,
                createdAt,
                minimum,
                hosts);
    }
}
