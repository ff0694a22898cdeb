package clickledger.api.stats;

import static clickledger.db.jooq.Tables.ATTRIBUTION;
import static clickledger.db.jooq.Tables.CLICK;
import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.LINK;
import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PROGRAM;

import clickledger.api.TestApi;
import clickledger.common.id.Ulid;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Writes the raw and derived rows stats read, straight into a database with jOOQ, the way the
 * router (clicks) and the SDK api (events, attribution, commissions) store them. Works on any
 * database, so the replica test can seed the read database differently from the primary.
 */
final class StatsSeed {
    private final DSLContext dsl;

    StatsSeed(DSLContext dsl) {
        this.dsl = dsl;
    }

    record Link(UUID id, UUID programId, UUID partnerId) {}

    UUID program(String currency) {
        UUID id = UUID.randomUUID();
        dsl.insertInto(PROGRAM)
                .set(PROGRAM.ID, id)
                .set(PROGRAM.SLUG, TestApi.unique("stats-program-"))
                .set(PROGRAM.NAME, "Stats program")
                .set(PROGRAM.DESTINATION_URL, "https://shop.example.com/")
                .set(PROGRAM.CURRENCY, currency)
                .execute();
        return id;
    }

    UUID partner() {
        UUID id = UUID.randomUUID();
        dsl.insertInto(PARTNER)
                .set(PARTNER.ID, id)
                .set(PARTNER.EMAIL, TestApi.unique("stats-partner") + "@example.com")
                .set(PARTNER.NAME, "Partner")
                .execute();
        return id;
    }

    Link link(UUID programId, UUID partnerId) {
        UUID id = UUID.randomUUID();
        dsl.insertInto(LINK)
                .set(LINK.ID, id)
                .set(LINK.SLUG, TestApi.unique("stats-link-"))
                .set(LINK.PROGRAM_ID, programId)
                .set(LINK.PARTNER_ID, partnerId)
                .execute();
        return new Link(id, programId, partnerId);
    }

    /** A human click that is neither a bot nor flagged. */
    void click(Link link, String at, int visitor) {
        click(link, Instant.parse(at), visitor, false, null);
    }

    /** @param visitor the same number is the same visitor (ip hash) */
    void click(Link link, Instant at, int visitor, boolean bot, String fraudFlag) {
        dsl.insertInto(CLICK)
                .set(CLICK.ID, Ulid.newUuidV7(at.toEpochMilli()))
                .set(CLICK.TS, at.atOffset(ZoneOffset.UTC))
                .set(CLICK.LINK_ID, link.id())
                .set(CLICK.PROGRAM_ID, link.programId())
                .set(CLICK.PARTNER_ID, link.partnerId())
                .set(CLICK.IP_HASH, ipHash(visitor))
                .set(CLICK.IS_BOT, bot)
                .set(CLICK.BOT_REASON, bot ? "user_agent" : null)
                .set(CLICK.FRAUD_FLAG, fraudFlag)
                .execute();
    }

    /** An attributed, non-refund event: a conversion. */
    UUID conversion(UUID programId, String at, long valueMinor, String currency) {
        return event(programId, Instant.parse(at), valueMinor, currency, "attributed", null);
    }

    UUID event(UUID programId, Instant at, long valueMinor, String currency, String status, UUID refundOf) {
        UUID id = Ulid.newUuidV7(at.toEpochMilli());
        dsl.insertInto(EVENT)
                .set(EVENT.ID, id)
                .set(EVENT.PROGRAM_ID, programId)
                .set(EVENT.EVENT_KEY, id.toString())
                .set(EVENT.USER_ID, "user-" + id)
                .set(EVENT.TYPE, refundOf == null ? "purchase" : "refund")
                .set(EVENT.VALUE_MINOR, valueMinor)
                .set(EVENT.CURRENCY, currency)
                .set(EVENT.REFUND_OF, refundOf)
                .set(EVENT.TS, at.atOffset(ZoneOffset.UTC))
                .set(EVENT.ATTRIBUTION_STATUS, status)
                .execute();
        return id;
    }

    /** One credited touch of an event on a link, with its share of the event's value. */
    UUID attribution(UUID eventId, Link link, String weight, long valueMinor) {
        UUID id = UUID.randomUUID();
        OffsetDateTime clickTs = OffsetDateTime.parse("2030-01-01T00:00:00Z");
        dsl.insertInto(ATTRIBUTION)
                .set(ATTRIBUTION.ID, id)
                .set(ATTRIBUTION.EVENT_ID, eventId)
                .set(ATTRIBUTION.CLICK_ID, Ulid.newUuidV7(clickTs.toInstant().toEpochMilli()))
                .set(ATTRIBUTION.CLICK_TS, clickTs)
                .set(ATTRIBUTION.LINK_ID, link.id())
                .set(ATTRIBUTION.PARTNER_ID, link.partnerId())
                .set(ATTRIBUTION.PROGRAM_ID, link.programId())
                .set(ATTRIBUTION.MODEL, "linear")
                .set(ATTRIBUTION.WEIGHT, new BigDecimal(weight))
                .set(ATTRIBUTION.VALUE_MINOR, valueMinor)
                .execute();
        return id;
    }

    /** A rule-made commission for the touch {@code attributionId} of {@code link}. */
    UUID commission(UUID eventId, UUID attributionId, Link link, long amountMinor, String currency, String status) {
        return commission(eventId, attributionId, link, amountMinor, currency, status, "commission", null);
    }

    UUID commission(
            UUID eventId,
            UUID attributionId,
            Link link,
            long amountMinor,
            String currency,
            String status,
            String kind,
            UUID reversesId) {
        UUID id = UUID.randomUUID();
        dsl.insertInto(COMMISSION)
                .set(COMMISSION.ID, id)
                .set(COMMISSION.EVENT_ID, eventId)
                .set(COMMISSION.ATTRIBUTION_ID, attributionId)
                .set(COMMISSION.PARTNER_ID, link.partnerId())
                .set(COMMISSION.PROGRAM_ID, link.programId())
                .set(COMMISSION.AMOUNT_MINOR, amountMinor)
                .set(COMMISSION.CURRENCY, currency)
                .set(COMMISSION.STATUS, status)
                .set(COMMISSION.KIND, kind)
                .set(COMMISSION.REVERSES_ID, reversesId)
                .set(COMMISSION.HOLD_UNTIL, OffsetDateTime.parse("2030-06-01T00:00:00Z"))
                .execute();
        return id;
    }

    /**
     * Waits until the api's rollup job finished its first run (the one at start), so a test's own
     * rollups and clock changes never race it. The job's timer is on /metrics.
     */
    static void awaitFirstRollupRun(TestApi api) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String metrics = api.send("GET", "/metrics", null, null).body();
            if (java.util.regex.Pattern.compile("(?m)^clickledger_click_rollup_seconds_count(\\{[^}]*})? [1-9]")
                    .matcher(metrics)
                    .find()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("the click rollup job did not run at start");
    }

    /** Recomputes the money of every day the triggers noted, as the rollup job does. */
    static void applyMoneyChanges(DSLContext dsl) {
        MoneyRollup money = new MoneyRollup(dsl);
        while (money.tryApplyChanges().orElseThrow().days() > 0) {
            // until nothing is pending
        }
    }

    static byte[] ipHash(int visitor) {
        return ByteBuffer.allocate(16).putLong(0x5eed).putLong(visitor).array();
    }
}
