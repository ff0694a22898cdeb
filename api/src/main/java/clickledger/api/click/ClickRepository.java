package clickledger.api.click;

import static clickledger.db.jooq.Tables.CLICK;
import static java.util.Objects.requireNonNull;

import clickledger.api.link.LinkId;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.db.jooq.tables.records.ClickRecord;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.ResultQuery;

/** Reads clicks; only the router writes them. */
public final class ClickRepository {
    private final DSLContext dsl;

    public ClickRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    public Optional<Click> find(ClickId id) {
        return byId(dsl, id).fetchOptional().map(ClickRepository::toClick);
    }

    /**
     * click is partitioned by month on ts, and ts is the millisecond inside the id: filtering on
     * both lets PostgreSQL prune to one partition and use its primary key, instead of probing
     * every month's index.
     */
    static ResultQuery<ClickRecord> byId(DSLContext dsl, ClickId id) {
        return dsl.selectFrom(CLICK)
                .where(CLICK.ID.eq(id.value()))
                .and(CLICK.TS.eq(id.timestamp().atOffset(ZoneOffset.UTC)));
    }

    static Click toClick(ClickRecord row) {
        return new Click(
                new ClickId(row.getId()),
                row.getTs().toInstant(),
                new LinkId(row.getLinkId()),
                new ProgramId(row.getProgramId()),
                new PartnerId(row.getPartnerId()),
                row.getIsBot(),
                row.getBotReason(),
                row.getFraudFlag(),
                row.getCountry(),
                row.getUtmSource(),
                row.getUtmMedium(),
                row.getUtmCampaign(),
                row.getUtmTerm(),
                row.getUtmContent(),
                row.getReferer(),
                row.getUserAgent(),
                row.getDevice(),
                row.getBrowser(),
                row.getOs(),
                row.getReferrerDomain());
    }
}
