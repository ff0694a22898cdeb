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
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerId;
import clickledger.api.partner.PartnerRepository;
import clickledger.api.partner.PartnerStatus;
import clickledger.api.value.Name;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
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

    /** An invitation as lists show it; partnerId only on a partner's. */
    public record Pending(
            String id,
            String email,
            @JsonInclude(JsonInclude.Include.NON_NULL) String partnerId,
            Instant expiresAt,
            Instant createdAt) {
        static Pending of(Invitation invitation) {
            return new Pending(
                    Ulid.encode(invitation.id()),
                    invitation.email(),
                    invitation.partnerId() == null
                            ? null
                            : invitation.partnerId().toString(),
                    invitation.expiresAt(),
                    invitation.createdAt());
        }
    }

    /** What the holder of a link may see before accepting: who it is for and until when. */
    public record Preview(String email, Instant expiresAt) {}

    public static final String INVALID = "invitation_invalid";
    private static final String LINK = "invitation link";

    /** The answer for a link that does not work, when the api cannot tell why. */
    public static ApiException invalid() {
        return LinkRefusal.UNKNOWN.problem(INVALID, LINK, null);
    }

    /**
     * Invites an email to be an admin and mails the link; an earlier pending admin invitation of
     * that email stops working, so only the newest link does. (Partners are invited through
     * {@code PartnerInvitations}, which calls {@link #issue} in its own transaction.)
     */
    public Created invite(String emailText, Principal actor) {
        Email email = new Email(emailText);
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            Created created = issue(tx, Role.ADMIN, null, email.value(), actor, now);
            mailer.adminInvitation(tx, created.email(), created.acceptUrl(), created.expiresAt());
            return created;
        });
    }

    /**
     * Makes an invitation in the caller's transaction: refused when the email already belongs to
     * someone who signs in; an earlier pending invitation of that email to that role is revoked.
     * The caller mails the link.
     *
     * @param partnerId the partner of a partner invitation; null for an admin one
     */
    public Created issue(DSLContext tx, Role role, PartnerId partnerId, String email, Principal actor, Instant now) {
        OpaqueToken.Issued issued = OpaqueToken.issue(OpaqueToken.INVITATION);
        String acceptUrl = mailer.links().invitation(role.wire(), issued.token());
        Invitation invitation = new Invitation(
                Ulid.newUuidV7(now.toEpochMilli()), role, partnerId, email, actor.actor(), now, now.plus(LIFETIME));
        new PersonRepository(tx).findByEmail(email).ifPresent(existing -> {
            throw existing.person().role() == role && role == Role.ADMIN
                    ? ApiException.conflict("already_admin", "email: " + email + " is an admin already")
                    : ApiException.conflict(
                            "email_taken", "email: " + email + " already belongs to someone who signs in");
        });
        InvitationRepository invitations = new InvitationRepository(tx);
        int replaced = invitations.revokePendingTo(email, role, now);
        invitations.insert(invitation, issued.hash());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", role.wire());
        details.put("email", email);
        details.put("replacedPending", replaced);
        if (partnerId != null) {
            details.put("partnerId", partnerId.toString());
        }
        new AuditRepository(tx)
                .append(new AuditEntry(
                        now, actor.actor(), "invitation.created", "invitation", Ulid.encode(invitation.id()), details));
        return new Created(
                Ulid.encode(invitation.id()), invitation.email(), invitation.expiresAt(), issued.token(), acceptUrl);
    }

    public Page<Pending> pending(Role role, PageRequest page) {
        return pending(role, null, page);
    }

    /** @param partnerId only this partner's invitations; null for every one of the role */
    public Page<Pending> pending(Role role, PartnerId partnerId, PageRequest page) {
        return new InvitationRepository(dsl)
                .pending(role, partnerId, now(), page)
                .map(Pending::of);
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
            if (invitation.role() == Role.PARTNER) {
                activate(tx, invitation.partnerId(), person, now);
            }
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

    /**
     * The invitation of a token while it can be accepted; else the 404 saying, when it can, whether
     * the link was used, withdrawn or has expired.
     */
    public Invitation find(Role role, String token) {
        if (!OpaqueToken.looksLike(OpaqueToken.INVITATION, token)) {
            throw invalid();
        }
        InvitationRepository.Found found = new InvitationRepository(dsl)
                .findByHash(ApiKeyFormat.hash(token))
                .filter(candidate -> candidate.invitation().role() == role)
                .orElseThrow(InvitationService::invalid);
        LinkRefusal refusal = LinkRefusal.of(
                found.acceptedAt(), found.revokedAt(), found.invitation().expiresAt(), clock.instant());
        if (refusal != null) {
            throw refusal.problem(INVALID, LINK, found.invitation().expiresAt());
        }
        return found.invitation();
    }

    // The partner an accepted invitation was for becomes active (it was invited); a partner an
    // admin revoked meanwhile lost its invitations then, so it cannot get here.
    private static void activate(DSLContext tx, PartnerId partnerId, Person person, Instant now) {
        PartnerRepository partners = new PartnerRepository(tx);
        Partner partner = partners.findForUpdate(partnerId).orElseThrow(InvitationService::invalid);
        if (partner.status() == PartnerStatus.REVOKED) {
            throw invalid();
        }
        if (partner.status() == PartnerStatus.INVITED) {
            partners.update(partner.withStatus(PartnerStatus.ACTIVE), now);
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "partner.status_changed",
                            "partner",
                            partnerId.toString(),
                            Map.of("previousStatus", "invited", "status", "active")));
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
