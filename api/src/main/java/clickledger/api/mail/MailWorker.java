package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import clickledger.api.outbox.LeasedWorker;
import clickledger.api.outbox.RetrySchedule;
import clickledger.common.id.Ulid;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the mail outbox, as a {@link LeasedWorker.Queue} of the loop the webhooks use too: claims
 * due messages (SKIP LOCKED and a lease, so every api replica can run one and none sends a message
 * another holds), sends each through the transport, and writes the outcome while it still holds
 * the lease. A failure is retried on the {@link RetrySchedule} (MAIL_RETRY_*); an SMTP 5xx reply
 * is final (dead at once); a message whose links expired before it could go is not sent at all.
 *
 * <p>Delivery is at least once: a worker that dies after the server accepted a message and before
 * writing so sends it again when the lease ends, with the same Message-ID.
 */
final class MailWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MailWorker.class);

    private final DSLContext dsl;
    private final Clock clock;
    private final MailOutbox outbox;
    private final MailTransport transport;
    private final RetrySchedule schedule;
    private final LeasedWorker<MailRepository.Claimed> loop;
    private final Counter sent;
    private final Counter failed;
    private final Counter dead;
    private final Counter expired;

    MailWorker(
            DSLContext dsl,
            Clock clock,
            MailConfig config,
            MailOutbox outbox,
            MailTransport transport,
            RetrySchedule schedule,
            MeterRegistry registry) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.schedule = requireNonNull(schedule, "schedule is null");
        this.loop = new LeasedWorker<>(
                "mail",
                new LeasedWorker.Queue<>() {
                    @Override
                    public List<MailRepository.Claimed> claim(int slots, Duration lease) {
                        return new MailRepository(dsl).claim(slots, clock.instant(), lease);
                    }

                    @Override
                    public void deliver(MailRepository.Claimed claimed) {
                        MailWorker.this.deliver(claimed);
                    }
                },
                config.concurrency(),
                config.pollInterval(),
                LeasedWorker.leaseFor(config.timeout()));
        this.sent = Counter.builder("mail_attempts").tag("outcome", "sent").register(registry);
        this.failed = Counter.builder("mail_attempts").tag("outcome", "failed").register(registry);
        this.dead = Counter.builder("mail_messages_dead").register(registry);
        this.expired = Counter.builder("mail_messages_expired").register(registry);
        registry.gauge("mail_in_flight", loop, LeasedWorker::inFlight);
    }

    MailWorker start() {
        loop.start();
        return this;
    }

    /** Looks for due messages now rather than at the next poll. */
    void wake() {
        loop.wake();
    }

    private void deliver(MailRepository.Claimed claimed) {
        MailRepository messages = new MailRepository(dsl);
        Instant now = clock.instant();
        if (claimed.expiresAt() != null && !now.isBefore(claimed.expiresAt())) {
            if (messages.recordExpired(claimed, now)) {
                expired.increment();
                LOG.atWarn()
                        .addKeyValue("mailId", Ulid.encode(claimed.id()))
                        .addKeyValue("kind", claimed.kind())
                        .log("mail not sent: the links in it expired before it could go");
            }
            return;
        }
        MailOutbox.Body body;
        try {
            body = outbox.open(claimed.id(), claimed.body());
        } catch (RuntimeException e) {
            // Another SECRETS_ENCRYPTION_KEY, or a body altered in the database: no retry can help.
            fail(messages, claimed, new MailTransport.SendFailure("body_unreadable: " + e.getMessage(), true, e));
            return;
        }
        MailTransport.Envelope envelope = new MailTransport.Envelope(
                Ulid.encode(claimed.id()),
                claimed.kind(),
                claimed.recipient(),
                claimed.subject(),
                body.text(),
                body.html(),
                body.links());
        try {
            transport.send(envelope);
        } catch (MailTransport.SendFailure failure) {
            fail(messages, claimed, failure);
            return;
        }
        sent.increment();
        if (!messages.recordSent(claimed, clock.instant())) {
            leaseLost(claimed);
        }
    }

    private void fail(MailRepository messages, MailRepository.Claimed claimed, MailTransport.SendFailure failure) {
        failed.increment();
        int attemptsMade = claimed.attemptsBefore() + 1;
        RetrySchedule.Next next = failure.permanent()
                ? new RetrySchedule.Next(true, clock.instant())
                : schedule.next(attemptsMade, Optional.empty(), clock.instant());
        String status = next.dead() ? MailRepository.DEAD : MailRepository.PENDING;
        if (!messages.recordFailure(claimed, status, next.at(), failure.getMessage())) {
            leaseLost(claimed);
            return;
        }
        var log = next.dead() ? LOG.atWarn() : LOG.atInfo();
        log.addKeyValue("mailId", Ulid.encode(claimed.id()))
                .addKeyValue("kind", claimed.kind())
                .addKeyValue("attempts", attemptsMade)
                .addKeyValue("error", failure.getMessage())
                .addKeyValue("nextAttemptAt", next.dead() ? null : next.at())
                .log(
                        next.dead()
                                ? "mail is dead; an admin can send it again from the mail log"
                                : "mail failed; will retry");
        if (next.dead()) {
            dead.increment();
        }
    }

    private static void leaseLost(MailRepository.Claimed claimed) {
        LOG.atWarn()
                .addKeyValue("mailId", Ulid.encode(claimed.id()))
                .log("mail lease had expired before its outcome was written; another worker has it now");
    }

    @Override
    public void close() {
        loop.close();
    }
}
