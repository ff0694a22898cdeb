package clickledger.api.mail;

import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.PageRequest;
import clickledger.api.http.PathIds;
import clickledger.api.partner.Email;
import clickledger.web.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The mail log, for admins: {@code GET /v1/mail} (filter by status, kind, recipient),
 * {@code GET /v1/mail/{id}}, {@code POST /v1/mail/{id}/resend} (a dead message, once its cause is
 * fixed) and {@code GET /v1/mail/status} (where mail goes, and what is waiting). Never a body: it
 * carries single-use links.
 */
public final class MailRoutes {
    private static final Set<String> STATUSES =
            Set.of(MailRepository.PENDING, MailRepository.SENT, MailRepository.DEAD, MailRepository.EXPIRED);

    private final DSLContext dsl;
    private final Clock clock;
    private final MailConfig config;
    private final String transport;
    private final Runnable wake;

    MailRoutes(DSLContext dsl, Clock clock, MailConfig config, String transport, Runnable wake) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.config = requireNonNull(config, "config is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.wake = requireNonNull(wake, "wake is null");
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/mail", this::list);
        routes.get("/v1/mail/status", this::status);
        routes.get("/v1/mail/{id}", ctx -> {
            Access.requireAdmin(ctx);
            ctx.json(new MailRepository(dsl).find(PathIds.id(ctx)).orElseThrow(() -> ApiException.notFound("mail")));
        });
        routes.post("/v1/mail/{id}/resend", this::resend);
    }

    private void list(Context ctx) {
        Access.requireAdmin(ctx);
        FieldErrors errors = new FieldErrors();
        String status = ctx.queryParam("status");
        if (status != null && !status.isEmpty() && !STATUSES.contains(status)) {
            errors.add("status", "must be one of pending, sent, dead, expired");
        }
        String kindText = ctx.queryParam("kind");
        MailKind kind =
                kindText == null || kindText.isEmpty() ? null : errors.check(() -> MailKind.fromWire("kind", kindText));
        String to = ctx.queryParam("to");
        String recipient = null;
        if (to != null && !to.isBlank()) {
            try {
                recipient = new Email(to).value();
            } catch (ApiException e) {
                errors.add("to", "must be an email address");
            }
        }
        PageRequest page = errors.check(() -> PageRequest.from(ctx));
        errors.throwIfAny();
        String statusFilter = status == null || status.isEmpty() ? null : status;
        ctx.json(new MailRepository(dsl).list(statusFilter, kind, recipient, page));
    }

    private void status(Context ctx) {
        Access.requireAdmin(ctx);
        Map<String, Integer> counts = new MailRepository(dsl).countsByStatus();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("transport", transport);
        body.put("from", config.from().toString());
        config.smtp().ifPresent(smtp -> body.put("host", smtp.host() + ":" + smtp.port()));
        if (config.smtp().isEmpty()) {
            body.put("directory", config.directory().toAbsolutePath().toString());
        }
        body.put("pending", counts.getOrDefault(MailRepository.PENDING, 0));
        body.put("dead", counts.getOrDefault(MailRepository.DEAD, 0));
        ctx.json(body);
    }

    private void resend(Context ctx) {
        Access.requireAdmin(ctx);
        UUID id = PathIds.id(ctx);
        MailView view = dsl.transactionResult(configuration -> {
            MailRepository messages = new MailRepository(configuration.dsl());
            var row = messages.findForUpdate(id).orElseThrow(() -> ApiException.notFound("mail"));
            if (!MailRepository.DEAD.equals(row.getStatus())) {
                throw ApiException.conflict(
                        "not_dead", "status: only a dead message is sent again; this one is " + row.getStatus());
            }
            if (row.getExpiresAt() != null
                    && !clock.instant().isBefore(row.getExpiresAt().toInstant())) {
                throw ApiException.conflict(
                        "mail_expired",
                        "expiresAt: the links in this message have expired; ask for a new link instead");
            }
            messages.requeue(id, clock.instant());
            return messages.find(id).orElseThrow();
        });
        wake.run();
        ctx.status(202).json(view);
    }
}
