package clickledger.api.program;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The schema's program statuses; the router sends visitors of an ended program on without a cref. */
public enum ProgramStatus {
    ACTIVE,
    PAUSED,
    ENDED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ProgramStatus fromWire(String field, String text) {
        for (ProgramStatus status : values()) {
            if (status.wire().equals(text)) {
                return status;
            }
        }
        throw ApiException.badRequest(field, "must be one of active, paused, ended");
    }
}
