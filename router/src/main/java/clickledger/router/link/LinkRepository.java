package clickledger.router.link;

import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.router.redirect.Destination;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;

/** Reads links with everything that decides their redirect, for the router's in-memory cache. */
public final class LinkRepository {
    // Rows per round trip when streaming every link: large enough to amortise latency, small
    // enough that a million links never sit in the driver's buffer at once.
    private static final int FETCH_SIZE = 5_000;

    private final DSLContext dsl;

    public LinkRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** Streams every link to {@code sink}; a cursor keeps memory flat however many links exist. */
    public void forEachLink(Consumer<LinkTarget> sink) {
        dsl.transaction(trx -> {
            try (var cursor =
                    select(trx.dsl(), DSL.noCondition()).fetchSize(FETCH_SIZE).fetchLazy()) {
                for (Record record : cursor) {
                    sink.accept(toTarget(record));
                }
            }
        });
    }

    public List<LinkTarget> byLink(UUID linkId) {
        return fetch(LINK.ID.eq(linkId));
    }

    public List<LinkTarget> byProgram(UUID programId) {
        return fetch(LINK.PROGRAM_ID.eq(programId));
    }

    public List<LinkTarget> byPartner(UUID partnerId) {
        return fetch(LINK.PARTNER_ID.eq(partnerId));
    }

    private List<LinkTarget> fetch(Condition condition) {
        return select(dsl, condition).fetch(LinkRepository::toTarget);
    }

    private static ResultQuery<? extends Record> select(DSLContext dsl, Condition condition) {
        return dsl.select(
                        LINK.ID,
                        LINK.SLUG,
                        LINK.PROGRAM_ID,
                        LINK.PARTNER_ID,
                        LINK.DESTINATION_URL,
                        LINK.STATUS,
                        PROGRAM.DESTINATION_URL,
                        PROGRAM.STATUS,
                        PROGRAM.STARTS_AT,
                        PROGRAM.ENDS_AT,
                        PROGRAM.COOKIE_DAYS,
                        PARTNER.STATUS,
                        PARTNER_PROGRAM.STATUS)
                .from(LINK)
                .join(PROGRAM)
                .on(PROGRAM.ID.eq(LINK.PROGRAM_ID))
                .join(PARTNER)
                .on(PARTNER.ID.eq(LINK.PARTNER_ID))
                .leftJoin(PARTNER_PROGRAM)
                .on(PARTNER_PROGRAM.PARTNER_ID.eq(LINK.PARTNER_ID).and(PARTNER_PROGRAM.PROGRAM_ID.eq(LINK.PROGRAM_ID)))
                .where(condition);
    }

    private static LinkTarget toTarget(Record record) {
        String programUrl = record.get(PROGRAM.DESTINATION_URL);
        String linkUrl = record.get(LINK.DESTINATION_URL);
        String membership = record.get(PARTNER_PROGRAM.STATUS);
        boolean active = "active".equals(record.get(LINK.STATUS))
                && "active".equals(record.get(PROGRAM.STATUS))
                && "active".equals(record.get(PARTNER.STATUS))
                && (membership == null || "approved".equals(membership));
        Destination programDestination = Destination.parse(programUrl);
        return new LinkTarget(
                record.get(LINK.ID),
                record.get(LINK.SLUG),
                record.get(LINK.PROGRAM_ID),
                record.get(LINK.PARTNER_ID),
                linkUrl == null ? programDestination : Destination.parse(linkUrl),
                programDestination,
                active,
                millis(record.get(PROGRAM.STARTS_AT), Long.MIN_VALUE),
                millis(record.get(PROGRAM.ENDS_AT), Long.MAX_VALUE),
                (int) Math.min(Integer.MAX_VALUE, record.get(PROGRAM.COOKIE_DAYS) * 86_400L));
    }

    private static long millis(OffsetDateTime time, long fallback) {
        return time == null ? fallback : time.toInstant().toEpochMilli();
    }
}
