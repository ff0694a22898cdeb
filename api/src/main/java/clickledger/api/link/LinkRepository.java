package clickledger.api.link;

import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.SHORT_DOMAIN;
import static java.util.Objects.requireNonNull;

import clickledger.api.domain.DomainRepository;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.api.value.DestinationUrl;
import clickledger.api.value.Slug;
import clickledger.db.jooq.tables.records.LinkRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SelectJoinStep;
import org.jooq.impl.DSL;

/**
 * Links in PostgreSQL. Inserts and updates fire the schema's NOTIFY trigger, so routers serve a
 * new or changed link within a second without ever querying for it.
 */
public final class LinkRepository {
    private final DSLContext dsl;

    public LinkRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** False when the slug is taken: ON CONFLICT keeps the transaction usable for another try. */
    public boolean insert(Link link) {
        return dsl.insertInto(LINK)
                        .set(LINK.ID, link.id().value())
                        .set(LINK.SLUG, link.slug().value())
                        .set(LINK.PROGRAM_ID, link.programId().value())
                        .set(LINK.PARTNER_ID, link.partnerId().value())
                        .set(LINK.DESTINATION_URL, destination(link))
                        .set(LINK.STATUS, link.status().wire())
                        .set(
                                LINK.DOMAIN_ID,
                                link.domain() == null
                                        ? null
                                        : link.domain().id().value())
                        .set(LINK.CREATED_AT, link.createdAt().atOffset(ZoneOffset.UTC))
                        .set(LINK.UPDATED_AT, link.createdAt().atOffset(ZoneOffset.UTC))
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    public Optional<Link> find(LinkId id) {
        return selectWithDomain().where(LINK.ID.eq(id.value())).fetchOptional().map(LinkRepository::toLink);
    }

    /** Locks the row until the transaction ends, so concurrent changes apply one after the other. */
    public Optional<Link> findForUpdate(LinkId id) {
        return selectWithDomain()
                .where(LINK.ID.eq(id.value()))
                .forUpdate()
                .of(LINK)
                .fetchOptional()
                .map(LinkRepository::toLink);
    }

    /**
     * Newest first. The (program_id, id) and (partner_id, id) indexes serve the filtered lists.
     *
     * @param programId null for every program
     * @param partnerId null for every partner
     * @param status null for every status
     */
    public Page<Link> list(ProgramId programId, PartnerId partnerId, LinkStatus status, PageRequest page) {
        return list(programId, partnerId, status, null, page);
    }

    /** @param ids only these links; null for every link */
    public Page<Link> list(
            ProgramId programId, PartnerId partnerId, LinkStatus status, List<UUID> ids, PageRequest page) {
        return Page.of(
                selectWithDomain()
                        .where(page.after(LINK.ID))
                        .and(ids == null ? DSL.noCondition() : LINK.ID.in(ids))
                        .and(programId == null ? DSL.noCondition() : LINK.PROGRAM_ID.eq(programId.value()))
                        .and(partnerId == null ? DSL.noCondition() : LINK.PARTNER_ID.eq(partnerId.value()))
                        .and(status == null ? DSL.noCondition() : LINK.STATUS.eq(status.wire()))
                        .orderBy(LINK.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(LinkRepository::toLink),
                page,
                link -> link.id().toString());
    }

    public void update(Link link, Instant updatedAt) {
        dsl.update(LINK)
                .set(LINK.DESTINATION_URL, destination(link))
                .set(LINK.STATUS, link.status().wire())
                .set(LINK.UPDATED_AT, updatedAt.atOffset(ZoneOffset.UTC))
                .where(LINK.ID.eq(link.id().value()))
                .execute();
    }

    private static String destination(Link link) {
        return link.destinationUrl() == null ? null : link.destinationUrl().value();
    }

    // The link with its domain, if it has one: the domain decides the link's shareable URL.
    private SelectJoinStep<Record> selectWithDomain() {
        return dsl.select(LINK.fields())
                .select(SHORT_DOMAIN.fields())
                .from(LINK)
                .leftJoin(SHORT_DOMAIN)
                .on(SHORT_DOMAIN.ID.eq(LINK.DOMAIN_ID));
    }

    static Link toLink(Record record) {
        LinkRecord row = record.into(LINK);
        return new Link(
                new LinkId(row.getId()),
                new Slug(row.getSlug()),
                new ProgramId(row.getProgramId()),
                new PartnerId(row.getPartnerId()),
                row.getDestinationUrl() == null ? null : new DestinationUrl(row.getDestinationUrl()),
                LinkStatus.valueOf(row.getStatus().toUpperCase(Locale.ROOT)),
                row.getCreatedAt().toInstant(),
                row.getDomainId() == null ? null : DomainRepository.toDomain(record.into(SHORT_DOMAIN)));
    }
}
