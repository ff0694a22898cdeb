package clickledger.api.partner;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A partner's standing in one program; only approved members make links there themselves. */
public enum MembershipStatus {
    PENDING,
    APPROVED,
    REJECTED,
    REVOKED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static MembershipStatus fromDatabase(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
