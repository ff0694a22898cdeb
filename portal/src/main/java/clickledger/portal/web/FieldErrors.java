package clickledger.portal.web;

import clickledger.portal.api.ApiProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The api's field errors for one form: each next to the field it names, and whatever names no
 * field of the form (or no field at all) in {@code general}, above the form, so no message is
 * lost. Field names are the api's ({@code admin.email}, {@code commissionRules[0].amount}); forms
 * name their inputs the same way, so nothing translates between them.
 */
public record FieldErrors(Map<String, String> byField, String general) {
    public FieldErrors {
        byField = Map.copyOf(byField);
    }

    public static FieldErrors none() {
        return new FieldErrors(Map.of(), null);
    }

    public static FieldErrors general(String message) {
        return new FieldErrors(Map.of(), message);
    }

    public static FieldErrors of(String field, String message) {
        return new FieldErrors(Map.of(field, message), null);
    }

    /**
     * @param formFields the fields the form shows, or a prefix ending in "[" for repeated rows
     *     ({@code commissionRules[})
     */
    public static FieldErrors from(ApiProblem problem, Set<String> formFields) {
        Map<String, String> byField = new LinkedHashMap<>();
        StringBuilder general = new StringBuilder();
        for (Map.Entry<String, String> error : problem.byField().entrySet()) {
            if (shown(error.getKey(), formFields)) {
                byField.put(error.getKey(), error.getValue());
            } else {
                append(general, error.getKey() + ": " + error.getValue());
            }
        }
        if (byField.isEmpty() && general.isEmpty()) {
            append(general, problem.detail());
        }
        return new FieldErrors(byField, general.isEmpty() ? null : general.toString());
    }

    private static boolean shown(String field, Set<String> formFields) {
        if (formFields.contains(field)) {
            return true;
        }
        for (String known : formFields) {
            if (known.endsWith("[") && field.startsWith(known)) {
                return true;
            }
        }
        return false;
    }

    private static void append(StringBuilder out, String message) {
        if (!out.isEmpty()) {
            out.append("; ");
        }
        out.append(message);
    }

    public String get(String field) {
        return byField.get(field);
    }

    public boolean any() {
        return general != null || !byField.isEmpty();
    }

    /** The messages in the order of {@code fields}, for the summary at the top of a long form. */
    public List<String> messages() {
        return byField.values().stream().toList();
    }
}
