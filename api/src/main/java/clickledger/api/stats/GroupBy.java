package clickledger.api.stats;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How {@code GET /v1/stats} splits its rows: one per day of the range, per partner, or per link. */
public enum GroupBy {
    DAY,
    PARTNER,
    LINK;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static GroupBy fromWire(String field, String text) {
        for (GroupBy groupBy : values()) {
            if (groupBy.wire().equals(text)) {
                return groupBy;
            }
        }
        throw ApiException.badRequest(field, "must be one of day, partner, link");
    }
}
