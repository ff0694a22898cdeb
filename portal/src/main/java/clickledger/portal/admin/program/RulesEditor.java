package clickledger.portal.admin.program;

import clickledger.portal.api.ApiClient;
import clickledger.portal.web.Form;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The commission rules editor: one row per rule, named as the api names them
 * ({@code commissionRules[0].amount}), so the api's field errors land next to the right input.
 * The portal checks nothing about a rule; the api validates the whole list and its answer is shown.
 *
 * <p>Without JavaScript: the form always carries one blank row to add a rule, "Add another rule"
 * re-renders with one more, and a row is removed with its "Remove" box. Blank and removed rows are
 * dropped before sending, and the form is shown again in the order it was sent, so the api's row
 * numbers match the rows on screen.
 */
public final class RulesEditor {
    public static final String FIELD = "commissionRules";
    /** The submit button's value that asks for one more blank row instead of saving. */
    public static final String ADD_ROW = "add-rule";

    /** One rule as the form shows it; every value is text as typed. */
    public record Row(String eventType, String trigger, String kind, String amount, String recurringMonths) {
        static Row blank() {
            return new Row("", "every", "percent", "", "");
        }

        boolean isBlank() {
            return eventType.isEmpty() && amount.isEmpty() && recurringMonths.isEmpty();
        }
    }

    /** What the template needs: the rows (a blank one last) and the field name prefix. */
    public record Rules(List<Row> rows) {
        public Rules {
            rows = List.copyOf(rows);
        }

        public String name(int index, String field) {
            return FIELD + "[" + index + "]." + field;
        }
    }

    private RulesEditor() {}

    /** The rules a program or membership has now, plus a blank row. */
    public static Rules fromApi(JsonNode rules) {
        List<Row> rows = new ArrayList<>();
        if (rules != null && rules.isArray()) {
            for (JsonNode rule : rules) {
                rows.add(new Row(
                        text(rule, "eventType"),
                        rule.hasNonNull("trigger") ? rule.get("trigger").asText() : "every",
                        rule.hasNonNull("kind") ? rule.get("kind").asText() : "percent",
                        text(rule, "amount"),
                        text(rule, "recurringMonths")));
            }
        }
        rows.add(Row.blank());
        return new Rules(rows);
    }

    /** The rows sent, without blank and removed ones, in order (no blank row added). */
    public static List<Row> submitted(Form form) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String prefix = FIELD + "[" + i + "].";
            if (form.raw(prefix + "kind") == null) {
                break;
            }
            Row row = new Row(
                    form.get(prefix + "eventType"),
                    form.get(prefix + "trigger"),
                    form.get(prefix + "kind"),
                    form.get(prefix + "amount"),
                    form.get(prefix + "recurringMonths"));
            if (!row.isBlank() && !form.checked(prefix + "remove")) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** The submitted rows for showing again, with {@code blankRows} empty rows after them. */
    public static Rules again(List<Row> rows, int blankRows) {
        List<Row> shown = new ArrayList<>(rows);
        for (int i = 0; i < blankRows; i++) {
            shown.add(Row.blank());
        }
        return new Rules(shown);
    }

    /** The rows as the api's {@code commissionRules} array; amounts and months go as typed. */
    public static ArrayNode toJson(List<Row> rows) {
        ArrayNode array = ApiClient.object().arrayNode();
        for (Row row : rows) {
            ObjectNode rule = array.addObject();
            if (!row.eventType().isEmpty()) {
                rule.put("eventType", row.eventType());
            }
            rule.put("trigger", row.trigger());
            rule.put("kind", row.kind());
            rule.put("amount", row.amount());
            if (!row.recurringMonths().isEmpty()) {
                try {
                    rule.put("recurringMonths", Integer.parseInt(row.recurringMonths()));
                } catch (NumberFormatException notANumber) {
                    rule.put("recurringMonths", row.recurringMonths());
                }
            }
        }
        return array;
    }

    private static String text(JsonNode rule, String field) {
        JsonNode value = rule.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }
}
