package clickledger.portal.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * A submitted form: values trimmed (passwords read raw), and the helpers that copy them into an
 * api body. A number that does not parse is sent as text, so the api, not the portal, says what is
 * wrong with it: the api is where the rules live.
 */
public final class Form {
    private final Map<String, List<String>> params;

    private Form(Map<String, List<String>> params) {
        this.params = params;
    }

    public static Form of(Context ctx) {
        return new Form(ctx.formParamMap());
    }

    static Form of(Map<String, List<String>> params) {
        return new Form(params);
    }

    /** The trimmed value, or "" when absent. */
    public String get(String name) {
        String raw = raw(name);
        return raw == null ? "" : raw.strip();
    }

    /** The value exactly as typed (passwords), or null when absent. */
    public String raw(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    public List<String> all(String name) {
        return params.getOrDefault(name, List.of()).stream()
                .map(String::strip)
                .filter(value -> !value.isEmpty())
                .toList();
    }

    public boolean checked(String name) {
        String value = raw(name);
        return value != null && !value.isEmpty() && !value.equals("false");
    }

    /** Copies a text field into {@code body} unless it is blank. */
    public void text(ObjectNode body, String field, String name) {
        String value = get(name);
        if (!value.isEmpty()) {
            body.put(field, value);
        }
    }

    /** Copies a whole number into {@code body} unless blank; what does not parse goes as text for the api to name. */
    public void integer(ObjectNode body, String field, String name) {
        String value = get(name);
        if (value.isEmpty()) {
            return;
        }
        try {
            body.put(field, Long.parseLong(value));
        } catch (NumberFormatException notANumber) {
            body.put(field, value);
        }
    }
}
