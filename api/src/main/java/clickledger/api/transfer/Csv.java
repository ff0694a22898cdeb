package clickledger.api.transfer;

import java.io.IOException;
import java.io.Writer;

/**
 * RFC 4180 CSV: CRLF line ends, a field quoted when it holds a quote, comma, CR or LF, quotes
 * doubled inside. Text cells that a spreadsheet would run as a formula (they start with
 * {@code = + - @}, a tab or a CR; OWASP's list) get a leading apostrophe, which Excel, LibreOffice
 * and Google Sheets show as text. Numbers are never prefixed: {@code -500} is a refund, not a formula.
 */
public final class Csv {
    private final Writer out;
    private boolean lineStarted;

    public Csv(Writer out) {
        this.out = out;
    }

    /** A text cell, guarded against formula injection; null is an empty cell. */
    public Csv text(String value) throws IOException {
        return cell(value == null ? null : guarded(value));
    }

    /** A number, a boolean or a timestamp: written as it is. */
    public Csv plain(String value) throws IOException {
        return cell(value);
    }

    public void endLine() throws IOException {
        out.write("\r\n");
        lineStarted = false;
    }

    static String guarded(String value) {
        if (value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        boolean formula =
                first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
        return formula ? "'" + value : value;
    }

    private Csv cell(String value) throws IOException {
        if (lineStarted) {
            out.write(',');
        }
        lineStarted = true;
        if (value == null) {
            return this;
        }
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == '"' || c == ',' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.write(value);
            return this;
        }
        out.write('"');
        out.write(value.replace("\"", "\"\""));
        out.write('"');
        return this;
    }
}
