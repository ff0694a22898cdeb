package clickledger.api.commission;

import clickledger.api.money.Money;
import clickledger.common.id.Ulid;
import java.time.Instant;
import java.util.Currency;

/** A commission as the API shows it (SPEC "API contract"). */
public record CommissionView(
        String id,
        String eventId,
        String partnerId,
        String programId,
        String kind,
        String amount,
        String currency,
        String status,
        Instant holdUntil,
        String reversesId,
        Instant createdAt) {

    public static CommissionView of(CommissionRow row, String eventKey) {
        return new CommissionView(
                Ulid.encode(row.id()),
                eventKey,
                Ulid.encode(row.partnerId()),
                Ulid.encode(row.programId()),
                row.kind(),
                Money.format(
                        row.amountMinor(), Currency.getInstance(row.currency().trim())),
                row.currency().trim(),
                row.status(),
                row.holdUntil(),
                row.reversesId() == null ? null : Ulid.encode(row.reversesId()),
                row.createdAt());
    }
}
