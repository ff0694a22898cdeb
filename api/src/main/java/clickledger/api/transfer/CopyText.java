package clickledger.api.transfer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One value of an exported JSON row as PostgreSQL's COPY text format wants it: {@code \N} for
 * null, {@code t}/{@code f}, JSON text for jsonb, an array literal for arrays, and backslash,
 * tab, CR and LF escaped (a bytea's {@code \x…} included, or COPY would read it as an escape).
 */
final class CopyText {
    private CopyText() {}

    static void append(StringBuilder out, Column column, JsonNode value) {
        if (value == null || value.isNull()) {
            out.append("\\N");
            return;
        }
        if (column.isJson()) {
            escape(out, value.toString());
        } else if (column.isArray() && value.isArray()) {
            escape(out, arrayLiteral(value));
        } else if (value.isBoolean()) {
            out.append(value.booleanValue() ? 't' : 'f');
        } else if (value.isValueNode()) {
            escape(out, value.asText());
        } else {
            escape(out, value.toString());
        }
    }

    /** {@code {"a","b"}}: every element quoted, so commas, braces and spaces inside stay text. */
    static String arrayLiteral(JsonNode array) {
        StringBuilder literal = new StringBuilder("{");
        for (JsonNode element : array) {
            if (literal.length() > 1) {
                literal.append(',');
            }
            if (element.isNull()) {
                literal.append("NULL");
                continue;
            }
            literal.append('"')
                    .append(element.asText().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append('"');
        }
        return literal.append('}').toString();
    }

    private static void escape(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
    }
}
