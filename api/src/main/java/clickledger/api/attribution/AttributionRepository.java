package clickledger.api.attribution;

import static clickledger.db.jooq.Tables.ATTRIBUTION;
import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.IDENTITY;
import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;

import clickledger.common.id.Ulid;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

/** Reads the inputs of attribution (touches, history) and writes its output rows. */
public final class AttributionRepository {
    private AttributionRepository() {}

    /**
     * The user's clicks that may earn credit: stitched to the user in this program, not bots, not
     * flagged, of a partner who is active and not removed from the program. The window is applied
     * by {@link Derivation} so it can tell "no click" from "outside the window". The join matches
     * id and ts, so each click is found in its own monthly partition.
     */
    public static List<Touch> candidates(DSLContext dsl, UUID programId, String userId) {
        return dsl.select(CLICK.ID, CLICK.TS, CLICK.LINK_ID, CLICK.PARTNER_ID)
                .from(IDENTITY)
                .join(CLICK)
                .on(CLICK.ID.eq(IDENTITY.CLICK_ID).and(CLICK.TS.eq(IDENTITY.CLICK_TS)))
                .join(PARTNER)
                .on(PARTNER.ID.eq(CLICK.PARTNER_ID))
                .leftJoin(PARTNER_PROGRAM)
                .on(PARTNER_PROGRAM
                        .PARTNER_ID
                        .eq(CLICK.PARTNER_ID)
                        .and(PARTNER_PROGRAM.PROGRAM_ID.eq(CLICK.PROGRAM_ID)))
                .where(IDENTITY.PROGRAM_ID
                        .eq(programId)
                        .and(IDENTITY.USER_ID.eq(userId))
                        .and(CLICK.PROGRAM_ID.eq(programId))
                        .and(CLICK.IS_BOT.isFalse())
                        .and(CLICK.FRAUD_FLAG.isNull())
                        .and(PARTNER.STATUS.eq("active"))
                        .and(PARTNER_PROGRAM.STATUS.isNull().or(PARTNER_PROGRAM.STATUS.eq("approved"))))
                .fetch(r -> new Touch(
                        r.get(CLICK.ID), r.get(CLICK.TS).toInstant(), r.get(CLICK.LINK_ID), r.get(CLICK.PARTNER_ID)));
    }

    /** Whether the user has identities at all in this program. */
    public static boolean hasIdentity(DSLContext dsl, UUID programId, String userId) {
        return dsl.fetchExists(IDENTITY, IDENTITY.PROGRAM_ID.eq(programId).and(IDENTITY.USER_ID.eq(userId)));
    }

    /**
     * The user's other conversions already credited to the partner (optionally of one type): how
     * many, and the earliest one's time. "Other", not "earlier in time": an older event that
     * arrives late must not become a second "first conversion" after a later one was paid as first.
     */
    public static Derivation.History history(
            DSLContext dsl, UUID programId, UUID partnerId, String userId, String eventType, UUID excludingEventId) {
        Condition condition = ATTRIBUTION
                .PROGRAM_ID
                .eq(programId)
                .and(ATTRIBUTION.PARTNER_ID.eq(partnerId))
                .and(EVENT.USER_ID.eq(userId))
                .and(EVENT.REFUND_OF.isNull())
                .and(EVENT.ID.ne(excludingEventId));
        if (eventType != null) {
            condition = condition.and(EVENT.TYPE.eq(eventType));
        }
        Record record = dsl.select(DSL.countDistinct(EVENT.ID), DSL.min(EVENT.TS))
                .from(ATTRIBUTION)
                .join(EVENT)
                .on(EVENT.ID.eq(ATTRIBUTION.EVENT_ID))
                .where(condition)
                .fetchOne();
        int count = record.get(0, Integer.class);
        OffsetDateTime first = record.get(1, OffsetDateTime.class);
        return new Derivation.History(count, first == null ? null : first.toInstant());
    }

    /** Writes one row per credited touch and returns their ids in the same order. */
    public static List<UUID> insert(
            DSLContext trx,
            UUID eventId,
            UUID programId,
            Derivation.Result result,
            String currency,
            Instant createdAt) {
        List<UUID> ids = new ArrayList<>();
        for (Derivation.Credit credit : result.credits()) {
            UUID id = Ulid.newUuidV7(createdAt.toEpochMilli());
            ids.add(id);
            trx.insertInto(ATTRIBUTION)
                    .set(ATTRIBUTION.ID, id)
                    .set(ATTRIBUTION.EVENT_ID, eventId)
                    .set(ATTRIBUTION.CLICK_ID, credit.touch().clickId())
                    .set(ATTRIBUTION.CLICK_TS, credit.touch().clickTs().atOffset(ZoneOffset.UTC))
                    .set(ATTRIBUTION.LINK_ID, credit.touch().linkId())
                    .set(ATTRIBUTION.PARTNER_ID, credit.touch().partnerId())
                    .set(ATTRIBUTION.PROGRAM_ID, programId)
                    .set(ATTRIBUTION.MODEL, result.model().wire())
                    .set(ATTRIBUTION.WEIGHT, credit.weight())
                    .set(ATTRIBUTION.VALUE_MINOR, credit.valueMinor())
                    .set(ATTRIBUTION.CURRENCY, currency)
                    .set(ATTRIBUTION.CREATED_AT, createdAt.atOffset(ZoneOffset.UTC))
                    .execute();
        }
        return ids;
    }

    public static void deleteForEvent(DSLContext trx, UUID eventId) {
        trx.deleteFrom(ATTRIBUTION).where(ATTRIBUTION.EVENT_ID.eq(eventId)).execute();
    }

    /** A stored credit, as the API shows it. */
    public record Stored(
            UUID id, UUID clickId, UUID linkId, UUID partnerId, String model, BigDecimal weight, long valueMinor) {}

    public static List<Stored> forEvent(DSLContext dsl, UUID eventId) {
        return dsl.selectFrom(ATTRIBUTION)
                .where(ATTRIBUTION.EVENT_ID.eq(eventId))
                .orderBy(ATTRIBUTION.CLICK_TS, ATTRIBUTION.CLICK_ID)
                .fetch(r -> new Stored(
                        r.getId(),
                        r.getClickId(),
                        r.getLinkId(),
                        r.getPartnerId(),
                        r.getModel(),
                        r.getWeight(),
                        r.getValueMinor()));
    }
}
