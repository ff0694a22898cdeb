package clickledger.api.maintenance;

import static java.util.Objects.requireNonNull;

import clickledger.common.config.EnvReader;
import clickledger.common.config.Setting;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the delivery logs from growing for ever on a small box: webhook deliveries that ended
 * (delivered or dead) go with their attempts {@code WEBHOOK_LOG_RETENTION_DAYS} after they were
 * created, mail that ended (sent, dead, expired) {@code MAIL_LOG_RETENTION_DAYS} after it was
 * queued. Pending rows are never touched, however old. Like Stripe's and Svix's delivery logs, what
 * is older is gone, and a dead delivery can no longer be redelivered by hand.
 *
 * <p>Hourly, in batches of {@value #BATCH} rows, each its own short statement (no long transaction,
 * no long lock; rows a worker holds are skipped). Both kinds of id are UUIDv7 of their creation
 * time, so a batch is a range scan of the primary key from where the last one stopped, not a scan
 * of the table; {@code created_at} is checked as well, so an id of another kind is kept, never
 * wrongly deleted. Every api replica may run it: batches skip each other's locked rows.
 */
public final class OutboxRetention implements AutoCloseable {
    public static final Setting WEBHOOK_LOG_RETENTION_DAYS = Setting.withDefault(
            "WEBHOOK_LOG_RETENTION_DAYS",
            "90",
            "webhook deliveries that ended (delivered or dead) are deleted, with their attempts, this many days"
                    + " after they were created; `0` keeps them for ever (0–3650)");
    public static final Setting MAIL_LOG_RETENTION_DAYS = Setting.withDefault(
            "MAIL_LOG_RETENTION_DAYS",
            "30",
            "mail that ended (sent, dead or expired) is deleted, body included, this many days after it was queued;"
                    + " `0` keeps it for ever (0–3650)");
    public static final List<Setting> SETTINGS = List.of(WEBHOOK_LOG_RETENTION_DAYS, MAIL_LOG_RETENTION_DAYS);

