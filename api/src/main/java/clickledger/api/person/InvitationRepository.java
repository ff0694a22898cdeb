package clickledger.api.person;

import static clickledger.db.jooq.Tables.INVITATION;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Role;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.partner.PartnerId;
import clickledger.common.id.Ulid;
import clickledger.db.jooq.tables.records.InvitationRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** invitation rows: the SHA-256 of each token, never the token. */
public final class InvitationRepository {
    private final DSLContext dsl;

    public InvitationRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    public void insert(Invitation invitation, byte[] tokenHash) {
        dsl.insertInto(INVITATION)
                .set(INVITATION.ID, invitation.id())
                .set(INVITATION.ROLE, invitation.role().wire())
                .set(
                        INVITATION.PARTNER_ID,
                        invitation.partnerId() == null
                                ? null
                                : invitation.partnerId().value())
                .set(INVITATION.EMAIL, invitation.email())
                .set(INVITATION.TOKEN_HASH, tokenHash)
                .set(INVITATION.INVITED_BY, invitation.invitedBy())
                .set(INVITATION.CREATED_AT, offset(invitation.createdAt()))
                .set(INVITATION.EXPIRES_AT, offset(invitation.expiresAt()))
                .execute();
    }

    /** The invitation of a token when it can still be accepted: not used, not revoked, not expired. */
    public Optional<Invitation> findPending(byte[] tokenHash, Instant now) {
        return dsl.selectFrom(INVITATION)
                .where(INVITATION.TOKEN_HASH.eq(tokenHash))
                .and(pending(now))
                .fetchOptional()
                .map(InvitationRepository::toInvitation);
    }

    /** An invitation whatever its state, with what happened to it. */
    public record Found(Invitation invitation, Instant acceptedAt, Instant revokedAt) {}

    /** By the unique invitation_token_hash_key. */
    public Optional<Found> findByHash(byte[] tokenHash) {
        return dsl.selectFrom(INVITATION)
                .where(INVITATION.TOKEN_HASH.eq(tokenHash))
                .fetchOptional()
                .map(row -> new Found(
                        toInvitation(row),
                        row.getAcceptedAt() == null ? null : row.getAcceptedAt().toInstant(),
                        row.getRevokedAt() == null ? null : row.getRevokedAt().toInstant()));
    }

    /**
     * Invitations of a role that can still be accepted, newest first.
     *
     * @param partnerId only this partner's; null for all
     */
    public Page<Invitation> pending(Role role, PartnerId partnerId, Instant now, PageRequest page) {
        return Page.of(
                dsl.selectFrom(INVITATION)
                        .where(INVITATION.ROLE.eq(role.wire()))
                        .and(partnerId == null ? DSL.noCondition() : INVITATION.PARTNER_ID.eq(partnerId.value()))
                        .and(pending(now))
                        .and(page.after(INVITATION.ID))
                        .orderBy(INVITATION.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(InvitationRepository::toInvitation),
                page,
                invitation -> Ulid.encode(invitation.id()));
    }

    /**
     * Marks a pending invitation used, atomically: of two accepts of one token, one changes the row.
     *
     * @return false when it was used, revoked or expired meanwhile
     */
    public boolean markAccepted(UUID id, Instant now) {
        return dsl.update(INVITATION)
                        .set(INVITATION.ACCEPTED_AT, offset(now))
                        .where(INVITATION.ID.eq(id))
                        .and(pending(now))
                        .execute()
                == 1;
    }

    /** Records who an accepted invitation made, once that person exists. */
    public void linkPerson(UUID id, UUID personId) {
        dsl.update(INVITATION)
                .set(INVITATION.PERSON_ID, personId)
                .where(INVITATION.ID.eq(id))
                .execute();
    }

    /** Revokes one pending invitation of a role; false when there is none to revoke. */
    public boolean revoke(UUID id, Role role, Instant now) {
        return dsl.update(INVITATION)
                        .set(INVITATION.REVOKED_AT, offset(now))
                        .where(INVITATION.ID.eq(id))
                        .and(INVITATION.ROLE.eq(role.wire()))
                        .and(pending(now))
                        .execute()
                == 1;
    }

    /** Revokes every pending invitation of a partner (it was revoked); returns how many. */
    public int revokePendingOfPartner(PartnerId partnerId, Instant now) {
        return dsl.update(INVITATION)
                .set(INVITATION.REVOKED_AT, offset(now))
                .where(INVITATION.PARTNER_ID.eq(partnerId.value()))
                .and(pending(now))
                .execute();
    }

    /** Revokes the pending invitations of a role to an email, so only the newest link works. */
    public int revokePendingTo(String email, Role role, Instant now) {
        return dsl.update(INVITATION)
                .set(INVITATION.REVOKED_AT, offset(now))
                .where(DSL.lower(INVITATION.EMAIL).eq(email.toLowerCase(Locale.ROOT)))
                .and(INVITATION.ROLE.eq(role.wire()))
                .and(pending(now))
                .execute();
    }

    private static Condition pending(Instant now) {
        return INVITATION
                .ACCEPTED_AT
                .isNull()
                .and(INVITATION.REVOKED_AT.isNull())
                .and(INVITATION.EXPIRES_AT.gt(offset(now)));
    }

    private static Invitation toInvitation(InvitationRecord row) {
        return new Invitation(
                row.getId(),
                Role.fromWire("role", row.getRole()),
                row.getPartnerId() == null ? null : new PartnerId(row.getPartnerId()),
                row.getEmail(),
                row.getInvitedBy(),
                row.getCreatedAt().toInstant(),
                row.getExpiresAt().toInstant());
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
