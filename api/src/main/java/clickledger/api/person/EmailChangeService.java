package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.OpaqueToken;
import clickledger.api.auth.SignedIn;
import clickledger.api.mail.Mailer;
import clickledger.api.partner.Email;
import clickledger.api.partner.PartnerRepository;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;

/**
 * Changing the email a person signs in with: asked for with the current password, it changes
 * nothing until the link mailed to the new address is opened (so a typo or a stolen session cannot
 * move the account to an address nobody controls or to an attacker's without the password). For a
 * partner person the partner's email follows, since mail to the partner goes there. The old
 * address is told once the change is made.
 */
public final class EmailChangeService {
    public static final Duration LIFETIME = Duration.ofHours(24);
    public static final String INVALID = "email_change_invalid";
    private static final String LINK = "email confirmation link";

    private final DSLContext dsl;
    private final Clock clock;
    private final PasswordHasher passwords;
    private final Mailer mailer;

    public EmailChangeService(DSLContext dsl, Clock clock, PasswordHasher passwords, Mailer mailer) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.passwords = requireNonNull(passwords, "passwords is null");
        this.mailer = requireNonNull(mailer, "mailer is null");
    }

    /** An address waiting for its confirmation. */
    public record Pending(String pendingEmail, Instant expiresAt) {}

    public static ApiException taken(String email) {
        return new ApiException(
                409,
                "email_taken",
                "Conflict",
                "email: " + email + " already belongs to another account",
                java.util.List.of(new ApiException.FieldError("email", "already belongs to another account")));
    }

    /** Mails a confirmation link to the new address; an earlier pending change stops working. */
    public Pending request(SignedIn signedIn, String emailText, String currentPassword) {
        Email email = new Email(emailText);
        PersonRepository.Stored stored = new PersonRepository(dsl)
                .find(signedIn.personId())
                .orElseThrow(() ->
                        new ApiException(404, "no_session", "Not found", "the person is gone", java.util.List.of()));
        if (currentPassword == null || currentPassword.isEmpty()) {
            throw ApiException.badRequest("currentPassword", "is required");
        }
        if (currentPassword.length() > PasswordPolicy.MAX_LENGTH * 2
                || !passwords.verify(currentPassword, stored.passwordHash())) {
            throw ApiException.badRequest("currentPassword", "is not the current password");
        }
        Person person = stored.person();
        if (email.value().equalsIgnoreCase(person.email())) {
            throw ApiException.badRequest("email", "is already the email of this account");
        }
        if (takenByAnother(dsl, person, email.value())) {
            throw taken(email.value());
        }
        Instant now = now();
        Instant expiresAt = now.plus(LIFETIME);
        OpaqueToken.Issued issued = OpaqueToken.issue(OpaqueToken.EMAIL_CHANGE);
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            PersonTokenRepository tokens = new PersonTokenRepository(tx);
            tokens.revokeLive(person.id(), PersonTokenRepository.EMAIL_CHANGE, now);
            tokens.insert(
                    Ulid.newUuidV7(now.toEpochMilli()),
                    PersonTokenRepository.EMAIL_CHANGE,
                    person.id(),
                    issued.hash(),
                    email.value(),
                    now,
                    expiresAt);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "person.email_change_requested",
                            "person",
                            Ulid.encode(person.id()),
                            Map.of()));
            mailer.emailChange(tx, email.value(), person.name(), mailer.links().emailChange(issued.token()), expiresAt);
        });
        return new Pending(email.value(), expiresAt);
    }

    public Optional<Pending> pending(UUID personId) {
        return new PersonTokenRepository(dsl)
                .pendingEmailChange(personId, clock.instant())
                .map(link -> new Pending(link.newEmail(), link.expiresAt()));
    }

    /**
     * Makes the change, in one transaction that uses the link up: the person's email and, for a
     * partner person, the partner's; then tells the old address.
     *
     * @return the new email
     */
    public String confirm(String token) {
        PersonTokenRepository.Stored link = live(token);
        Person person = new PersonRepository(dsl)
                .find(link.personId())
                .map(PersonRepository.Stored::person)
                .orElseThrow(() -> LinkRefusal.UNKNOWN.problem(INVALID, LINK, null));
        String newEmail = link.newEmail();
        Instant now = now();
        try {
            dsl.transaction(trx -> {
                DSLContext tx = trx.dsl();
                if (!new PersonTokenRepository(tx).use(link.id(), now)) {
                    throw LinkRefusal.USED.problem(INVALID, LINK, null);
                }
                if (takenByAnother(tx, person, newEmail)) {
                    throw taken(newEmail);
                }
                new PersonRepository(tx).setEmail(person.id(), newEmail, now);
                if (person.partnerId() != null) {
                    new PartnerRepository(tx).setEmail(person.partnerId(), newEmail, now);
                }
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("partnerEmailChanged", person.partnerId() != null);
                new AuditRepository(tx)
                        .append(new AuditEntry(
                                now,
                                person.actor(),
                                "person.email_changed",
                                "person",
                                Ulid.encode(person.id()),
                                details));
                mailer.emailChanged(tx, person.email(), person.name(), newEmail);
            });
        } catch (IntegrityConstraintViolationException e) {
            // Someone took the address between the check and the update: the unique indexes decided.
            throw taken(newEmail);
        }
        return newEmail;
    }

    /**
     * The new address a link would confirm, and until when, changing nothing: opening the mailed
     * link (or a mail scanner fetching it) must not make the change, so the portal shows this and
     * a button that confirms.
     */
    public Pending preview(String token) {
        PersonTokenRepository.Stored link = live(token);
        return new Pending(link.newEmail(), link.expiresAt());
    }

    private PersonTokenRepository.Stored live(String token) {
        return new PersonTokenRepository(dsl)
                .live(
                        PersonTokenRepository.EMAIL_CHANGE,
                        OpaqueToken.EMAIL_CHANGE,
                        token,
                        clock.instant(),
                        INVALID,
                        LINK);
    }

    /** Whether another person (not removed), or another partner, has this email, ignoring case. */
    static boolean takenByAnother(DSLContext context, Person person, String email) {
        boolean personTaken = new PersonRepository(context)
                .findByEmail(email)
                .filter(other -> !other.person().id().equals(person.id()))
                .isPresent();
        if (personTaken) {
            return true;
        }
        return new PartnerRepository(context)
                .findByEmail(email.toLowerCase(Locale.ROOT))
                .filter(partner -> !partner.id().equals(person.partnerId()))
                .isPresent();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
