package clickledger.api.auth;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerId;
import clickledger.api.partner.PartnerRepository;
import clickledger.api.partner.PartnerStatus;
import clickledger.api.program.ProgramId;
import clickledger.api.program.ProgramRepository;
import clickledger.web.ApiException;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * Issues and revokes API keys; each create and revoke is audited in the same transaction, with the
 * key's prefix and never the key.
 */
public final class ApiKeyService {
    // Two prefix collisions in a row (each about 1 in 2^71) mean a broken random source, not luck.
    static final int PREFIX_ATTEMPTS = 2;

    private final DSLContext dsl;
    private final Clock clock;
    private final ApiKeyFormat format;
    private final ApiKeyAuthenticator authenticator;
    private final KeyUsage usage;

    public ApiKeyService(
            DSLContext dsl, Clock clock, ApiKeyFormat format, ApiKeyAuthenticator authenticator, KeyUsage usage) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.format = requireNonNull(format, "format is null");
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
        this.usage = requireNonNull(usage, "usage is null");
    }

    /** A key just made: the only time its text leaves the api. */
    public record Created(String key, @JsonUnwrapped ApiKey apiKey) {
        @Override
        public String toString() {
            return "Created[key=<redacted>, apiKey=" + apiKey + "]";
        }
    }

    public Created create(ApiKeyCreate request, Principal actor) {
        ApiKeyCreate.Valid valid = request.validate();
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            checkReferences(tx, valid);
            ApiKeyRepository keys = new ApiKeyRepository(tx);
            for (int attempt = 0; attempt < PREFIX_ATTEMPTS; attempt++) {
                ApiKeyFormat.Issued issued = format.issue(valid.kind());
                ApiKey key = new ApiKey(
                        ApiKeyId.newId(now),
                        valid.kind(),
                        valid.name(),
                        valid.programId(),
                        valid.partnerId(),
                        issued.prefix(),
                        now,
                        null,
                        null);
                if (keys.insert(key, issued.hash())) {
                    new AuditRepository(tx).append(auditEntry(now, actor, "api_key.created", key));
                    return new Created(issued.key(), key);
                }
            }
            throw new IllegalStateException("no free api key prefix after " + PREFIX_ATTEMPTS + " attempts");
        });
    }

    public Optional<ApiKey> find(ApiKeyId id) {
        return new ApiKeyRepository(dsl).find(id).map(this::withUnwrittenUse);
    }

    /**
     * @param kind null for every kind
     * @param programId null for every program
     * @param partnerId null for every partner
     */
    public Page<ApiKey> list(Principal.Kind kind, ProgramId programId, PartnerId partnerId, PageRequest page) {
        return new ApiKeyRepository(dsl).list(kind, programId, partnerId, page).map(this::withUnwrittenUse);
    }

    /**
     * Revokes the key for good: from the next request it gets a 401. Revoking twice is harmless:
     * the second call changes nothing and writes no audit entry.
     *
     * @return empty when there is no such key
     */
    public Optional<ApiKey> revoke(ApiKeyId id, Principal actor) {
        Optional<ApiKey> revoked = dsl.transactionResult(trx -> {
            ApiKeyRepository keys = new ApiKeyRepository(trx.dsl());
            Optional<ApiKey> current = keys.findForUpdate(id);
            if (current.isEmpty() || current.get().revoked()) {
                return current;
            }
            Instant now = now();
            keys.revoke(id, now);
            ApiKey after = current.get().withRevokedAt(now);
            new AuditRepository(trx.dsl()).append(auditEntry(now, actor, "api_key.revoked", after));
            return Optional.of(after);
        });
        // After the commit, so a request racing the revoke cannot cache the row as it was before.
        revoked.ifPresent(key -> authenticator.forget(key.prefix()));
        return revoked.map(this::withUnwrittenUse);
    }

    // Unknown ids are the client's mistake, reported as a 400 on the field like every other one.
    private static void checkReferences(DSLContext tx, ApiKeyCreate.Valid valid) {
        FieldErrors errors = new FieldErrors();
        if (valid.programId() != null
                && new ProgramRepository(tx).find(valid.programId()).isEmpty()) {
            errors.add("programId", "no program has this id");
        }
        Optional<Partner> partner =
                valid.partnerId() == null ? Optional.empty() : new PartnerRepository(tx).find(valid.partnerId());
        if (valid.partnerId() != null && partner.isEmpty()) {
            errors.add("partnerId", "no partner has this id");
        }
        errors.throwIfAny();
        if (partner.isPresent() && partner.get().status() == PartnerStatus.REVOKED) {
            throw ApiException.conflict("partner_revoked", "partnerId: the partner is revoked");
        }
    }

    // This replica's uses since the last flush are newer than the row; show them rather than lag.
    private ApiKey withUnwrittenUse(ApiKey key) {
        return usage.unwritten(key.id())
                .filter(use -> key.lastUsedAt() == null || use.isAfter(key.lastUsedAt()))
                .map(key::withLastUsedAt)
                .orElse(key);
    }

    private static AuditEntry auditEntry(Instant now, Principal actor, String action, ApiKey key) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("kind", key.kind().wire());
        details.put("prefix", key.prefix());
        details.put("name", key.name().value());
        if (key.programId() != null) {
            details.put("programId", key.programId().toString());
        }
        if (key.partnerId() != null) {
            details.put("partnerId", key.partnerId().toString());
        }
        return new AuditEntry(now, actor.actor(), action, "api_key", key.id().toString(), details);
    }

    // The database keeps microseconds and ids keep milliseconds: truncate once so the value a
    // create returns is the value every later read returns.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
