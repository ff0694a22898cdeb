package clickledger.api.payout;

import static clickledger.db.jooq.Tables.PAYOUT_DETAILS;
import static java.util.Objects.requireNonNull;

import clickledger.api.partner.PartnerId;
import clickledger.api.secret.SecretBox;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * payout_details: where each partner is paid, sealed with SECRETS_ENCRYPTION_KEY under the
 * partner's id (a value copied to another partner's row does not open there). The partner's pages
 * read only the masked form; {@link #reveal} is for the payout exports (issue 16), and its result
 * is never logged.
 */
public final class PayoutDetailsRepository {
    public static final String PAYPAL = "paypal";
    public static final String WISE = "wise";

    private final DSLContext dsl;

    public PayoutDetailsRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** What the partner sees: the method and the masked value. */
    public record Masked(String method, String masked, Instant updatedAt) {}

    /** The details themselves: the PayPal address or the bank details text. */
    public record PayoutDetails(String method, String value, Instant updatedAt) {
        @Override
        public String toString() {
            return "PayoutDetails[method=" + method + ", value=<redacted>]";
        }
    }

    public void save(SecretBox secrets, PartnerId partnerId, String method, String value, Instant now) {
        byte[] sealed = secrets.seal(value, context(partnerId.value()));
        String masked = mask(method, value);
        dsl.insertInto(PAYOUT_DETAILS)
                .set(PAYOUT_DETAILS.PARTNER_ID, partnerId.value())
                .set(PAYOUT_DETAILS.METHOD, method)
                .set(PAYOUT_DETAILS.DETAILS_ENC, sealed)
                .set(PAYOUT_DETAILS.MASKED, masked)
                .set(PAYOUT_DETAILS.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .onConflict(PAYOUT_DETAILS.PARTNER_ID)
                .doUpdate()
                .set(PAYOUT_DETAILS.METHOD, method)
                .set(PAYOUT_DETAILS.DETAILS_ENC, sealed)
                .set(PAYOUT_DETAILS.MASKED, masked)
                .set(PAYOUT_DETAILS.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .execute();
    }

    public Optional<Masked> masked(PartnerId partnerId) {
        return dsl.select(PAYOUT_DETAILS.METHOD, PAYOUT_DETAILS.MASKED, PAYOUT_DETAILS.UPDATED_AT)
                .from(PAYOUT_DETAILS)
                .where(PAYOUT_DETAILS.PARTNER_ID.eq(partnerId.value()))
                .fetchOptional(row ->
                        new Masked(row.value1(), row.value2(), row.value3().toInstant()));
    }

    /** The partner's details in the clear, for paying them (issue 16's exports); empty when unset. */
    public static Optional<PayoutDetails> reveal(DSLContext dsl, SecretBox secrets, UUID partnerId) {
        return dsl.select(PAYOUT_DETAILS.METHOD, PAYOUT_DETAILS.DETAILS_ENC, PAYOUT_DETAILS.UPDATED_AT)
                .from(PAYOUT_DETAILS)
                .where(PAYOUT_DETAILS.PARTNER_ID.eq(partnerId))
                .fetchOptional(row -> new PayoutDetails(
                        row.value1(),
                        secrets.open(row.value2(), context(partnerId)),
                        row.value3().toInstant()));
    }

    static String context(UUID partnerId) {
        return "payout_details:" + clickledger.common.id.Ulid.encode(partnerId);
    }

    /**
     * {@code a•••@example.com} for an address (the first character and the domain), {@code •••• 1234}
     * (the last four characters that are not spaces) for bank details of at least eight; else dots.
     */
    static String mask(String method, String value) {
        if (PAYPAL.equals(method)) {
            int at = value.indexOf('@');
            return value.charAt(0) + "•••" + value.substring(at);
        }
        String compact = value.replaceAll("\\s+", "");
        if (compact.length() < 8) {
            return "••••";
        }
        return "•••• " + compact.substring(compact.length() - 4);
    }
}
