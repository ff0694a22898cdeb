package clickledger.api.person;

import static clickledger.db.jooq.Tables.PERSON_TOKEN;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.ApiKeyFormat;
import clickledger.api.auth.OpaqueToken;
import clickledger.db.jooq.tables.records.PersonTokenRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/** person_token rows: the SHA-256 of each password-reset and email-change token, never the token. */
public final class PersonTokenRepository {
    public static final String PASSWORD_RESET = "password_reset";
    public static final String EMAIL_CHANGE = "email_change";

    private final DSLContext dsl;

    public PersonTokenRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** A stored link, whatever its state. */
    public record Stored(
            UUID id,
            String purpose,
            UUID personId,
            String newEmail,
            Instant expiresAt,
            Instant usedAt,
            Instant revokedAt) {
        public LinkRefusal refusal(Instant now) {
            return LinkRefusal.of(usedAt, revokedAt, expiresAt, now);
        }
    }

    public void insert(
            UUID id, String purpose, UUID personId, byte[] tokenHash, String newEmail, Instant now, Instant expiresAt) {
        dsl.insertInto(PERSON_TOKEN)
                .set(PERSON_TOKEN.ID, id)
                .set(PERSON_TOKEN.PURPOSE, purpose)
                .set(PERSON_TOKEN.PERSON_ID, personId)
                .set(PERSON_TOKEN.TOKEN_HASH, tokenHash)
                .set(PERSON_TOKEN.NEW_EMAIL, newEmail)
                .set(PERSON_TOKEN.CREATED_AT, offset(now))
                .set(PERSON_TOKEN.EXPIRES_AT, offset(expiresAt))
                .execute();
    }

    /** By the unique person_token_hash_key. */
    public Optional<Stored> find(String purpose, byte[] tokenHash) {
        return dsl.selectFrom(PERSON_TOKEN)
                .where(PERSON_TOKEN.TOKEN_HASH.eq(tokenHash))
                .and(PERSON_TOKEN.PURPOSE.eq(purpose))
                .fetchOptional()
                .map(PersonTokenRepository::toStored);
    }

    /**
     * The stored link of a token while it still works; else the kind's one 404, saying when it can
     * whether the link is unknown, used, withdrawn or expired.
     *
     * @param code the kind's problem code ({@code reset_invalid})
     * @param link what the detail calls the link ("password reset link")
     */
    public Stored live(String purpose, String tokenPrefix, String token, Instant now, String code, String link) {
        if (!OpaqueToken.looksLike(tokenPrefix, token)) {
            throw LinkRefusal.UNKNOWN.problem(code, link, null);
        }
        Stored stored = find(purpose, ApiKeyFormat.hash(token))
                .orElseThrow(() -> LinkRefusal.UNKNOWN.problem(code, link, null));
        LinkRefusal refusal = stored.refusal(now);
        if (refusal != null) {
            throw refusal.problem(code, link, stored.expiresAt());
        }
        return stored;
    }

    /**
     * Uses a live link, atomically: of two uses of one token, one changes the row.
     *
     * @return false when it was used, withdrawn or expired meanwhile
     */
    public boolean use(UUID id, Instant now) {
        return dsl.update(PERSON_TOKEN)
                        .set(PERSON_TOKEN.USED_AT, offset(now))
                        .where(PERSON_TOKEN.ID.eq(id))
                        .and(PERSON_TOKEN.USED_AT.isNull())
                        .and(PERSON_TOKEN.REVOKED_AT.isNull())
                        .and(PERSON_TOKEN.EXPIRES_AT.gt(offset(now)))
                        .execute()
                == 1;
    }

    /** Retires the person's live links of a purpose, so only the newest works (person_token_live_idx). */
    public int revokeLive(UUID personId, String purpose, Instant now) {
        return dsl.update(PERSON_TOKEN)
                .set(PERSON_TOKEN.REVOKED_AT, offset(now))
                .where(PERSON_TOKEN.PERSON_ID.eq(personId))
                .and(PERSON_TOKEN.PURPOSE.eq(purpose))
                .and(PERSON_TOKEN.USED_AT.isNull())
                .and(PERSON_TOKEN.REVOKED_AT.isNull())
                .execute();
    }

    /** The newest live email change of a person: the address waiting for its confirmation. */
    public Optional<Stored> pendingEmailChange(UUID personId, Instant now) {
        return dsl.selectFrom(PERSON_TOKEN)
                .where(PERSON_TOKEN.PERSON_ID.eq(personId))
                .and(PERSON_TOKEN.PURPOSE.eq(EMAIL_CHANGE))
                .and(PERSON_TOKEN.USED_AT.isNull())
                .and(PERSON_TOKEN.REVOKED_AT.isNull())
                .and(PERSON_TOKEN.EXPIRES_AT.gt(offset(now)))
                .orderBy(PERSON_TOKEN.ID.desc())
                .limit(1)
                .fetchOptional()
                .map(PersonTokenRepository::toStored);
    }

    private static Stored toStored(PersonTokenRecord row) {
        return new Stored(
                row.getId(),
                row.getPurpose(),
                row.getPersonId(),
                row.getNewEmail(),
                row.getExpiresAt().toInstant(),
                instant(row.getUsedAt()),
                instant(row.getRevokedAt()));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
