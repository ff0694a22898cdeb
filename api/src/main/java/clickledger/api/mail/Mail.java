package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import clickledger.api.outbox.RetrySchedule;
import clickledger.api.secret.SecretBox;
import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail wired from its dependencies: the {@link Mailer} that services queue messages with, the
 * commission digest, the admins' mail log routes, and the worker that sends (unless
 * MAIL_WORKER_ENABLED=false), through SMTP_URL or to .eml files in MAIL_DIR.
 */
public final class Mail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mail.class);

    private final MailConfig config;
    private final Mailer mailer;
    private final CommissionDigest digest;
    private final MailRoutes routes;
    private final MailTransport transport;
    private final MailWorker worker;

    private Mail(
            MailConfig config,
            Mailer mailer,
            CommissionDigest digest,
            MailRoutes routes,
            MailTransport transport,
            MailWorker worker) {
        this.config = config;
        this.mailer = mailer;
        this.digest = digest;
        this.routes = routes;
        this.transport = transport;
        this.worker = worker;
    }

    /** @param portalUrl PORTAL_URL: the links in mail point there */
    public static Mail create(
            DSLContext dsl,
            Clock clock,
            MailConfig config,
            SecretBox secrets,
            String portalUrl,
            MeterRegistry registry) {
        requireNonNull(config, "config is null");
        MailOutbox outbox = new MailOutbox(clock, secrets);
        Mailer mailer = new Mailer(outbox, new PortalLinks(portalUrl));
        MailTransport transport = config.smtp().isPresent()
                ? new SmtpTransport(config.smtp().get(), config.from(), config.startTls(), config.timeout(), clock)
                : new FileTransport(config.directory(), config.from(), clock);
        MailWorker worker = config.workerEnabled()
                ? new MailWorker(
                        dsl,
                        clock,
                        config,
                        outbox,
                        transport,
                        new RetrySchedule(
                                config.retryBase(),
                                config.retryCap(),
                                config.maxAttempts(),
                                () -> ThreadLocalRandom.current().nextDouble()),
                        registry)
                : null;
        MailRoutes routes =
                new MailRoutes(dsl, clock, config, transport.name(), worker == null ? () -> {} : worker::wake);
        CommissionDigest digest = new CommissionDigest(dsl, clock, mailer, config.digestHour());
        return new Mail(config, mailer, digest, routes, transport, worker);
    }

    public Mailer mailer() {
        return mailer;
    }

    /** Notes approved commissions for the daily digest; a listener of every approval. */
    public CommissionDigest digest() {
        return digest;
    }

    public void register(RoutesConfig routesConfig) {
        routes.register(routesConfig);
    }

    public void start() {
        LOG.atInfo()
                .addKeyValue("transport", transport.name())
                .addKeyValue("destination", config.destination())
                .addKeyValue("worker", worker != null)
                .log("mail goes to " + config.destination());
        if (worker != null) {
            worker.start();
        }
        digest.start();
    }

    @Override
    public void close() {
        try {
            digest.close();
        } finally {
            try {
                if (worker != null) {
                    worker.close();
                }
            } finally {
                transport.close();
            }
        }
    }
}
