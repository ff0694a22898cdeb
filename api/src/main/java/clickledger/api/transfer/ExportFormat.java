package clickledger.api.transfer;

import clickledger.web.ApiException;
import java.util.Locale;

/** The three shapes of an export: a zip of JSON Lines, a zip of CSV files, or one psql script. */
public enum ExportFormat {
    JSON("application/zip", "zip"),
    CSV("application/zip", "zip"),
    SQL("application/sql; charset=utf-8", "sql");

    private final String contentType;
    private final String extension;

    ExportFormat(String contentType, String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    public String contentType() {
        return contentType;
    }

    /** The file name's extension; the CSV zip is told apart by name ({@code …-csv.zip}). */
    public String fileSuffix() {
        return this == CSV ? "-csv.zip" : "." + extension;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExportFormat fromWire(String field, String text) {
        for (ExportFormat format : values()) {
            if (format.wire().equals(text)) {
                return format;
            }
        }
        throw ApiException.badRequest(field, "must be json, csv or sql");
    }
}
