package clickledger.api.auth;

import static clickledger.db.jooq.Tables.API_KEY;
import static java.util.Objects.requireNonNull;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.Name;
import clickledger.db.jooq.tables.records.ApiKeyRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** api_key rows: the prefix and the SHA-256 of each key, never the key. */
public final class ApiKeyRepository {
    private final DSLContext dsl;

    public ApiKeyRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** A key with its stored hash, for the authenticator only. */
    record Stored(ApiKey key, byte[] hash) {}

    /** False when the prefix is taken (a 1 in 2^71 chance): ON CONFLICT keeps the transaction usable. */
    public boolean insert(ApiKey key, byte[] hash) {
        return dsl.insertInto(API_KEY)
                        .set(API_KEY.ID, key.id().value())
                        .set(API_KEY.KIND, key.kind().wire())
                        .set(API_KEY.PREFIX, key.prefix())
                        .set(API_KEY.HASH, hash)
                        .set(API_KEY.NAME, key.name().value())
                        .set(
                                API_KEY.PROGRAM_ID,
                                key.programId() == null ? null : key.programId().value())
                        .set(
                                API_KEY.PARTNER_ID,
                                key.partnerId() == null ? null : key.partnerId().value())
                        .set(API_KEY.CREATED_AT, offset(key.createdAt()))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    public Optional<ApiKey> find(ApiKeyId id) {
        return dsl.selectFrom(API_KEY)
                .where(API_KEY.ID.eq(id.value()))
                .fetchOptional()
                .map(ApiKeyRepository::toApiKey);
    }

    /** Locks the row until the transaction ends, so two revokes write one audit entry. */
    public Optional<ApiKey> findForUpdate(ApiKeyId id) {
        return dsl.selectFrom(API_KEY)
                .where(API_KEY.ID.eq(id.value()))
                .forUpdate()
                .fetchOptional()
                .map(ApiKeyRepository::toApiKey);
    }

    /** By the unique prefix index: one probe per authentication. */
    Optional<Stored> findByPrefix(String prefix) {
        return dsl.selectFrom(API_KEY)
                .where(API_KEY.PREFIX.eq(prefix))
                .fetchOptional()
                .map(row -> new Stored(toApiKey(row), row.getHash()));
    }

    /**
     * Newest first. api_key holds a few rows per program, so the filters need no index of their own.
     *
     * @param kind null for every kind
     * @param programId null for every program
     * @param partnerId null for every partner
     */
    public Page<ApiKey> list(Principal.Kind kind, ProgramId programId, PartnerId partnerId, PageRequest page) {
        return Page.of(
                dsl.selectFrom(API_KEY)
                        .where(page.after(API_KEY.ID))
                        .and(kind == null ? DSL.noCondition() : API_KEY.KIND.eq(kind.wire()))
                        .and(programId == null ? DSL.noCondition() : API_KEY.PROGRAM_ID.eq(programId.value()))
                        .and(partnerId == null ? DSL.noCondition() : API_KEY.PARTNER_ID.eq(partnerId.value()))
                        .orderBy(API_KEY.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(ApiKeyRepository::toApiKey),
                page,
                key -> key.id().toString());
    }

    /** Revokes every live key of a partner (it was revoked); returns their prefixes. */
    public List<String> revokeAllOfPartner(PartnerId partnerId, Instant revokedAt) {
        return dsl.update(API_KEY)
                .set(API_KEY.REVOKED_AT, offset(revokedAt))
                .where(API_KEY.PARTNER_ID.eq(partnerId.value()))
                .and(API_KEY.REVOKED_AT.isNull())
                .returning(API_KEY.PREFIX)
                .fetch(API_KEY.PREFIX);
    }

    public void revoke(ApiKeyId id, Instant revokedAt) {
        dsl.update(API_KEY)
                .set(API_KEY.REVOKED_AT, offset(revokedAt))
                .where(API_KEY.ID.eq(id.value()))
                .and(API_KEY.REVOKED_AT.isNull())
                .execute();
    }

    /**
     * Writes many keys' last use in one statement. A row only moves forward in time, so a replica
     * flushing older uses after another replica's newer ones changes nothing.
     *
     * @return the rows changed
     */
    int recordLastUse(Map<UUID, Instant> lastUses) {
        if (lastUses.isEmpty()) {
            return 0;
        }
        UUID[] ids = new UUID[lastUses.size()];
        OffsetDateTime[] times = new OffsetDateTime[lastUses.size()];
        int i = 0;
        for (Map.Entry<UUID, Instant> use : lastUses.entrySet()) {
            ids[i] = use.getKey();
            times[i] = offset(use.getValue());
            i++;
        }
        return dsl.execute(
                """
                update api_key set last_used_at = used.at
                from unnest({0}, {1}) as used(id, at)
                where api_key.id = used.id and (api_key.last_used_at is null or api_key.last_used_at < used.at)""",
                DSL.val(ids, SQLDataType.UUID.array()), DSL.val(times, SQLDataType.TIMESTAMPWITHTIMEZONE.array()));
    }

    static ApiKey toApiKey(ApiKeyRecord row) {
        return new ApiKey(
                new ApiKeyId(row.getId()),
                Principal.Kind.fromWire("kind", row.getKind()),
                new Name(row.getName()),
                row.getProgramId() == null ? null : new ProgramId(row.getProgramId()),
                row.getPartnerId() == null ? null : new PartnerId(row.getPartnerId()),
                row.getPrefix(),
                row.getCreatedAt().toInstant(),
                instant(row.getLastUsedAt()),
                instant(row.getRevokedAt()));
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
