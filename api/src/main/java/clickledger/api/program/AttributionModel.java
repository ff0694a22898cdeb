package clickledger.api.program;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a conversion's credit is split among a user's clicks (SPEC "Attribution and commissions"). */
public enum AttributionModel {
    LAST_CLICK,
    FIRST_CLICK,
    LINEAR,
    POSITION,
    TIME_DECAY;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AttributionModel fromWire(String field, String text) {
        for (AttributionModel model : values()) {
            if (model.wire().equals(text)) {
                return model;
            }
        }
        throw ApiException.badRequest(field, "must be one of last_click, first_click, linear, position, time_decay");
    }
}
