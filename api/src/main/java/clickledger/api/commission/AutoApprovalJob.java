package clickledger.api.commission;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.common.id.Ulid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Approves pending commissions once their hold has passed (event time + holdback days), unless
 * flagged. Rows are claimed with FOR UPDATE SKIP LOCKED, so several api replicas can run it.
 */
public final class AutoApprovalJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AutoApprovalJob.class);
    // Rows per transaction: keeps each transaction short when a backlog has built up.
    private static final int BATCH = 500;

    private final DSLContext dsl;
    private final Clock clock;
    private final Duration interval;
    private final CommissionService.CommissionListener listener;
    private final ScheduledExecutorService scheduler;

    public AutoApprovalJob(
            DSLContext dsl, Clock clock, Duration interval, CommissionService.CommissionListener listener) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("commission-approval").daemon(true).factory());
    }

    public void start() {
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::runSafely, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Approves everything due now; returns how many. */
    public int runOnce() {
        int total = 0;
        while (true) {
            Instant now = clock.instant();
            List<UUID> approved = dsl.transactionResult(configuration -> {
                DSLContext trx = configuration.dsl();
                List<UUID> ids = CommissionRepository.approveDue(trx, now, BATCH);
                AuditRepository audit = new AuditRepository(trx);
                List<CommissionRow> rows = new ArrayList<>();
                for (UUID id : ids) {
                    audit.append(new AuditEntry(
                            now,
                            "system:auto-approval",
                            "commission.approve",
                            "commission",
                            Ulid.encode(id),
                            Map.of("status", "approved")));
                    rows.add(CommissionRepository.find(trx, id).orElseThrow());
                }
                listener.changed(trx, "commission.approved", rows);
                return ids;
            });
            total += approved.size();
            if (approved.size() < BATCH) {
                return total;
            }
        }
    }

    // An exception escaping a scheduled task would cancel every later run.
    private void runSafely() {
        try {
            int approved = runOnce();
            if (approved > 0) {
                LOG.atInfo().addKeyValue("approved", approved).log("commissions auto-approved");
            }
        } catch (RuntimeException e) {
            LOG.atError().setCause(e).log("commission auto-approval failed; retrying at the next interval");
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
