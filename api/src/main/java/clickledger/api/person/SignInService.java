package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Sessions;
import clickledger.api.auth.SignedIn;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Signing in and out, and changing one's own password. An unknown email and a wrong password get
 * the same 401 after the same work (a dummy hash is verified for an unknown email), so neither the
 * answer nor its time tells whether someone has an account.
 */
public final class SignInService {
    private final DSLContext dsl;
    private final Clock clock;
    private final PasswordHasher passwords;
    private final Sessions sessions;

    public SignInService(DSLContext dsl, Clock clock, PasswordHasher passwords, Sessions sessions) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.passwords = requireNonNull(passwords, "passwords is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
    }

    public static ApiException invalidCredentials() {
        return new ApiException(401, "invalid_credentials", "Unauthorized", "email or password is wrong", List.of());
    }

    /** A new session for the person with this email and password; else the one 401. */
    public Sessions.Started signIn(String email, String password, String userAgent) {
        Optional<PersonRepository.Stored> found = new PersonRepository(dsl).findByEmail(email);
        if (found.isEmpty()) {
            passwords.verifyDummy(password);
            throw invalidCredentials();
        }
        PersonRepository.Stored stored = found.get();
        if (!passwords.verify(password, stored.passwordHash())) {
            throw invalidCredentials();
        }
        Person signingIn = stored.person();
        // Told only to someone who knows the password: the partner was revoked, so its people no
        // longer sign in (the session would not be live anyway).
        if (signingIn.partnerId() != null
                && new clickledger.api.partner.PartnerRepository(dsl)
                        .find(signingIn.partnerId())
                        .map(partner -> partner.status() == clickledger.api.partner.PartnerStatus.REVOKED)
                        .orElse(true)) {
            throw new ApiException(
                    403,
                    "partner_revoked",
                    "Forbidden",
                    "this partner account was revoked; ask the program's admins",
                    List.of());
        }
        // Hashed outside the transaction: tens of milliseconds that need no connection.
        String rehash = passwords.needsRehash(stored.passwordHash()) ? passwords.hash(password) : null;
        Person person = stored.person();
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            PersonRepository people = new PersonRepository(tx);
            people.recordLogin(person.id(), now);
            if (rehash != null) {
                people.setPasswordHash(person.id(), rehash, now);
            }
            Sessions.Started started = sessions.start(tx, person.id(), userAgent, now);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "person.signed_in",
                            "person",
                            clickledger.common.id.Ulid.encode(person.id()),
                            Map.of("role", person.role().wire())));
            return started;
        });
    }

    /** Ends the caller's own session: its token stops working on every replica at once. */
    public void signOut(SignedIn person) {
        Instant now = now();
        dsl.transaction(trx -> {
            if (sessions.end(trx.dsl(), person.sessionId(), Sessions.EndReason.SIGNED_OUT, now)) {
                new AuditRepository(trx.dsl())
                        .append(new AuditEntry(
                                now,
                                person.actor(),
                                "person.signed_out",
                                "person",
                                clickledger.common.id.Ulid.encode(person.personId()),
                                Map.of()));
            }
        });
    }

    /**
     * Sets a new password after checking the current one, and ends every other session of the
     * person (a password is changed because it may have leaked; sessions it opened go with it).
     *
     * @return how many other sessions ended
     */
    public int changePassword(SignedIn person, String currentPassword, String newPassword) {
        PersonRepository.Stored stored = new PersonRepository(dsl)
                .find(person.personId())
                .orElseThrow(() -> new ApiException(404, "no_session", "Not found", "the person is gone", List.of()));
        if (currentPassword == null || currentPassword.isEmpty()) {
            throw ApiException.badRequest("currentPassword", "is required");
        }
        if (currentPassword.length() > PasswordPolicy.MAX_LENGTH * 2
                || !passwords.verify(currentPassword, stored.passwordHash())) {
            throw ApiException.badRequest("currentPassword", "is not the current password");
        }
        PasswordPolicy.check("newPassword", newPassword, stored.person().email());
        if (newPassword.equals(currentPassword)) {
            throw ApiException.badRequest("newPassword", "must differ from the current password");
        }
        String hash = passwords.hash(newPassword);
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            new PersonRepository(tx).setPasswordHash(person.personId(), hash, now);
            int ended = sessions.endAllOf(
                    tx, person.personId(), person.sessionId(), Sessions.EndReason.PASSWORD_CHANGED, now);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "person.password_changed",
                            "person",
                            clickledger.common.id.Ulid.encode(person.personId()),
                            Map.of("otherSessionsEnded", ended)));
            return ended;
        });
    }

    // The database keeps microseconds and ids keep milliseconds: truncate once so the value a
    // create returns is the value every later read returns.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