    public static final Duration HOURLY = Duration.ofHours(1);
    static final int BATCH = 1_000;
    // A run over a large backlog (the first after an upgrade) logs its progress this often.
    private static final int BATCHES_PER_PROGRESS_LOG = 50;
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRetention.class);

    // One batch: finished rows of a table past the cutoff, from where the last batch stopped.
    private static final String DOOMED =
            """
            with doomed as (
                select id from %s
                where id > ?::uuid and id < ?::uuid and created_at < ?::timestamptz and status <> 'pending'
                order by id
                limit ?
                for update skip locked),
            """;
    private static final String WEBHOOK_BATCH = DOOMED.formatted("webhook_delivery")
            + """
            attempts as (
                delete from webhook_attempt where delivery_id in (select id from doomed) returning 1),
            gone as (
                delete from webhook_delivery where id in (select id from doomed) returning id)
            select (select count(*) from gone) as deleted, (select count(*) from attempts) as attempts,
                   (select max(id::text) from gone) as last_id
            """;
    private static final String MAIL_BATCH = DOOMED.formatted("mail_message")
            + """
            gone as (
                delete from mail_message where id in (select id from doomed) returning id)
            select (select count(*) from gone) as deleted, 0::bigint as attempts, (select max(id::text) from gone) as last_id
            """;
    private static final UUID NIL = new UUID(0, 0);

    /**
     * @param webhookLogDays 0 keeps finished webhook deliveries for ever
     * @param mailLogDays 0 keeps finished mail for ever
     */
    public record Settings(int webhookLogDays, int mailLogDays) {
        public static Settings fromEnv(EnvReader env) {
            return new Settings(
                    env.integer(WEBHOOK_LOG_RETENTION_DAYS, 0, 3_650), env.integer(MAIL_LOG_RETENTION_DAYS, 0, 3_650));
        }
    }

    /** What one run deleted. */
    public record Result(long deliveries, long attempts, long mail) {}

    private final DSLContext dsl;
    private final Clock clock;
    private final Settings settings;
    private final int batchSize;
    private final Counter deliveriesDeleted;
    private final Counter attemptsDeleted;
    private final Counter mailDeleted;
    private final ScheduledExecutorService scheduler;

    public OutboxRetention(DSLContext dsl, Clock clock, Settings settings, MeterRegistry registry) {
        this(dsl, clock, settings, registry, BATCH);
    }

    OutboxRetention(DSLContext dsl, Clock clock, Settings settings, MeterRegistry registry, int batchSize) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.batchSize = batchSize;
        this.deliveriesDeleted = deleted(registry, "webhook_delivery");
        this.attemptsDeleted = deleted(registry, "webhook_attempt");
        this.mailDeleted = deleted(registry, "mail_message");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("outbox-retention").daemon(true).factory());
    }

    private static Counter deleted(MeterRegistry registry, String table) {
        return Counter.builder("clickledger_retention_deleted_total")
                .description(
                        "finished delivery-log rows deleted by WEBHOOK_LOG_RETENTION_DAYS and MAIL_LOG_RETENTION_DAYS")
                .tag("table", table)
                .register(registry);
    }

    /** Runs now (a backlog left by an upgrade goes at once), then every {@code interval}. */
    public void start(Duration interval) {
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::runSafely, 0, millis, TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // A database that is down now must not cancel the later runs.
            LOG.atError().setCause(e).log("delivery-log retention failed; retrying at the next interval");
        }
    }

    /** Deletes every finished row past its retention, batch by batch. */
    public Result runOnce() {
        Instant now = clock.instant();
        Pruned webhooks = prune(
                WEBHOOK_BATCH,
                settings.webhookLogDays(),
                now,
                "webhook deliveries",
                deliveriesDeleted,
                attemptsDeleted);
        Pruned mail = prune(MAIL_BATCH, settings.mailLogDays(), now, "mail messages", mailDeleted, null);
        LOG.atInfo()
                .addKeyValue("webhookDeliveries", webhooks.rows())
                .addKeyValue("webhookAttempts", webhooks.attempts())
                .addKeyValue("mailMessages", mail.rows())
                .log("delivery-log retention ran");
        return new Result(webhooks.rows(), webhooks.attempts(), mail.rows());
    }

    private record Pruned(long rows, long attempts) {}

    // Counted per batch, so a long first run shows in /metrics while it goes.
    private Pruned prune(String sql, int days, Instant now, String what, Counter rowCounter, Counter attemptCounter) {
        if (days == 0) {
            return new Pruned(0, 0);
        }
        Instant cutoff = now.minus(Duration.ofDays(days));
        UUID after = NIL;
        long rows = 0;
        long attempts = 0;
        for (int batch = 1; ; batch++) {
            Record row = dsl.resultQuery(sql, after, firstIdAt(cutoff), utc(cutoff), batchSize)
                    .fetchOne();
            long deleted = row.get("deleted", Long.class);
            long deletedAttempts = row.get("attempts", Long.class);
            rows += deleted;
            attempts += deletedAttempts;
            rowCounter.increment(deleted);
            if (attemptCounter != null) {
                attemptCounter.increment(deletedAttempts);
            }
            if (deleted < batchSize) {
                return new Pruned(rows, attempts);
            }
            after = UUID.fromString(row.get("last_id", String.class));
            progress(what, batch, rows, cutoff);
        }
    }

    private static void progress(String what, int batch, long deleted, Instant cutoff) {
        if (batch % BATCHES_PER_PROGRESS_LOG == 0) {
            LOG.atInfo()
                    .addKeyValue("deleted", deleted)
                    .addKeyValue("olderThan", cutoff.toString())
                    .log("delivery-log retention: deleting " + what + ", still going");
        }
    }

    /**
     * The smallest UUIDv7 of {@code instant}'s millisecond: every id made at that time or later
     * sorts at or above it (PostgreSQL compares uuids byte by byte, the timestamp first).
     */
    static UUID firstIdAt(Instant instant) {
        long millis = instant.toEpochMilli();
        return new UUID((millis << 16) | 0x7000L, 0x8000_0000_0000_0000L);
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
