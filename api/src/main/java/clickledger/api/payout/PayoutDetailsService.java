package clickledger.api.payout;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.mail.Mailer;
import clickledger.api.partner.Email;
import clickledger.api.partner.PartnerId;
import clickledger.api.secret.SecretBox;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jooq.DSLContext;

/**
 * A partner's payout details: a PayPal address, or bank details as free text for Wise. Stored
 * encrypted, shown masked; every change is audited and mailed to the partner, because changing
 * where money goes is what someone with a stolen key or session would do first.
 */
public final class PayoutDetailsService {
    public static final int MAX_BANK_DETAILS = 2_000;

    private final DSLContext dsl;
    private final Clock clock;
    private final SecretBox secrets;
    private final Mailer mailer;

    public PayoutDetailsService(DSLContext dsl, Clock clock, SecretBox secrets, Mailer mailer) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.mailer = requireNonNull(mailer, "mailer is null");
    }

    /** The body of {@code PUT /v1/me/payout-details}. */
    public record Change(String method, String paypalEmail, String bankDetails) {
        @Override
        public String toString() {
            return "Change[method=" + method + ", <redacted>]";
        }
    }

    /** {@code {method, masked, updatedAt}}, all null before any are set. */
    public Map<String, Object> view(PartnerId partnerId) {
        Map<String, Object> view = new LinkedHashMap<>();
        var masked = new PayoutDetailsRepository(dsl).masked(partnerId);
        view.put("method", masked.map(PayoutDetailsRepository.Masked::method).orElse(null));
        view.put("masked", masked.map(PayoutDetailsRepository.Masked::masked).orElse(null));
        view.put(
                "updatedAt",
                masked.map(PayoutDetailsRepository.Masked::updatedAt).orElse(null));
        return view;
    }

    public Map<String, Object> change(PartnerId partnerId, Change change, Principal actor) {
        FieldErrors errors = new FieldErrors();
        String method = change.method();
        String value = null;
        if (PayoutDetailsRepository.PAYPAL.equals(method)) {
            value = errors.check(() -> {
                try {
                    return new Email(change.paypalEmail()).value();
                } catch (ApiException e) {
                    throw ApiException.badRequest("paypalEmail", "must be the email address of a PayPal account");
                }
            });
            if (change.bankDetails() != null) {
                errors.add("bankDetails", "must be left out with method paypal");
            }
        } else if (PayoutDetailsRepository.WISE.equals(method)) {
            String text =
                    change.bankDetails() == null ? "" : change.bankDetails().strip();
            if (text.isEmpty()) {
                errors.add("bankDetails", "is required with method wise: account holder, IBAN or account number, bank");
            } else if (text.length() > MAX_BANK_DETAILS) {
                errors.add("bankDetails", "must be at most " + MAX_BANK_DETAILS + " characters");
            } else {
                value = text;
            }
            if (change.paypalEmail() != null) {
                errors.add("paypalEmail", "must be left out with method wise");
            }
        } else {
            errors.add("method", "must be paypal or wise");
        }
        errors.throwIfAny();
        String details = value;
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            new PayoutDetailsRepository(tx).save(secrets, partnerId, method, details, now);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "partner.payout_details_changed",
                            "partner",
                            partnerId.toString(),
                            Map.of("method", method)));
            mailer.payoutDetailsChanged(tx, partnerId.value(), method);
        });
        return view(partnerId);
    }
}
