package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.OpaqueToken;
import clickledger.api.auth.Sessions;
import clickledger.api.mail.Mailer;
import clickledger.api.partner.PartnerRepository;
import clickledger.api.partner.PartnerStatus;
import clickledger.common.id.Ulid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Password reset by mail, for admins and partner people alike. Asking for one answers the same
 * whether or not the email has an account (the route says 202 either way); only an existing
 * person gets the mail, with a link that works once, for {@link #LIFETIME}, and only the newest
 * link of a person works. Using it sets the password, ends every session of the person (whoever
 * had the old password is out) and signs them in.
 */
public final class PasswordResetService {
    public static final Duration LIFETIME = Duration.ofHours(1);
    public static final String INVALID = "reset_invalid";
    private static final String LINK = "password reset link";

    private final DSLContext dsl;
    private final Clock clock;
    private final PasswordHasher passwords;
    private final Sessions sessions;
    private final Mailer mailer;

    public PasswordResetService(
            DSLContext dsl, Clock clock, PasswordHasher passwords, Sessions sessions, Mailer mailer) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.passwords = requireNonNull(passwords, "passwords is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.mailer = requireNonNull(mailer, "mailer is null");
    }

    /** What the holder of a link may see before using it. */
    public record Preview(String email, Instant expiresAt) {}

    /**
     * Mails a reset link when a person (not removed, and not of a revoked partner) has this email;
     * does nothing otherwise. The caller answers the same in both cases.
     */
    public void request(String email) {
        Optional<PersonRepository.Stored> found = new PersonRepository(dsl).findByEmail(email);
        if (found.isEmpty() || revokedPartner(found.get().person())) {
            return;
        }
        Person person = found.get().person();
        Instant now = now();
        OpaqueToken.Issued issued = OpaqueToken.issue(OpaqueToken.PASSWORD_RESET);
        Instant expiresAt = now.plus(LIFETIME);
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            PersonTokenRepository tokens = new PersonTokenRepository(tx);
            int replaced = tokens.revokeLive(person.id(), PersonTokenRepository.PASSWORD_RESET, now);
            tokens.insert(
                    Ulid.newUuidV7(now.toEpochMilli()),
                    PersonTokenRepository.PASSWORD_RESET,
                    person.id(),
                    issued.hash(),
                    null,
                    now,
                    expiresAt);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "person.password_reset_requested",
                            "person",
                            Ulid.encode(person.id()),
                            Map.of("replacedPending", replaced)));
            mailer.passwordReset(
                    tx,
                    person.email(),
                    person.name(),
                    person.role(),
                    mailer.links().passwordReset(issued.token()),
                    expiresAt);
        });
    }

    public Preview preview(String token) {
        PersonTokenRepository.Stored link = live(token);
        Person person = new PersonRepository(dsl)
                .find(link.personId())
                .map(PersonRepository.Stored::person)
                .orElseThrow(() -> LinkRefusal.UNKNOWN.problem(INVALID, LINK, null));
        return new Preview(person.email(), link.expiresAt());
    }

    /**
     * Sets the new password, uses the link up, ends every session of the person and starts a new
     * one, in one transaction: of two uses of one link, one works and the other gets 404.
     */
    public Sessions.Started confirm(String token, String password, String userAgent) {
        PersonTokenRepository.Stored link = live(token);
        PersonRepository.Stored stored = new PersonRepository(dsl)
                .find(link.personId())
                .filter(found -> !revokedPartner(found.person()))
                .orElseThrow(() -> LinkRefusal.UNKNOWN.problem(INVALID, LINK, null));
        Person person = stored.person();
        PasswordPolicy.check("password", password, person.email());
        String hash = passwords.hash(password);
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            if (!new PersonTokenRepository(tx).use(link.id(), now)) {
                throw LinkRefusal.USED.problem(INVALID, LINK, null);
            }
            PersonRepository people = new PersonRepository(tx);
            people.setPasswordHash(person.id(), hash, now);
            int ended = sessions.endAllOf(tx, person.id(), null, Sessions.EndReason.PASSWORD_RESET, now);
            people.recordLogin(person.id(), now);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "person.password_reset",
                            "person",
                            Ulid.encode(person.id()),
                            Map.of("sessionsEnded", ended)));
            return sessions.start(tx, person.id(), userAgent, now);
        });
    }

    private PersonTokenRepository.Stored live(String token) {
        return new PersonTokenRepository(dsl)
                .live(
                        PersonTokenRepository.PASSWORD_RESET,
                        OpaqueToken.PASSWORD_RESET,
                        token,
                        clock.instant(),
                        INVALID,
                        LINK);
    }

    private boolean revokedPartner(Person person) {
        return person.partnerId() != null
                && new PartnerRepository(dsl)
                        .find(person.partnerId())
                        .map(partner -> partner.status() == PartnerStatus.REVOKED)
                        .orElse(true);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
