package clickledger.api.domain;

import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.SHORT_DOMAIN;
import static java.util.Objects.requireNonNull;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.program.ProgramId;
import clickledger.db.jooq.tables.records.ShortDomainRecord;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Custom domains in PostgreSQL. Every insert, update and delete fires the schema's NOTIFY
 * trigger (V64), so routers learn of a new domain within a second.
 */
public final class DomainRepository {
    private final DSLContext dsl;

    public DomainRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** False when the hostname is taken (by any program): ON CONFLICT keeps the transaction usable. */
    public boolean insert(ShortDomain domain) {
        return dsl.insertInto(SHORT_DOMAIN)
                        .set(SHORT_DOMAIN.ID, domain.id().value())
                        .set(SHORT_DOMAIN.PROGRAM_ID, domain.programId().value())
                        .set(SHORT_DOMAIN.HOSTNAME, domain.hostname().value())
                        .set(SHORT_DOMAIN.DEDICATED, domain.dedicated())
                        .set(SHORT_DOMAIN.IS_PRIMARY, domain.primary())
                        .set(SHORT_DOMAIN.COOKIE_DOMAIN, cookieDomain(domain))
                        .set(SHORT_DOMAIN.CREATED_AT, domain.createdAt().atOffset(ZoneOffset.UTC))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    public Optional<ShortDomain> find(DomainId id) {
        return dsl.selectFrom(SHORT_DOMAIN)
                .where(SHORT_DOMAIN.ID.eq(id.value()))
                .fetchOptional()
                .map(DomainRepository::toDomain);
    }

    /** Locks the row until the transaction ends, so concurrent changes apply one after the other. */
    public Optional<ShortDomain> findForUpdate(DomainId id) {
        return dsl.selectFrom(SHORT_DOMAIN)
                .where(SHORT_DOMAIN.ID.eq(id.value()))
                .forUpdate()
                .fetchOptional()
                .map(DomainRepository::toDomain);
    }

    /** The program's primary domain, which links made without a domain get. */
    public Optional<ShortDomain> primaryOf(ProgramId programId) {
        return dsl.selectFrom(SHORT_DOMAIN)
                .where(SHORT_DOMAIN.PROGRAM_ID.eq(programId.value()))
                .and(SHORT_DOMAIN.IS_PRIMARY)
                .fetchOptional()
                .map(DomainRepository::toDomain);
    }

    /**
     * Newest first; short_domain_program_idx serves the filtered list.
     *
     * @param programId null for every program
     */
    public Page<ShortDomain> list(ProgramId programId, PageRequest page) {
        return Page.of(
                dsl.selectFrom(SHORT_DOMAIN)
                        .where(page.after(SHORT_DOMAIN.ID))
                        .and(programId == null ? DSL.noCondition() : SHORT_DOMAIN.PROGRAM_ID.eq(programId.value()))
                        .orderBy(SHORT_DOMAIN.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(DomainRepository::toDomain),
                page,
                domain -> domain.id().toString());
    }

    /** Takes the primary mark from the program's other domains, before one of its domains gets it. */
    public void clearPrimary(ProgramId programId, DomainId except) {
        dsl.update(SHORT_DOMAIN)
                .set(SHORT_DOMAIN.IS_PRIMARY, false)
                .where(SHORT_DOMAIN.PROGRAM_ID.eq(programId.value()))
                .and(SHORT_DOMAIN.IS_PRIMARY)
                .and(except == null ? DSL.noCondition() : SHORT_DOMAIN.ID.ne(except.value()))
                .execute();
    }

    public void update(ShortDomain domain) {
        dsl.update(SHORT_DOMAIN)
                .set(SHORT_DOMAIN.DEDICATED, domain.dedicated())
                .set(SHORT_DOMAIN.IS_PRIMARY, domain.primary())
                .set(SHORT_DOMAIN.COOKIE_DOMAIN, cookieDomain(domain))
                .where(SHORT_DOMAIN.ID.eq(domain.id().value()))
                .execute();
    }

    /** Whether any link lives on the domain; link_domain_idx answers it. */
    public boolean hasLinks(DomainId id) {
        return dsl.fetchExists(LINK, LINK.DOMAIN_ID.eq(id.value()));
    }

    public void delete(DomainId id) {
        dsl.deleteFrom(SHORT_DOMAIN).where(SHORT_DOMAIN.ID.eq(id.value())).execute();
    }

    private static String cookieDomain(ShortDomain domain) {
        return domain.cookieDomain() == null ? null : domain.cookieDomain().value();
    }

    public static ShortDomain toDomain(ShortDomainRecord row) {
        return new ShortDomain(
                new DomainId(row.getId()),
                new ProgramId(row.getProgramId()),
                new Hostname(row.getHostname()),
                Boolean.TRUE.equals(row.getDedicated()),
                Boolean.TRUE.equals(row.getIsPrimary()),
                row.getCookieDomain() == null ? null : new Hostname(row.getCookieDomain()),
                row.getCreatedAt().toInstant());
    }
}
