package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.Name;
import java.time.Instant;

/**
 * An API key as the api shows it: never the key itself, which exists only in the create response.
 *
 * @param prefix the key's public start ({@code ck_sk_4fQx9TzL2mWb}), to tell keys apart
 * @param programId the program a secret or publishable key works in (optional for partner keys)
 * @param partnerId the partner a partner key belongs to
 * @param lastUsedAt approximate: uses are written in batches (see {@link KeyUsage})
 */
public record ApiKey(
        ApiKeyId id,
        Principal.Kind kind,
        Name name,
        ProgramId programId,
        PartnerId partnerId,
        String prefix,
        Instant createdAt,
        Instant lastUsedAt,
        Instant revokedAt) {
    public ApiKey {
        requireNonNull(id, "id is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    ApiKey withLastUsedAt(Instant instant) {
        return new ApiKey(id, kind, name, programId, partnerId, prefix, createdAt, instant, revokedAt);
    }

    ApiKey withRevokedAt(Instant instant) {
        return new ApiKey(id, kind, name, programId, partnerId, prefix, createdAt, lastUsedAt, instant);
    }
}
