package clickledger.portal.admin.partner;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.Api;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Caller;
import clickledger.portal.api.Membership;
import clickledger.portal.api.Parallel;
import clickledger.portal.api.PartnerInvitation;
import clickledger.portal.api.Program;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Layout;
import clickledger.portal.web.Pages;
import clickledger.portal.web.Params;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Inviting a partner by email to one or more programs: the api finds or creates the partner, makes
 * it an approved member of each, and mails the link to set a password (or, to someone who signs in
 * already, that the programs were added). The link is shown once here too, in case the mail is
 * slow to arrive. Open invitations can be withdrawn from the partner's page.
 */
public final class PartnerInvitationRoutes {
    static final Set<String> FIELDS = Set.of("email", "name", "programIds", "programIds[");

    /** The form as typed: {@code programIds} are the ticked programs. */
    public record InviteForm(String email, String name, Set<String> programIds) {
        public InviteForm {
            programIds = Set.copyOf(programIds);
        }

        public boolean ticked(String programId) {
            return programIds.contains(programId);
        }
    }

    public record InvitePage(Layout layout, InviteForm form, List<Program> programs, FieldErrors errors) {
        /** The api names a bad program by its place in the list it got ({@code programIds[1]}); shown as one. */
        public String programsError() {
            if (errors.get("programIds") != null) {
                return errors.get("programIds");
            }
            return errors.byField().entrySet().stream()
                    .filter(entry -> entry.getKey().startsWith("programIds["))
                    .map(entry -> "One of the programs: " + entry.getValue())
                    .findFirst()
                    .orElse(null);
        }
    }

    public record InvitedPage(Layout layout, PartnerInvitation.Sent sent) {}

    private final Pages pages;
    private final Api api;

    public PartnerInvitationRoutes(Pages pages, Api api) {
        this.pages = requireNonNull(pages, "pages is null");
        this.api = requireNonNull(api, "api is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/partners/invite", this::form);
        routes.post("/partners/invite", this::invite);
        routes.post("/partners/{id}/invitations/{invitationId}/withdraw", this::withdraw);
    }

    /**
     * {@code ?partnerId=} starts from a partner: its email, and the programs it is an approved
     * member of; {@code ?programId=} ticks one program.
     */
    private void form(Context ctx) {
        Caller caller = Pages.caller(ctx);
        String partnerId = Params.text(ctx, "partnerId");
        String programId = Params.text(ctx, "programId");
        Set<String> ticked = new HashSet<>();
        String email = "";
        String name = "";
        if (partnerId != null) {
            var loaded = Parallel.both(() -> api.partners().get(caller, partnerId), () -> api.partners()
                    .memberships(caller, partnerId));
            email = loaded.first().email();
            name = loaded.first().name();
            loaded.second().stream()
                    .filter(membership -> "approved".equals(membership.status()))
                    .map(Membership::programId)
                    .forEach(ticked::add);
        }
        if (programId != null) {
            ticked.add(programId);
        }
        render(ctx, new InviteForm(email, name, ticked), FieldErrors.none(), 200);
    }

    private void invite(Context ctx) {
        Form form = Form.of(ctx);
        List<String> programIds = form.all("programIds");
        InviteForm typed = new InviteForm(form.get("email"), form.get("name"), new HashSet<>(programIds));
        PartnerInvitation.Sent sent;
        try {
            sent = api.partnerInvitations().invite(Pages.caller(ctx), typed.email(), typed.name(), programIds);
        } catch (ApiProblem e) {
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            FieldErrors errors =
                    switch (e.code()) {
                        case "email_taken" ->
                            FieldErrors.of("email", "This is an admin's email; partners need their own.");
                        case "partner_revoked" ->
                            FieldErrors.of(
                                    "email",
                                    "This partner is revoked. Reactivate them on their page first, then invite them.");
                        default -> FieldErrors.from(e, FIELDS);
                    };
            render(ctx, typed, errors, e.status());
            return;
        }
        if (sent.invitation() == null) {
            pages.redirect(
                    ctx,
                    "/partners/" + sent.partner().id(),
                    sent.partner().name()
                            + " already has a partner account: the programs are added, and they got a mail"
                            + " saying so.");
            return;
        }
        // The link is a credential until it is used: shown in this answer only, never stored by the portal.
        pages.render(
                ctx,
                201,
                "admin/partner/invited.jte",
                new InvitedPage(pages.layout(ctx, "Invitation sent", PartnerRoutes.SECTION), sent));
    }

    private void withdraw(Context ctx) {
        String partnerId = ctx.pathParam("id");
        api.partnerInvitations().withdraw(Pages.caller(ctx), ctx.pathParam("invitationId"));
        pages.redirect(ctx, "/partners/" + partnerId + "#access", "Invitation withdrawn: its link no longer works.");
    }

    private void render(Context ctx, InviteForm form, FieldErrors errors, int status) {
        List<Program> programs = api.programs().all(Pages.caller(ctx));
        pages.render(
                ctx,
                status,
                "admin/partner/invite.jte",
                new InvitePage(pages.layout(ctx, "Invite a partner", PartnerRoutes.SECTION), form, programs, errors));
    }
}
