package clickledger.api.partner;

import static clickledger.db.jooq.Tables.PARTNER;
import static java.util.Objects.requireNonNull;

import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.value.Name;
import clickledger.db.jooq.tables.records.PartnerRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Partners in PostgreSQL. Updates fire the schema's NOTIFY trigger, so routers see a revocation within a second. */
public final class PartnerRepository {
    private final DSLContext dsl;

    public PartnerRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /**
     * False when the email is taken, ignoring case: the unique index is on lower(email), and ON
     * CONFLICT keeps a surrounding transaction usable where a caught unique violation would not.
     */
    public boolean insert(Partner partner) {
        return dsl.insertInto(PARTNER)
                        .set(PARTNER.ID, partner.id().value())
                        .set(PARTNER.EMAIL, partner.email().value())
                        .set(PARTNER.NAME, partner.name().value())
                        .set(PARTNER.STATUS, partner.status().wire())
                        .set(PARTNER.CREATED_AT, partner.createdAt().atOffset(ZoneOffset.UTC))
                        .set(PARTNER.UPDATED_AT, partner.createdAt().atOffset(ZoneOffset.UTC))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    public Optional<Partner> find(PartnerId id) {
        return dsl.selectFrom(PARTNER)
                .where(PARTNER.ID.eq(id.value()))
                .fetchOptional()
                .map(PartnerRepository::toPartner);
    }

    /** By email, ignoring case (the unique index partner_email_key is on lower(email)). */
    public Optional<Partner> findByEmail(String email) {
        return dsl.selectFrom(PARTNER)
                .where(DSL.lower(PARTNER.EMAIL).eq(email.strip().toLowerCase(Locale.ROOT)))
                .fetchOptional()
                .map(PartnerRepository::toPartner);
    }

    /** {@link #findByEmail}, locked until the transaction ends. */
    public Optional<Partner> findByEmailForUpdate(String email) {
        return dsl.selectFrom(PARTNER)
                .where(DSL.lower(PARTNER.EMAIL).eq(email.strip().toLowerCase(Locale.ROOT)))
                .forUpdate()
                .fetchOptional()
                .map(PartnerRepository::toPartner);
    }

    /** A confirmed email change of the partner's person: mail to the partner goes there from now on. */
    public void setEmail(PartnerId id, String email, Instant now) {
        dsl.update(PARTNER)
                .set(PARTNER.EMAIL, email)
                .set(PARTNER.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .where(PARTNER.ID.eq(id.value()))
                .execute();
    }

    /** Locks the row until the transaction ends, so concurrent changes apply one after the other. */
    public Optional<Partner> findForUpdate(PartnerId id) {
        return dsl.selectFrom(PARTNER)
                .where(PARTNER.ID.eq(id.value()))
                .forUpdate()
                .fetchOptional()
                .map(PartnerRepository::toPartner);
    }

    /**
     * Newest first.
     *
     * @param status null for every status
     * @param query text to find in the name or email, ignoring case; null for every partner. A
     *     substring match reads the table: partners number in the thousands, not millions
     * @param ids only these partners; null for every partner
     */
    public Page<Partner> list(PartnerStatus status, String query, List<UUID> ids, PageRequest page) {
        return Page.of(
                dsl.selectFrom(PARTNER)
                        .where(page.after(PARTNER.ID))
                        .and(status == null ? DSL.noCondition() : PARTNER.STATUS.eq(status.wire()))
                        .and(
                                query == null
                                        ? DSL.noCondition()
                                        : PARTNER.NAME
                                                .containsIgnoreCase(query)
                                                .or(PARTNER.EMAIL.containsIgnoreCase(query)))
                        .and(ids == null ? DSL.noCondition() : PARTNER.ID.in(ids))
                        .orderBy(PARTNER.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(PartnerRepository::toPartner),
                page,
                partner -> partner.id().toString());
    }

    public void update(Partner partner, Instant updatedAt) {
        dsl.update(PARTNER)
                .set(PARTNER.NAME, partner.name().value())
                .set(PARTNER.STATUS, partner.status().wire())
                .set(PARTNER.UPDATED_AT, updatedAt.atOffset(ZoneOffset.UTC))
                .where(PARTNER.ID.eq(partner.id().value()))
                .execute();
    }

    static Partner toPartner(PartnerRecord row) {
        return new Partner(
                new PartnerId(row.getId()),
                new Email(row.getEmail()),
                new Name(row.getName()),
                PartnerStatus.valueOf(row.getStatus().toUpperCase(Locale.ROOT)),
                row.getCreatedAt().toInstant());
    }
}
