package clickledger.api.mail;

import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.COMMISSION_DIGEST_ITEM;
import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.CommissionService;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily "commissions approved" mail: one per partner a day, not one per commission. An
 * approval (by an admin, in bulk, or by the auto-approval job) notes each approved commission in
 * commission_digest_item, in its own transaction ({@link #changed}); once a day, at MAIL_DIGEST_HOUR
 * UTC, {@link #runOnce} turns each partner's notes from before that hour into one mail and marks
 * them with it, in one transaction, so a note is mailed once or not at all.
 *
 * <p>Every replica runs the check; a transaction-scoped advisory lock lets one of them do a run at a
 * time, and the notes marked by a run are not due again, so replicas neither skip nor double a
 * partner's mail.
 */
public final class CommissionDigest implements CommissionService.CommissionListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommissionDigest.class);
    // "cldgest1" in ASCII: the one advisory lock of the digest, across replicas.
    private static final long LOCK_KEY = 0x636C_6467_6573_7431L;
    // How often a replica checks whether a digest is due; the mail goes at most this late.
    private static final long CHECK_MINUTES = 5;
    // Marks a note the digest closed without a mail (its commission was no longer approved).
    private static final UUID NO_MAIL = new UUID(0, 0);

    private final DSLContext dsl;
    private final Clock clock;
    private final Mailer mailer;
    private final int hour;
    private final ScheduledExecutorService scheduler;

    public CommissionDigest(DSLContext dsl, Clock clock, Mailer mailer, int hour) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.mailer = requireNonNull(mailer, "mailer is null");
        this.hour = hour;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("commission-digest").daemon(true).factory());
    }

    /** Notes approved commissions (rule-made ones: reversals and adjustments are not news to announce). */
    @Override
    public void changed(DSLContext trx, String event, List<CommissionRow> rows) {
        if (!"commission.approved".equals(event)) {
            return;
        }
        Instant now = clock.instant();
        var insert = trx.insertInto(
                COMMISSION_DIGEST_ITEM,
                COMMISSION_DIGEST_ITEM.COMMISSION_ID,
                COMMISSION_DIGEST_ITEM.PARTNER_ID,
                COMMISSION_DIGEST_ITEM.APPROVED_AT);
        boolean any = false;
        for (CommissionRow row : rows) {
            if ("commission".equals(row.kind()) && row.amountMinor() > 0) {
                insert = insert.values(row.id(), row.partnerId(), now.atOffset(ZoneOffset.UTC));
                any = true;
            }
        }
        if (any) {
            // A commission is approved once (rejected is final); a repeated note changes nothing.
            insert.onConflictDoNothing().execute();
        }
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::runSafely, 1, CHECK_MINUTES * 60, TimeUnit.SECONDS);
    }

    /** The last digest time at or before {@code now}: today at the hour, or yesterday's. */
    Instant lastDigestTime(Instant now) {
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant todays = today.atTime(hour, 0).toInstant(ZoneOffset.UTC);
        return now.isBefore(todays) ? todays.minusSeconds(86_400) : todays;
    }

    /**
     * Mails every partner whose notes are due (approved before the last digest time); returns how
     * many mails it queued, 0 when another replica holds the run.
     */
    public int runOnce() {
        Instant cutoff = lastDigestTime(clock.instant());
        return dsl.transactionResult(configuration -> {
            DSLContext trx = configuration.dsl();
            Boolean locked = trx.select(DSL.field("pg_try_advisory_xact_lock({0})", Boolean.class, LOCK_KEY))
                    .fetchOne(0, Boolean.class);
            if (!Boolean.TRUE.equals(locked)) {
                return 0;
            }
            // By commission_digest_item_due_idx, then each commission and its event by primary key.
            var rows = trx.select(
                            COMMISSION_DIGEST_ITEM.COMMISSION_ID,
                            COMMISSION_DIGEST_ITEM.PARTNER_ID,
                            COMMISSION.STATUS,
                            COMMISSION.AMOUNT_MINOR,
                            COMMISSION.CURRENCY,
                            PROGRAM.NAME,
                            EVENT.TS,
                            EVENT.TYPE,
                            PROGRAM.ID)
                    .from(COMMISSION_DIGEST_ITEM)
                    .leftJoin(COMMISSION)
                    .on(COMMISSION.ID.eq(COMMISSION_DIGEST_ITEM.COMMISSION_ID))
                    .leftJoin(PROGRAM)
                    .on(PROGRAM.ID.eq(COMMISSION.PROGRAM_ID))
                    .leftJoin(EVENT)
                    .on(EVENT.ID.eq(COMMISSION.EVENT_ID))
                    .where(COMMISSION_DIGEST_ITEM.MAIL_ID.isNull())
                    .and(COMMISSION_DIGEST_ITEM.APPROVED_AT.lt(cutoff.atOffset(ZoneOffset.UTC)))
                    .orderBy(COMMISSION_DIGEST_ITEM.PARTNER_ID, EVENT.TS, COMMISSION_DIGEST_ITEM.COMMISSION_ID)
                    .forUpdate()
                    .of(COMMISSION_DIGEST_ITEM)
                    .fetch();
            Map<UUID, List<Mailer.DigestLine>> byPartner = new LinkedHashMap<>();
            Map<UUID, List<UUID>> notes = new LinkedHashMap<>();
            for (var row : rows) {
                UUID partnerId = row.value2();
                notes.computeIfAbsent(partnerId, id -> new ArrayList<>()).add(row.value1());
                // Gone (re-derived) or no longer approved (rejected, reversed): nothing to announce.
                String status = row.value3();
                if (!"approved".equals(status) && !"paid".equals(status)) {
                    continue;
                }
                byPartner
                        .computeIfAbsent(partnerId, id -> new ArrayList<>())
                        .add(new Mailer.DigestLine(
                                row.value9(),
                                row.value6(),
                                row.value7().toInstant(),
                                row.value8(),
                                row.value4(),
                                row.value5().strip()));
            }
            int mails = 0;
            for (Map.Entry<UUID, List<UUID>> partner : notes.entrySet()) {
                List<Mailer.DigestLine> lines = byPartner.getOrDefault(partner.getKey(), List.of());
                UUID mailId = null;
                if (!lines.isEmpty()) {
                    mailId = mailer.commissionDigest(trx, partner.getKey(), lines, totals(lines));
                    mails++;
                }
                markDone(trx, partner.getValue(), mailId);
            }
            return mails;
        });
    }

    // Notes without a mail (their commissions were all rejected meanwhile) are marked NO_MAIL, so
    // they are not due again.
    private static void markDone(DSLContext trx, List<UUID> commissionIds, UUID mailId) {
        trx.update(COMMISSION_DIGEST_ITEM)
                .set(COMMISSION_DIGEST_ITEM.MAIL_ID, mailId == null ? NO_MAIL : mailId)
                .where(COMMISSION_DIGEST_ITEM.COMMISSION_ID.in(commissionIds))
                .execute();
    }

    /** "49.00 USD, 1,000 JPY": the sum per currency, in the order the currencies first appear. */
    private static List<String> totals(List<Mailer.DigestLine> lines) {
        Map<String, Long> sums = new LinkedHashMap<>();
        for (Mailer.DigestLine line : lines) {
            sums.merge(line.currency(), line.amountMinor(), Long::sum);
        }
        List<String> totals = new ArrayList<>();
        sums.forEach((currency, minor) -> totals.add(Mailer.money(minor, currency)));
        return totals;
    }

    // An exception escaping a scheduled task would cancel every later run.
    private void runSafely() {
        try {
            int mails = runOnce();
            if (mails > 0) {
                LOG.atInfo().addKeyValue("mails", mails).log("commission digests queued");
            }
        } catch (RuntimeException e) {
            LOG.atError().setCause(e).log("commission digest failed; retrying at the next check");
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
