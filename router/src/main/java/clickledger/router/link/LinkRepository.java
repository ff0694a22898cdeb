package clickledger.router.link;

import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.db.ConnectionLimits;
import clickledger.db.DataSources;
import clickledger.db.DatabaseConfig;
import clickledger.router.redirect.DeepLinks;
import clickledger.router.redirect.Destination;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SelectOnConditionStep;
import org.jooq.SelectSelectStep;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;
import org.postgresql.PGStatement;

/**
 * Reads links with everything that decides their redirect, for the router's in-memory cache.
 *
 * <p>A million links must load within seconds and fit a 512 MB heap next to everything else
 * (docs/PERFORMANCE.md, link cache). So the full load streams plain JDBC rows (no record mapping
 * per row), the database works out whether a link is active (one boolean instead of four status
 * strings per row), and what links share is shared in memory: one parsed {@link Destination} per
 * distinct program URL, one {@link UUID} per program and per partner.
 */
public final class LinkRepository {
    // Rows per round trip when streaming every link: large enough to amortise latency, small
    // enough that a million links never sit in the driver's buffer at once.
    private static final int FETCH_SIZE = 5_000;
    // Link active, program active, partner active, membership not revoked (absent means approved).
    private static final Field<Boolean> ACTIVE = DSL.field(
            "{0} = 'active' and {1} = 'active' and {2} = 'active' and coalesce({3}, 'approved') = 'approved'",
            Boolean.class, LINK.STATUS, PROGRAM.STATUS, PARTNER.STATUS, PARTNER_PROGRAM.STATUS);
    // A 64-bit hash of everything the router keeps of a link, computed by PostgreSQL both when a
    // link is loaded and when the cache is checked, so the two always agree. Chained per-column
    // hashes rather than one hash of the row as text: over a million links the text version cost
    // PostgreSQL 1.4 s a check, this one 0.4 s (docs/decisions/0002). Times go in as epoch
    // milliseconds, so no session time zone changes what is hashed.
    // A link on a custom domain chains the domain's id in front; one on the default host hashes as
    // before domains existed, so an upgraded router's snapshot still matches the database.
    private static final Field<Long> ROW_HASH = DSL.field(
            "(case when {0} is null then {1} else uuid_hash_extended({0}, {1}) end)",
            Long.class,
            LINK.DOMAIN_ID,
            DSL.field(
                    "uuid_hash_extended({0}, hashtextextended({1}, hashtextextended(coalesce({2}, ''),"
                            + " hashtextextended({3}, uuid_hash_extended({4}, uuid_hash_extended({5}, {6}"
                            + " + 31 * coalesce((extract(epoch from {7}) * 1000)::bigint, -1)"
                            + " + 37 * coalesce((extract(epoch from {8}) * 1000)::bigint, -1)"
                            + " + 41 * ({9})::int))))))",
                    Long.class,
                    LINK.ID,
                    LINK.SLUG,
                    LINK.DESTINATION_URL,
                    PROGRAM.DESTINATION_URL,
                    LINK.PROGRAM_ID,
                    LINK.PARTNER_ID,
                    PROGRAM.COOKIE_DAYS,
                    PROGRAM.STARTS_AT,
                    PROGRAM.ENDS_AT,
                    ACTIVE));
    // Issue 19 (docs/decisions/0025): the link's expiry and expired URL and the program's allowed
    // deep-link hosts, folded into the hash above, so a change to any of them makes the periodic
    // check reload.
    private static final Field<Long> FULL_ROW_HASH = DSL.field(
            "hashint8extended(coalesce((extract(epoch from {0}) * 1000)::bigint, -1),"
                    + " hashtextextended(coalesce({1}, ''), hashtextextended(coalesce({2}, ''), {3})))",
            Long.class, LINK.EXPIRES_AT, LINK.EXPIRED_URL, PROGRAM.ALLOWED_HOSTS, ROW_HASH);

