package clickledger.api.commission;

import clickledger.api.money.Money;
import clickledger.web.ApiException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One commission rule (SPEC "Attribution and commissions"):
 * {@code {eventType?, trigger: every|first|subsequent, kind: percent|fixed, amount, recurringMonths?}}.
 * For {@code percent}, amount is a percentage of the event value ("12.5" is 12.5 %); for
 * {@code fixed}, money in the program's currency.
 */
public record CommissionRule(
        int index,
        String eventType,
        Trigger trigger,
        Kind kind,
        BigDecimal percent,
        long fixedMinor,
        Integer recurringMonths) {

    public enum Trigger {
        EVERY,
        FIRST,
        SUBSEQUENT
    }

    public enum Kind {
        PERCENT,
        FIXED
    }

    private static final Set<String> FIELDS = Set.of("eventType", "trigger", "kind", "amount", "recurringMonths");

    /** Validates a whole rule list; {@code field} names it in errors ("commissionRules"). */
    public static List<CommissionRule> parseAll(String field, JsonNode rules, Currency currency) {
        List<CommissionRule> parsed = new ArrayList<>();
        if (rules == null || rules.isNull()) {
            return parsed;
        }
        if (!rules.isArray()) {
            throw ApiException.badRequest(field, "must be a JSON array of rule objects");
        }
        for (int i = 0; i < rules.size(); i++) {
            parsed.add(parse(field + "[" + i + "]", i, rules.get(i), currency));
        }
        return parsed;
    }

    static CommissionRule parse(String field, int index, JsonNode rule, Currency currency) {
        if (!rule.isObject()) {
            throw ApiException.badRequest(field, "must be a JSON object");
        }
        for (String name : (Iterable<String>) rule::fieldNames) {
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest(field + "." + name, "is not a known field");
            }
        }
        String eventType = null;
        JsonNode type = rule.get("eventType");
        if (type != null && !type.isNull()) {
            if (!type.isTextual()
                    || type.textValue().isBlank()
                    || type.textValue().length() > 64) {
                throw ApiException.badRequest(field + ".eventType", "must be a string of 1 to 64 characters");
            }
            eventType = type.textValue();
        }
        Trigger trigger = Trigger.EVERY;
        JsonNode triggerNode = rule.get("trigger");
        if (triggerNode != null && !triggerNode.isNull()) {
            trigger = switch (triggerNode.asText("").toLowerCase(Locale.ROOT)) {
                case "every" -> Trigger.EVERY;
                case "first" -> Trigger.FIRST;
                case "subsequent" -> Trigger.SUBSEQUENT;
                default -> throw ApiException.badRequest(field + ".trigger", "must be every, first or subsequent");
            };
        }
        JsonNode kindNode = rule.get("kind");
        if (kindNode == null || !kindNode.isTextual()) {
            throw ApiException.badRequest(field + ".kind", "must be percent or fixed");
        }
        Kind kind =
                switch (kindNode.textValue()) {
                    case "percent" -> Kind.PERCENT;
                    case "fixed" -> Kind.FIXED;
                    default -> throw ApiException.badRequest(field + ".kind", "must be percent or fixed");
                };
        JsonNode amount = rule.get("amount");
        BigDecimal percent = null;
        long fixed = 0;
        if (kind == Kind.PERCENT) {
            percent = percent(field + ".amount", amount);
        } else {
            fixed = Money.parse(field + ".amount", amount, currency).minor();
            if (fixed < 0) {
                throw ApiException.badRequest(field + ".amount", "must not be negative");
            }
        }
        Integer recurring = null;
        JsonNode months = rule.get("recurringMonths");
        if (months != null && !months.isNull()) {
            if (!months.isInt() || months.intValue() < 1 || months.intValue() > 1200) {
                throw ApiException.badRequest(
                        field + ".recurringMonths", "must be a whole number of months from 1 to 1200");
            }
            recurring = months.intValue();
        }
        return new CommissionRule(index, eventType, trigger, kind, percent, fixed, recurring);
    }

    private static BigDecimal percent(String field, JsonNode amount) {
        if (amount == null || !(amount.isTextual() || amount.isNumber())) {
            throw ApiException.badRequest(field, "must be a percentage such as \"10\" or \"12.5\"");
        }
        BigDecimal value;
        try {
            value = amount.isTextual() ? new BigDecimal(amount.textValue().trim()) : amount.decimalValue();
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(field, "must be a percentage such as \"10\" or \"12.5\"");
        }
        if (value.signum() < 0
                || value.compareTo(BigDecimal.valueOf(100)) > 0
                || value.stripTrailingZeros().scale() > 4) {
            throw ApiException.badRequest(field, "must be between 0 and 100 with at most 4 decimals");
        }
        return value;
    }

    public boolean matchesType(String type) {
        return eventType == null || eventType.equals(type);
    }

    /**
     * The rule's commission on the whole event, before it is split among touches: a percentage is
     * rounded half-even to the minor unit once, here, so splitting cannot add rounding error.
     */
    public long wholeAmount(long eventValueMinor) {
        if (kind == Kind.FIXED) {
            return fixedMinor;
        }
        return BigDecimal.valueOf(eventValueMinor)
                .multiply(percent)
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    /** The rule as stored on each commission it produced, for audit and re-derivation diffs. */
    public JsonNode toJson(Currency currency) {
        var node = clickledger.web.Json.MAPPER.createObjectNode();
        if (eventType != null) {
            node.put("eventType", eventType);
        }
        node.put("trigger", trigger.name().toLowerCase(Locale.ROOT));
        node.put("kind", kind.name().toLowerCase(Locale.ROOT));
        node.put("amount", kind == Kind.PERCENT ? percent.toPlainString() : Money.format(fixedMinor, currency));
        if (recurringMonths != null) {
            node.put("recurringMonths", recurringMonths);
        }
        return node;
    }
}
