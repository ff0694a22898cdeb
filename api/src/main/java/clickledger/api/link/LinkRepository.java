package clickledger.api.link;

import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.LINK_TAG;
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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectJoinStep;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Links in PostgreSQL. Inserts, updates and deletes fire the schema's NOTIFY triggers, so routers
 * serve a new or changed link within a second (and drop a deleted one) without ever querying for it.
 */
public final class LinkRepository {
    // A link's tags, sorted, read with the link through link_tag's primary key (link_id, tag).
    private static final Field<String[]> TAGS = DSL.field(
                    "array(select t.tag from link_tag t where t.link_id = {0} order by t.tag)",
                    SQLDataType.VARCHAR.array(), LINK.ID)
            .as("tags");

    private final DSLContext dsl;

    public LinkRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** False when the slug is taken: ON CONFLICT keeps the transaction usable for another try. */
    public boolean insert(Link link) {
        boolean inserted = dsl.insertInto(LINK)
                        .set(LINK.ID, link.id().value())
                        .set(LINK.SLUG, link.slug().value())
                        .set(LINK.PROGRAM_ID, link.programId().value())
                        .set(LINK.PARTNER_ID, link.partnerId().value())
                        .set(LINK.DESTINATION_URL, url(link.destinationUrl()))
                        .set(LINK.STATUS, link.status().wire())
                        .set(
                                LINK.DOMAIN_ID,
                                link.domain() == null
                                        ? null
                                        : link.domain().id().value())
                        .set(LINK.CREATED_AT, link.createdAt().atOffset(ZoneOffset.UTC))
                        .set(LINK.UPDATED_AT, link.createdAt().atOffset(ZoneOffset.UTC))
                        .set(LINK.EXPIRES_AT, time(link.expiresAt()))
                        .set(LINK.EXPIRED_URL, url(link.expiredUrl()))
                        .set(LINK.ARCHIVED, link.archived())
                        .onConflictDoNothing()
                        .execute()
                == 1;
        if (inserted) {
            insertTags(link, link.tags());
        }
        return inserted;
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
     * Newest first. The (program_id, id) and (partner_id, id) indexes serve the filtered lists; a
     * tag filter finds its links through link_tag_program_tag_idx (or link_tag_tag_idx without a
     * program).
     */
    public Page<Link> list(LinkFilter filter, PageRequest page) {
        Condition where = page.after(LINK.ID);
        if (filter.ids() != null) {
            where = where.and(LINK.ID.in(filter.ids()));
        }
        if (filter.programId() != null) {
            where = where.and(LINK.PROGRAM_ID.eq(filter.programId().value()));
        }
        if (filter.partnerId() != null) {
            where = where.and(LINK.PARTNER_ID.eq(filter.partnerId().value()));
        }
        if (filter.status() != null) {
            where = where.and(LINK.STATUS.eq(filter.status().wire()));
        }
        if (filter.tag() != null) {
            Condition tagged = LINK_TAG.TAG.eq(filter.tag());
            if (filter.programId() != null) {
                tagged = tagged.and(LINK_TAG.PROGRAM_ID.eq(filter.programId().value()));
            }
            where = where.and(
                    LINK.ID.in(DSL.select(LINK_TAG.LINK_ID).from(LINK_TAG).where(tagged)));
        }
        if (!filter.includeArchived()) {
            where = where.and(LINK.ARCHIVED.isFalse());
        }
        return Page.of(
                selectWithDomain()
                        .where(where)
                        .orderBy(LINK.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(LinkRepository::toLink),
                page,
                link -> link.id().toString());
    }

    public void update(Link link, Instant updatedAt) {
        dsl.update(LINK)
                .set(LINK.DESTINATION_URL, url(link.destinationUrl()))
                .set(LINK.STATUS, link.status().wire())
                .set(LINK.EXPIRES_AT, time(link.expiresAt()))
                .set(LINK.EXPIRED_URL, url(link.expiredUrl()))
                .set(LINK.ARCHIVED, link.archived())
                .set(LINK.UPDATED_AT, updatedAt.atOffset(ZoneOffset.UTC))
                .where(LINK.ID.eq(link.id().value()))
                .execute();
    }

    /** Makes the link's tags exactly {@code tags}. */
    public void replaceTags(Link link, List<String> tags) {
        dsl.deleteFrom(LINK_TAG)
                .where(LINK_TAG.LINK_ID.eq(link.id().value()))
                .and(tags.isEmpty() ? DSL.noCondition() : LINK_TAG.TAG.notIn(tags))
                .execute();
        insertTags(link, tags);
    }

    // The link with its domain, if it has one: the domain decides the link's shareable URL.
    private SelectJoinStep<Record> selectWithDomain() {
        return dsl.select(LINK.fields())
                .select(SHORT_DOMAIN.fields())
                .select(TAGS)
                .from(LINK)
                .leftJoin(SHORT_DOMAIN)
                .on(SHORT_DOMAIN.ID.eq(LINK.DOMAIN_ID));
    }

    /**
     * Whether any click was ever recorded for the link. The click table has no index by link
     * (every index there costs the redirect path, docs/decisions/0002), so this reads the rollup
     * (click_monthly_link_idx: one probe, since every day a link has clicks is summed into its
     * month) and only the clicks the rollup may not have counted yet: those from a day before its
     * watermark on (all of the program's, before the first rollup run) and those of days noted
     * late (a router's spool replayed after an outage), through click_program_ts_idx. The day of
     * margin, and no bound by the link's creation time, because clicks are stamped by the routers'
     * clocks and lateness is judged by the database's: a click missed here would be left naming a
     * deleted link, so this errs towards reading more.
     */
    public boolean hasClicks(Link link) {
        return Boolean.TRUE.equals(dsl.fetchValue(
                "select exists (select 1 from click_monthly m where m.link_id = ?)"
                        + " or exists (select 1 from click c"
                        + "   where c.program_id = ? and c.link_id = ?"
                        + "   and c.ts >= coalesce((select s.watermark from click_rollup_state s) - interval '1 day',"
                        + "   '-infinity'))"
                        + " or exists (select 1 from click_late_day l join click c"
                        + "   on c.ts >= (l.day::timestamp at time zone 'UTC')"
                        + "   and c.ts < ((l.day + 1)::timestamp at time zone 'UTC')"
                        + "   where c.program_id = ? and c.link_id = ?)",
                link.id().value(),
                link.programId().value(),
                link.id().value(),
                link.programId().value(),
                link.id().value()));
    }

    /** Deletes the link (its tags go with it); routers drop it on the delete's NOTIFY. */
    public void delete(LinkId id) {
        dsl.deleteFrom(LINK).where(LINK.ID.eq(id.value())).execute();
    }

    private void insertTags(Link link, List<String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(LINK_TAG, LINK_TAG.LINK_ID, LINK_TAG.PROGRAM_ID, LINK_TAG.TAG);
        for (String tag : tags) {
            insert = insert.values(link.id().value(), link.programId().value(), tag);
        }
        insert.onConflictDoNothing().execute();
    }

    private static String url(DestinationUrl url) {
        return url == null ? null : url.value();
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Link toLink(Record record) {
        LinkRecord row = record.into(LINK);
        String[] tags = record.get(TAGS);
        return new Link(
                new LinkId(row.getId()),
                new Slug(row.getSlug()),
                new ProgramId(row.getProgramId()),
                new PartnerId(row.getPartnerId()),
                row.getDestinationUrl() == null ? null : new DestinationUrl(row.getDestinationUrl()),
                LinkStatus.valueOf(row.getStatus().toUpperCase(Locale.ROOT)),
                row.getCreatedAt().toInstant(),
                row.getDomainId() == null ? null : DomainRepository.toDomain(record.into(SHORT_DOMAIN)),
                tags == null ? List.of() : List.of(tags),
                row.getExpiresAt() == null ? null : row.getExpiresAt().toInstant(),
                row.getExpiredUrl() == null ? null : new DestinationUrl(row.getExpiredUrl()),
                Boolean.TRUE.equals(row.getArchived()));
    }
}
