package clickledger.api.payout;

import static clickledger.db.jooq.Tables.PAYOUT_DETAILS;
import static java.util.Objects.requireNonNull;

import clickledger.api.secret.SecretBox;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The partners' payout details as issue 15 stores them (payout_details, sealed under each
 * partner's id), opened for an export: one query per chunk of the file's partners, never one per
 * row. What it returns is never logged (PayoutDetails' values are the PayPal address or the bank
 * details).
 */
public final class SealedPayoutDetails implements PayoutDetailsLookup {
    private final DSLContext dsl;
    private final SecretBox secrets;

    public SealedPayoutDetails(DSLContext dsl, SecretBox secrets) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
    }

    @Override
    public Map<UUID, PayoutDetails> forPartners(Collection<UUID> partnerIds) {
        Map<UUID, PayoutDetails> found = new HashMap<>();
        if (partnerIds.isEmpty()) {
            return found;
        }
        dsl.select(PAYOUT_DETAILS.PARTNER_ID, PAYOUT_DETAILS.METHOD, PAYOUT_DETAILS.DETAILS_ENC)
                .from(PAYOUT_DETAILS)
                .where(PAYOUT_DETAILS.PARTNER_ID.in(partnerIds))
                .forEach(row -> {
                    UUID partnerId = row.value1();
                    String value = secrets.open(row.value3(), PayoutDetailsRepository.context(partnerId));
                    found.put(
                            partnerId,
                            PayoutDetails.PAYPAL.equals(row.value2())
                                    ? new PayoutDetails(PayoutDetails.PAYPAL, value, null)
                                    : new PayoutDetails(row.value2(), null, value));
                });
        return found;
    }
}
