package clickledger.api.mail;

import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Every message the api sends (docs/partners-and-mail.md lists who gets each, and when). */
public enum MailKind {
    ADMIN_INVITATION,
    PARTNER_INVITATION,
    PROGRAM_ADDED,
    APPLICATION_RECEIVED,
    APPLICATION_APPROVED,
    APPLICATION_REJECTED,
    PASSWORD_RESET,
    EMAIL_CHANGE,
    EMAIL_CHANGED,
    COMMISSION_DIGEST,
    PAYOUT_PAID,
    PAYOUT_DETAILS_CHANGED,
    WEBHOOK_DISABLED;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MailKind fromWire(String field, String text) {
        for (MailKind kind : values()) {
            if (kind.wire().equals(text)) {
                return kind;
            }
        }
        throw ApiException.badRequest(field, "is not a kind of mail the api sends");
    }
}
