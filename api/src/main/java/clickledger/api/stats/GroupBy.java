package clickledger.api.stats;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How {@code GET /v1/stats} splits its rows: one per day of the range, per partner, per link, or
 * per value of a click dimension (country, device class, browser, OS, referrer domain, utm_source,
 * utm_campaign; docs/decisions/0023-stats-dimensions.md).
 */
public enum GroupBy {
    DAY("day", null, null, 0, 0),
    PARTNER("partner", null, null, 0, 0),
    LINK("link", null, null, 0, 0),
    COUNTRY("country", "country", "country", 300, 10),
    DEVICE("device", "device", "device", 20, 20),
    BROWSER("browser", "browser", "browser", 100, 10),
    OS("os", "os", "os", 100, 10),
    REFERRER("referrer", "referrer_domain", "referrer", 100, 10),
    UTM_SOURCE("utmSource", "utm_source", "utm_source", 100, 10),
    UTM_CAMPAIGN("utmCampaign", "utm_campaign", "utm_campaign", 100, 10);

    /** The values a request may name, in the order an error message lists them. */
    public static final String ALLOWED =
            Arrays.stream(values()).map(GroupBy::wire).collect(Collectors.joining(", "));

    private final String wire;
    private final String column;
    private final String dimension;
    private final int cap;
    private final int partnerCap;

    GroupBy(String wire, String column, String dimension, int cap, int partnerCap) {
        this.wire = wire;
        this.column = column;
        this.dimension = dimension;
        this.cap = cap;
        this.partnerCap = partnerCap;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** True for the click dimensions, which {@code click_daily_dimension} serves. */
    public boolean isDimension() {
        return column != null;
    }

    /** The click column the dimension reads (a constant of this enum, safe to put in SQL). */
    String column() {
        return column;
    }

    /** The dimension's name in {@code click_daily_dimension.dimension}. */
    String dimension() {
        return dimension;
    }

    /** Named values a program keeps per day in the rollup; the day's further values are "other". */
    int cap() {
        return cap;
    }

    /**
     * Named values one partner keeps per day in {@code click_daily_partner_dimension} (V72): the
     * rows a dashboard shows (10), every device class; the day's further values are "other".
     */
    int partnerCap() {
        return partnerCap;
    }

    public static GroupBy fromWire(String field, String text) {
        for (GroupBy groupBy : values()) {
            if (groupBy.wire().equals(text)) {
                return groupBy;
            }
        }
        throw ApiException.badRequest(field, "must be one of " + ALLOWED);
    }
}
