package clickledger.portal.admin.mail;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.ListPage;
import clickledger.portal.api.Mail;
import clickledger.portal.api.MailClient;
import clickledger.portal.api.Parallel;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Option;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Paging;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mail delivery log: where mail goes (an SMTP server, or .eml files without SMTP_URL), every
 * message with its status and last error, and a resend for the dead ones. Never a body: mail holds
 * single-use links, and the api does not give them out.
 */
public final class MailRoutes {
    static final String SECTION = "mail";

    public static final List<Option> STATUSES =
            Option.of("", "Any", "pending", "Waiting", "sent", "Sent", "dead", "Dead", "expired", "Expired");

    /** The kinds of CONTRACT-15, named as an admin would. */
    public static final List<Option> KINDS = Option.of(
            "", "Any",
            "partner_invitation", "Partner invitation",
            "program_added", "Program added",
            "application_received", "Application received",
            "application_approved", "Application approved",
            "application_rejected", "Application rejected",
            "password_reset", "Password reset",
            "email_change", "Email change",
            "email_changed", "Email changed",
            "commission_digest", "Commission digest",
            "payout_paid", "Payout paid",
            "payout_details_changed", "Payout details changed",
            "admin_invitation", "Admin invitation",
            "webhook_disabled", "Webhook disabled");

    public record MailPage(
            Layout layout,
            Mail.Status status,
            List<Mail> mail,
            String statusFilter,
            String kind,
            String to,
            Paging paging) {
        public String kindLabel(String kind) {
            return KINDS.stream()
                    .filter(option -> option.value().equals(kind))
                    .map(Option::label)
                    .findFirst()
                    .orElse(kind);
        }
    }

    private final Pages pages;
    private final MailClient mail;

    public MailRoutes(Pages pages, MailClient mail) {
        this.pages = requireNonNull(pages, "pages is null");
        this.mail = requireNonNull(mail, "mail is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/mail", this::list);
        routes.post("/mail/{id}/resend", this::resend);
    }

    private void list(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String status = Params.text(ctx, "status");
        String kind = Params.text(ctx, "kind");
        String to = Params.text(ctx, "to");
        String cursor = ctx.queryParam("cursor");
        var loaded = Parallel.both(() -> mail.status(caller), () -> mail.list(caller, status, kind, to, cursor));
        ListPage<Mail> page = loaded.second();
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("status", status);
        filters.put("kind", kind);
        filters.put("to", to);
        pages.render(
                ctx,
                "admin/mail/list.jte",
                new MailPage(
                        pages.layout(ctx, "Mail", SECTION),
                        loaded.first(),
                        page.items(),
                        status,
                        kind,
                        to,
                        Paging.of("/mail", filters, cursor == null, page.nextCursor())));
    }

    private void resend(Context ctx) {
        try {
            Mail queued = mail.resend(Pages.caller(ctx), ctx.pathParam("id"));
            pages.redirect(ctx, "/mail", "Mail to " + queued.to() + " queued again.");
        } catch (ApiProblem e) {
            if (e.status() != 409) {
                throw e;
            }
            pages.redirect(
                    ctx,
                    "/mail",
                    "mail_expired".equals(e.code())
                            ? "Not sent again: its links have expired. Send a new invitation or reset instead."
                            : "Only dead mail can be sent again; this one is not dead.");
        }
    }
}
