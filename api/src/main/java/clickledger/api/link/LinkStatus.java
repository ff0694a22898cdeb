package clickledger.api.link;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A paused link still redirects, to the program's destination and without a cref. */
public enum LinkStatus {
    ACTIVE,
    PAUSED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LinkStatus fromWire(String field, String text) {
        for (LinkStatus status : values()) {
            if (status.wire().equals(text)) {
                return status;
            }
        }
        throw ApiException.badRequest(field, "must be active or paused");
    }
}
