package clickledger.api.webhook;

import static java.util.Objects.requireNonNull;

import clickledger.api.outbox.RetrySchedule;
import clickledger.api.secret.SecretBox;
import io.javalin.config.RoutesConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.jooq.DSLContext;

/**
 * The webhook feature wired from its dependencies: the outbox that services publish to, the admin
 * routes, and the delivery worker (unless WEBHOOK_WORKER_ENABLED=false).
 */
public final class Webhooks implements AutoCloseable {
    private final WebhookOutbox outbox;
    private final WebhookRoutes routes;
    private final WebhookWorker worker;

    private Webhooks(WebhookOutbox outbox, WebhookRoutes routes, WebhookWorker worker) {
        this.outbox = outbox;
        this.routes = routes;
        this.worker = worker;
    }

    /** @param disabled told when the worker disables an endpoint that has been failing for too long */
    public static Webhooks create(
            DSLContext dsl,
            Clock clock,
            WebhookConfig config,
            SecretBox secrets,
            WebhookWorker.EndpointDisabledListener disabled,
            MeterRegistry registry) {
        requireNonNull(config, "config is null");
        WebhookOutbox outbox = new WebhookOutbox(clock);
        DestinationGuard guard = DestinationGuard.system(config.allowPrivate());
        WebhookRoutes routes = new WebhookRoutes(new WebhookService(dsl, clock, secrets, guard, outbox));
        WebhookWorker worker = config.workerEnabled()
                ? new WebhookWorker(
                        dsl,
                        clock,
                        config,
                        secrets,
                        guard,
                        new RetrySchedule(
                                config.retryBase(),
                                config.retryCap(),
                                config.maxAttempts(),
                                () -> ThreadLocalRandom.current().nextDouble()),
                        disabled,
                        registry)
                : null;
        return new Webhooks(outbox, routes, worker);
    }

    public WebhookOutbox outbox() {
        return outbox;
    }

    public void register(RoutesConfig routesConfig) {
        routes.register(routesConfig);
    }

    public void start() {
        if (worker != null) {
            worker.start();
        }
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.close();
        }
    }
}
