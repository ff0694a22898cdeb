package clickledger.api.stripe;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What became of a Stripe event; the portal's events list shows it with the detail. */
public enum StripeOutcome {
    /** Something was recorded: an identity, an event, a refund, a hold or a release. */
    PROCESSED,
    /** Nothing to record: a type not mapped, a $0 invoice, a payment already recorded. */
    IGNORED,
    /** Waits for what it refers to (its payment, its subscription's first invoice); replayed then. */
    HELD,
    /** Could not be recorded (a currency not the program's, an amount Stripe cannot mean); see detail. */
    FAILED,
    /** The signed sample of "send test": verified and stored, nothing derived. */
    TEST;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    static StripeOutcome fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