    private final DSLContext dsl;
    private final DatabaseConfig.Endpoint direct;
    private final ConnectionLimits directLimits;
    // Bounded by the number of programs and partners; entries of changed ones are harmless.
    private final ConcurrentHashMap<String, Destination> programDestinations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, UUID> owners = new ConcurrentHashMap<>();
    // One per program destination and allowed-hosts list; bounded like programDestinations.
    private final ConcurrentHashMap<String, DeepLinks> deepLinks = new ConcurrentHashMap<>();

    /**
     * @param direct where the full load streams from: a connection of its own straight to
     *     PostgreSQL, so a long cursor never holds a pooled (or PgBouncer) connection and the rows
     *     can come in binary form
     * @param directLimits the waits of those direct connections (the full load and the checksum)
     */
    public LinkRepository(DSLContext dsl, DatabaseConfig.Endpoint direct, ConnectionLimits directLimits) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.direct = requireNonNull(direct, "direct is null");
        this.directLimits = requireNonNull(directLimits, "directLimits is null");
    }

    public LinkRepository(DSLContext dsl, DatabaseConfig.Endpoint direct) {
        this(dsl, direct, ConnectionLimits.DRIVER_DEFAULTS);
    }

    /** How many links there are, to size the cache before the first load. */
    public int count() {
        return dsl.fetchCount(LINK);
    }

    /** Streams every link to {@code sink}; a cursor keeps memory flat however many links exist. */
    public void forEachLink(Consumer<LinkTarget> sink) throws SQLException {
        String sql = select(dsl, DSL.noCondition()).getSQL(ParamType.INLINED);
        try (Connection connection = DataSources.directConnection(direct, "clickledger-router-links", directLimits)) {
            // PostgreSQL streams with a fetch size only inside a transaction.
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(FETCH_SIZE);
                // Prepared on the server from the first run, so ids and numbers arrive as binary
                // instead of text to parse; the connection is closed after, so nothing outlives it.
                statement.unwrap(PGStatement.class).setPrepareThreshold(-1);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        sink.accept(toTarget(
                                rows.getObject(1, UUID.class),
                                rows.getString(2),
                                rows.getObject(3, UUID.class),
                                rows.getObject(4, UUID.class),
                                rows.getString(5),
                                rows.getString(6),
                                rows.getObject(7, OffsetDateTime.class),
                                rows.getObject(8, OffsetDateTime.class),
                                rows.getInt(9),
                                rows.getBoolean(10),
                                rows.getLong(11),
                                rows.getObject(12, UUID.class),
                                rows.getObject(13, OffsetDateTime.class),
                                rows.getString(14),
                                rows.getString(15)));
                    }
                }
            }
            connection.commit();
        }
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
        return select(dsl, condition)
                .fetch(record -> toTarget(
                        record.get(LINK.ID),
                        record.get(LINK.SLUG),
                        record.get(LINK.PROGRAM_ID),
                        record.get(LINK.PARTNER_ID),
                        record.get(LINK.DESTINATION_URL),
                        record.get(PROGRAM.DESTINATION_URL),
                        record.get(PROGRAM.STARTS_AT),
                        record.get(PROGRAM.ENDS_AT),
                        record.get(PROGRAM.COOKIE_DAYS),
                        Boolean.TRUE.equals(record.get(ACTIVE)),
                        record.get(FULL_ROW_HASH),
                        record.get(LINK.DOMAIN_ID),
                        record.get(LINK.EXPIRES_AT),
                        record.get(LINK.EXPIRED_URL),
                        record.get(PROGRAM.ALLOWED_HOSTS)));
    }

    /**
     * What the database holds right now, in the cache's terms: how many links, and the XOR of
     * their row hashes (see {@link LinkCache#fingerprint()}). One aggregate over the links,
     * computed in PostgreSQL: a fraction of the cost of streaming them all to the router. Over a
     * direct connection of its own: over a million links it takes longer than the pool's
     * statement timeout, which is cut to CLICK_DB_BUDGET_MS for the click writers.
     */
    public Checksum checksum() {
        try (Connection connection = DataSources.directConnection(direct, "clickledger-router-check", directLimits)) {
            return checksum(DataSources.dsl(connection));
        } catch (SQLException e) {
            throw new org.jooq.exception.DataAccessException("checking the links failed: " + e.getMessage(), e);
        }
    }

    private static Checksum checksum(DSLContext dsl) {
        return dsl.transactionResult(configuration -> {
            DSLContext tx = configuration.dsl();
            // One core, not every core: this runs beside live redirects, and finishing sooner on
            // both cores would take the same CPU from them in a sharper burst.
            tx.execute("set local max_parallel_workers_per_gather = 0");
            Record record = join(tx.select(
                            DSL.count(), DSL.field("coalesce(bit_xor({0}), 0)", Long.class, FULL_ROW_HASH)))
                    .fetchOne();
            return new Checksum(record.get(0, Integer.class), record.get(1, Long.class));
        });
    }

    public record Checksum(int links, long fingerprint) {}

    private static ResultQuery<? extends Record> select(DSLContext dsl, Condition condition) {
        return join(dsl.select(
                        LINK.ID,
                        LINK.SLUG,
                        LINK.PROGRAM_ID,
                        LINK.PARTNER_ID,
                        LINK.DESTINATION_URL,
                        PROGRAM.DESTINATION_URL,
                        PROGRAM.STARTS_AT,
                        PROGRAM.ENDS_AT,
                        PROGRAM.COOKIE_DAYS,
                        ACTIVE,
                        FULL_ROW_HASH,
                        LINK.DOMAIN_ID,
                        LINK.EXPIRES_AT,
                        LINK.EXPIRED_URL,
                        PROGRAM.ALLOWED_HOSTS))
                .where(condition);
    }

    private static <R extends Record> SelectOnConditionStep<R> join(SelectSelectStep<R> select) {
        return select.from(LINK)
                .join(PROGRAM)
                .on(PROGRAM.ID.eq(LINK.PROGRAM_ID))
                .join(PARTNER)
                .on(PARTNER.ID.eq(LINK.PARTNER_ID))
                .leftJoin(PARTNER_PROGRAM)
                .on(PARTNER_PROGRAM.PARTNER_ID.eq(LINK.PARTNER_ID).and(PARTNER_PROGRAM.PROGRAM_ID.eq(LINK.PROGRAM_ID)));
    }

    private LinkTarget toTarget(
            UUID linkId,
            String slug,
            UUID programId,
            UUID partnerId,
            String linkUrl,
            String programUrl,
            OffsetDateTime startsAt,
            OffsetDateTime endsAt,
            int cookieDays,
            boolean active,
            long rowHash,
            UUID domainId,
            OffsetDateTime expiresAt,
            String expiredUrl,
            String allowedHosts) {
        Destination programDestination = programDestinations.computeIfAbsent(programUrl, Destination::parse);
        DeepLinks programDeepLinks = deepLinks.computeIfAbsent(
                allowedHosts == null ? programUrl : programUrl + '\n' + allowedHosts,
                key -> DeepLinks.of(programUrl, allowedHosts));
        return new LinkTarget(
                linkId.getMostSignificantBits(),
                linkId.getLeastSignificantBits(),
                slug,
                owners.computeIfAbsent(programId, id -> id),
                owners.computeIfAbsent(partnerId, id -> id),
                linkUrl == null || linkUrl.equals(programUrl) ? programDestination : Destination.parse(linkUrl),
                programDestination,
                active,
                millis(startsAt, Long.MIN_VALUE),
                millis(endsAt, Long.MAX_VALUE),
                (int) Math.min(Integer.MAX_VALUE, cookieDays * 86_400L),
                rowHash,
                domainId == null ? 0 : domainId.getMostSignificantBits(),
                domainId == null ? 0 : domainId.getLeastSignificantBits(),
                millis(expiresAt, Long.MAX_VALUE),
                expiredUrl == null ? null : Destination.parse(expiredUrl),
                programDeepLinks);
    }

    private static long millis(OffsetDateTime time, long fallback) {
        return time == null ? fallback : time.toInstant().toEpochMilli();
    }
}
