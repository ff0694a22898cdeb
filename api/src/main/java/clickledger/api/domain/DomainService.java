package clickledger.api.domain;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.program.ProgramId;
import clickledger.api.program.ProgramRepository;
import clickledger.web.ApiException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.DSLContext;

/**
 * Adds, changes and removes programs' custom domains, each change audited in its transaction. A
 * domain with links cannot be removed: its links would stop redirecting, and links are never
 * deleted (their clicks refer to them).
 */
public final class DomainService {
    private final DSLContext dsl;
    private final Clock clock;
    private final String routerHost;

    /** @param publicRouterUrl the router's own address, whose host is never a custom domain */
    public DomainService(DSLContext dsl, Clock clock, String publicRouterUrl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        String host = URI.create(requireNonNull(publicRouterUrl, "publicRouterUrl is null"))
                .getHost();
        this.routerHost = host == null ? "" : host.toLowerCase(Locale.ROOT);
    }

    public ShortDomain create(DomainCreate request, Principal actor) {
        DomainCreate.Valid valid = request.validate();
        if (valid.hostname().value().equals(routerHost)) {
            throw ApiException.badRequest("hostname", "is the router's own host (PUBLIC_ROUTER_URL)");
        }
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            if (new ProgramRepository(tx).find(valid.programId()).isEmpty()) {
                FieldErrors errors = new FieldErrors();
                errors.add("programId", "no program has this id");
                errors.throwIfAny();
            }
            DomainRepository domains = new DomainRepository(tx);
            ShortDomain domain = new ShortDomain(
                    DomainId.newId(now),
                    valid.programId(),
                    valid.hostname(),
                    valid.dedicated(),
                    valid.primary(),
                    valid.cookieDomain(),
                    now);
            if (domain.primary()) {
                domains.clearPrimary(domain.programId(), null);
            }
            if (!domains.insert(domain)) {
                throw ApiException.conflict(
                        "hostname_taken", "hostname: \"" + domain.hostname() + "\" is already a domain");
            }
            audit(tx, now, actor, "domain.created", domain);
            return domain;
        });
    }

    public Optional<ShortDomain> find(DomainId id) {
        return new DomainRepository(dsl).find(id);
    }

    /** @param programId null for every program */
    public Page<ShortDomain> list(ProgramId programId, PageRequest page) {
        return new DomainRepository(dsl).list(programId, page);
    }

    /** Empty when there is no such domain. */
    public Optional<ShortDomain> update(DomainId id, DomainPatch patch, Set<String> present, Principal actor) {
        return dsl.transactionResult(trx -> {
            DomainRepository domains = new DomainRepository(trx.dsl());
            Optional<ShortDomain> current = domains.findForUpdate(id);
            if (current.isEmpty()) {
                return current;
            }
            ShortDomain after = patch.applyTo(current.get(), present);
            if (after.equals(current.get())) {
                return current;
            }
            if (after.primary() && !current.get().primary()) {
                domains.clearPrimary(after.programId(), after.id());
            }
            domains.update(after);
            audit(trx.dsl(), now(), actor, "domain.updated", after);
            return Optional.of(after);
        });
    }

    /** False when there is no such domain; a 409 while links live on it. */
    public boolean delete(DomainId id, Principal actor) {
        return dsl.transactionResult(trx -> {
            DomainRepository domains = new DomainRepository(trx.dsl());
            Optional<ShortDomain> current = domains.findForUpdate(id);
            if (current.isEmpty()) {
                return false;
            }
            if (domains.hasLinks(id)) {
                throw ApiException.conflict(
                        "domain_in_use",
                        "links live on " + current.get().hostname() + "; they would stop redirecting. Pause them"
                                + " instead, or keep the domain");
            }
            domains.delete(id);
            audit(trx.dsl(), now(), actor, "domain.deleted", current.get());
            return true;
        });
    }

    private static void audit(DSLContext tx, Instant now, Principal actor, String action, ShortDomain domain) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("programId", domain.programId().toString());
        details.put("hostname", domain.hostname().value());
        details.put("dedicated", domain.dedicated());
        details.put("primary", domain.primary());
        new AuditRepository(tx)
                .append(new AuditEntry(
                        now, actor.actor(), action, "domain", domain.id().toString(), details));
    }

    // The database keeps microseconds and ids keep milliseconds: truncate once.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
