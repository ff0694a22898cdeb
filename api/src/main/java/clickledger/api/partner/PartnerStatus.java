package clickledger.api.partner;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The schema's partner statuses; clicks on a revoked partner's links earn nothing. */
public enum PartnerStatus {
    INVITED,
    ACTIVE,
    REVOKED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PartnerStatus fromWire(String field, String text) {
        for (PartnerStatus status : values()) {
            if (status.wire().equals(text)) {
                return status;
            }
        }
        throw ApiException.badRequest(field, "must be one of invited, active, revoked");
    }
}
