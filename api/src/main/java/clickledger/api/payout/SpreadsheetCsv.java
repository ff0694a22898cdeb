package clickledger.api.payout;

import java.io.IOException;
import java.io.Writer;

/**
 * CSV that is safe to open in a spreadsheet (RFC 4180, CRLF line ends). Every text cell is quoted,
 * quotes doubled, so no value can end its cell early; a text cell that a spreadsheet would run as
 * a formula gets a leading apostrophe, which Excel, LibreOffice and Google Sheets show as text.
 * The triggers are OWASP's list ({@code = + - @}, tab, carriage return), the NUL that ASVS 5.0
 * 1.2.10 adds, and the full-width forms of the four signs, which some spreadsheets read as the
 * ASCII ones; a value whose first non-blank character is one counts too. Amounts are written as
 * numbers, never prefixed: a payout's amount is never negative, and a number is not a formula.
 * Sources: docs/payouts.md.
 */
final class SpreadsheetCsv {
    private final Writer out;
    private boolean lineStarted;

    SpreadsheetCsv(Writer out) {
        this.out = out;
    }

    /** A text cell; null is an empty cell. */
    SpreadsheetCsv text(String value) throws IOException {
        separate();
        if (value == null) {
            return this;
        }
        String safe = guarded(value);
        out.write('"');
        for (int i = 0; i < safe.length(); i++) {
            char c = safe.charAt(i);
            if (c == '"') {
                out.write('"');
            }
            out.write(c);
        }
        out.write('"');
        return this;
    }

    /** A number as the api writes amounts ({@code 12.50}, {@code 500}, {@code 1.250}). */
    SpreadsheetCsv number(String value) throws IOException {
        separate();
        out.write(value);
        return this;
    }

    void endLine() throws IOException {
        out.write("\r\n");
        lineStarted = false;
    }

    static String guarded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (isTrigger(c)) {
                return "'" + value;
            }
            if (c != ' ' && c != '\u00a0' && c != '\u3000') {
                return value;
            }
        }
        return value;
    }

    private static boolean isTrigger(char c) {
        return switch (c) {
            case '=', '+', '-', '@', '\t', '\r', '\0', '\uff1d', '\uff0b', '\uff0d', '\uff20' -> true;
            default -> false;
        };
    }

    private void separate() throws IOException {
        if (lineStarted) {
            out.write(',');
        }
        lineStarted = true;
    }
}
