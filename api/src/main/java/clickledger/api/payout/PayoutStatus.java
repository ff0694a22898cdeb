package clickledger.api.payout;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A payout is created pending by a batch; mark-paid makes it paid, cancel makes it cancelled and
 * frees its commissions. Both ends are final (the database's payout_guard refuses any change).
 */
public enum PayoutStatus {
    PENDING,
    PAID,
    CANCELLED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PayoutStatus fromWire(String field, String text) {
        for (PayoutStatus status : values()) {
            if (status.wire().equals(text)) {
                return status;
            }
        }
        throw ApiException.badRequest(field, "must be one of pending, paid, cancelled");
    }
}
