package clickledger.api.person;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.ApiKeyFormat;
import clickledger.api.auth.OpaqueToken;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Role;
import clickledger.api.auth.Sessions;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.mail.Mailer;
import clickledger.api.partner.Email;
import clickledger.api.partner.PartnerId;
import clickledger.api.value.Name;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Invitations, whatever the role: made by an admin with a one-time link, valid for {@link
 * #LIFETIME}, used once. Admin invitations now; issue 15 invites a partner's people through the
 * same methods with {@link Role#PARTNER} and the partner's id.
 *
 * <p>The link carries the token; the api keeps its SHA-256 only. Looking one up answers the same
 * 404 {@code invitation_invalid} for an unknown, used, revoked or expired token, so a guessed
 * token learns nothing.
 */
public final class InvitationService {
    public static final Duration LIFETIME = Duration.ofDays(7);

    private final DSLContext dsl;
    private final Clock clock;
    private final PasswordHasher passwords;
    private final Sessions sessions;
    private final Mailer mailer;

    /** @param mailer queues the invitation's mail; its links point at PORTAL_URL */
    public InvitationService(DSLContext dsl, Clock clock, PasswordHasher passwords, Sessions sessions, Mailer mailer) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.passwords = requireNonNull(passwords, "passwords is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.mailer = requireNonNull(mailer, "mailer is null");
    }

    /** An invitation just made: the only answer with its token and link. */
    public record Created(String id, String email, Instant expiresAt, String token, String acceptUrl) {
        @Override
        public String toString() {
            return "Created[id=" + id + ", email=" + email + ", token=<redacted>]";
        }
    }

    /** An invitation as lists show it. */
    public record Pending(String id, String email, Instant expiresAt, Instant createdAt) {
        static Pending of(Invitation invitation) {
            return new Pending(
                    Ulid.encode(invitation.id()), invitation.email(), invitation.expiresAt(), invitation.createdAt());
        }
    }

    /** What the holder of a link may see before accepting: who it is for and until when. */
    public record Preview(String email, Instant expiresAt) {}

    public static ApiException invalid() {
        return new ApiException(
                404,
                "invitation_invalid",
                "Not found",
                "this invitation link is unknown, used, revoked or expired; ask an admin for a new one",
                List.of());
    }

    /**
     * Invites an email to a role; an earlier pending invitation of that email to that role stops
     * working, so only the newest link does.
     *
     * @param partnerId the partner of a partner invitation; null for an admin one
     */
    public Created invite(Role role, PartnerId partnerId, String emailText, Principal actor) {
        Email email = new Email(emailText);
        Instant now = now();
        OpaqueToken.Issued issued = OpaqueToken.issue(OpaqueToken.INVITATION);
        String acceptUrl = mailer.links().invitation(role.wire(), issued.token());
        Invitation invitation = new Invitation(
                Ulid.newUuidV7(now.toEpochMilli()),
                role,
                partnerId,
                email.value(),
                actor.actor(),
                now,
                now.plus(LIFETIME));
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            new PersonRepository(tx).findByEmail(email.value()).ifPresent(existing -> {
                throw existing.person().role() == role && role == Role.ADMIN
                        ? ApiException.conflict("already_admin", "email: " + email + " is an admin already")
                        : ApiException.conflict(
                                "email_taken", "email: " + email + " already belongs to someone who signs in");
            });
            InvitationRepository invitations = new InvitationRepository(tx);
            int replaced = invitations.revokePendingTo(email.value(), role, now);
            invitations.insert(invitation, issued.hash());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("role", role.wire());
            details.put("email", email.value());
            details.put("replacedPending", replaced);
            if (partnerId != null) {
                details.put("partnerId", partnerId.toString());
            }
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "invitation.created",
                            "invitation",
                            Ulid.encode(invitation.id()),
                            details));
            if (role == Role.ADMIN) {
                mailer.adminInvitation(tx, invitation.email(), acceptUrl, invitation.expiresAt());
            }
        });
        return new Created(
                Ulid.encode(invitation.id()), invitation.email(), invitation.expiresAt(), issued.token(), acceptUrl);
    }

    public Page<Pending> pending(Role role, PageRequest page) {
        return new InvitationRepository(dsl).pending(role, now(), page).map(Pending::of);
    }

    /** Withdraws a pending invitation; 404 when there is none of that role to withdraw. */
    public void revoke(Role role, UUID id, Principal actor) {
        Instant now = now();
        dsl.transaction(trx -> {
            if (!new InvitationRepository(trx.dsl()).revoke(id, role, now)) {
                throw ApiException.notFound("invitation");
            }
            new AuditRepository(trx.dsl())
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "invitation.revoked",
                            "invitation",
                            Ulid.encode(id),
                            Map.of("role", role.wire())));
        });
    }

    public Preview preview(Role role, String token) {
        Invitation invitation = find(role, token);
        return new Preview(invitation.email(), invitation.expiresAt());
    }

    /**
     * Makes the invited person, signs them in, and uses the invitation up, in one transaction: of
     * two accepts of one link, one makes a person and the other gets 404.
     */
    public Sessions.Started accept(Role role, String token, String nameText, String password, String userAgent) {
        Invitation invitation = find(role, token);
        FieldErrors errors = new FieldErrors();
        Name name = errors.check(() -> new Name(nameText));
        errors.check(() -> PasswordPolicy.check("password", password, invitation.email()));
        errors.throwIfAny();
        String hash = passwords.hash(password);
        Instant now = now();
        Person person = new Person(
                Ulid.newUuidV7(now.toEpochMilli()),
                invitation.role(),
                invitation.partnerId(),
                invitation.email(),
                name.value(),
                now,
                now);
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            // The invitation row first: a second accept of the same link waits on its lock, then
            // finds it used and answers 404, rather than racing to insert the same email.
            InvitationRepository invitations = new InvitationRepository(tx);
            if (!invitations.markAccepted(invitation.id(), now)) {
                throw invalid();
            }
            PersonRepository people = new PersonRepository(tx);
            if (!people.insert(person, hash)) {
                throw ApiException.conflict(
                        "email_taken", "email: " + person.email() + " already belongs to someone who signs in");
            }
            invitations.linkPerson(invitation.id(), person.id());
            people.recordLogin(person.id(), now);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "invitation.accepted",
                            "invitation",
                            Ulid.encode(invitation.id()),
                            Map.of("role", role.wire(), "personId", Ulid.encode(person.id()))));
            return sessions.start(tx, person.id(), userAgent, now);
        });
    }

    private Invitation find(Role role, String token) {
        if (!OpaqueToken.looksLike(OpaqueToken.INVITATION, token)) {
            throw invalid();
        }
        return new InvitationRepository(dsl)
                .findPending(ApiKeyFormat.hash(token), now())
                .filter(invitation -> invitation.role() == role)
                .orElseThrow(InvitationService::invalid);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
