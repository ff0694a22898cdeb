package clickledger.portal.partner.join;

import static java.util.Objects.requireNonNull;

import clickledger.portal.api.ApiClient;
import clickledger.portal.api.ApiProblem;
import clickledger.portal.api.Application;
import clickledger.portal.api.ApplicationsClient;
import clickledger.portal.api.PartnerInvitation;
import clickledger.portal.api.PartnerInvitationsClient;
import clickledger.portal.api.Program;
import clickledger.portal.api.Session;
import clickledger.portal.web.ErrorPages;
import clickledger.portal.web.FieldErrors;
import clickledger.portal.web.Form;
import clickledger.portal.web.Guard;
import clickledger.portal.web.Layout;
import clickledger.portal.web.LinkPages;
import clickledger.portal.web.Pages;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Set;

/**
 * How a partner comes in: by an admin's invitation (the link of the mail: set a name and a
 * password, and be signed in) or by applying on a program's public page. Both are public pages;
 * the invitation's token, not a session, says who may accept it.
 */
public final class JoinRoutes {
    static final Set<String> ACCEPT_FIELDS = Set.of("name", "password");
    static final Set<String> APPLY_FIELDS = Set.of("name", "email", "website", "promotion", "termsAccepted");
    /** The honeypot: hidden from people, so whatever fills it is a bot. The api drops those quietly. */
    static final String HONEYPOT = "nickname";

    public record AcceptPage(
            Layout layout, String token, PartnerInvitation.Offer offer, String name, FieldErrors errors) {
        public String programNames() {
            return Names.list(offer.programs().stream()
                    .map(PartnerInvitation.OfferedProgram::name)
                    .toList());
        }
    }

    /** What the applicant typed, shown again with the api's verdict next to each field. */
    public record Applicant(String name, String email, String website, String promotion, boolean termsAccepted) {
        static Applicant blank() {
            return new Applicant("", "", "", "", false);
        }

        static Applicant of(Form form) {
            return new Applicant(
                    form.get("name"),
                    form.get("email"),
                    form.get("website"),
                    form.get("promotion"),
                    form.checked("termsAccepted"));
        }
    }

    public record ApplyPage(Layout layout, Application.Offer offer, Applicant applicant, FieldErrors errors) {}

    public record ThanksPage(Layout layout, Application.Offer offer) {}

    private final Pages pages;
    private final PartnerInvitationsClient invitations;
    private final ApplicationsClient applications;
    private final Clock clock;

    public JoinRoutes(Pages pages, PartnerInvitationsClient invitations, ApplicationsClient applications, Clock clock) {
        this.pages = requireNonNull(pages, "pages is null");
        this.invitations = requireNonNull(invitations, "invitations is null");
        this.applications = requireNonNull(applications, "applications is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        routes.get("/invitations/partner/{token}", this::showInvitation);
        routes.post("/invitations/partner/{token}", this::accept);
        routes.get("/apply/{programSlug}", this::showApplication);
        routes.post("/apply/{programSlug}", this::apply);
        routes.get("/apply/{programSlug}/thanks", this::thanks);
    }

    private void showInvitation(Context ctx) {
        String token = ctx.pathParam("token");
        PartnerInvitation.Offer offer = offerOrInvalidPage(ctx, token);
        if (offer != null) {
            renderAccept(ctx, token, offer, offer.partnerName(), FieldErrors.none(), 200);
        }
    }

    private void accept(Context ctx) {
        String token = ctx.pathParam("token");
        Form form = Form.of(ctx);
        Session session;
        try {
            session = invitations.accept(Pages.caller(ctx), token, form.get("name"), form.raw("password"));
        } catch (ApiProblem e) {
            if (e.status() == 404) {
                LinkPages.invalid(pages, ctx, e, LinkPages.Kind.INVITATION);
                return;
            }
            if (e.status() != 400 && e.status() != 409) {
                throw e;
            }
            PartnerInvitation.Offer offer = offerOrInvalidPage(ctx, token);
            if (offer == null) {
                return;
            }
            FieldErrors errors = "email_taken".equals(e.code())
                    ? FieldErrors.general("This email already signs in to clickledger. Sign in instead, or use"
                            + " \"Forgot password?\" there.")
                    : FieldErrors.from(e, ACCEPT_FIELDS);
            renderAccept(ctx, token, offer, form.get("name"), errors, e.status());
            return;
        }
        pages.cookies().setSession(ctx, session.token(), session.expiresAt(), clock.instant());
        pages.redirect(
                ctx, Guard.PARTNER_ROOT, "Welcome, " + session.principal().name() + ". Your partner account is ready.");
    }

    /** The invitation's offer, or null after rendering the page that says why the link cannot be used. */
    private PartnerInvitation.Offer offerOrInvalidPage(Context ctx, String token) {
        try {
            return invitations.offer(Pages.caller(ctx), token);
        } catch (ApiProblem e) {
            if (e.status() != 404) {
                throw e;
            }
            LinkPages.invalid(pages, ctx, e, LinkPages.Kind.INVITATION);
            return null;
        }
    }

    private void renderAccept(
            Context ctx, String token, PartnerInvitation.Offer offer, String name, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "partner/join/accept.jte",
                new AcceptPage(
                        withLogo(pages.layout(ctx, "Join as a partner", ""), offer), token, offer, name, errors));
    }

    // An invitation to one program wears its logo; to several, none stands for them all.
    private static Layout withLogo(Layout layout, PartnerInvitation.Offer offer) {
        if (offer.programs().size() != 1) {
            return layout;
        }
        PartnerInvitation.OfferedProgram program = offer.programs().getFirst();
        return layout.withProgramLogo(Program.portalLogoUrl(program.logoUrl()), program.name());
    }

    private void showApplication(Context ctx) {
        Application.Offer offer = applicationOffer(ctx);
        if (offer != null) {
            renderApply(ctx, offer, Applicant.blank(), FieldErrors.none(), 200);
        }
    }

    private void apply(Context ctx) {
        String slug = ctx.pathParam("programSlug");
        Form form = Form.of(ctx);
        Applicant applicant = Applicant.of(form);
        ObjectNode body = ApiClient.object()
                .put("name", applicant.name())
                .put("email", applicant.email())
                .put("promotion", applicant.promotion())
                .put("termsAccepted", applicant.termsAccepted());
        form.text(body, "website", "website");
        String honeypot = form.raw(HONEYPOT);
        body.put(HONEYPOT, honeypot == null ? "" : honeypot);
        try {
            applications.apply(Pages.caller(ctx), slug, body);
        } catch (ApiProblem e) {
            if (e.status() == 404) {
                closed(ctx);
                return;
            }
            if (e.status() != 400 && e.status() != 429) {
                throw e;
            }
            Application.Offer offer = applicationOffer(ctx);
            if (offer == null) {
                return;
            }
            FieldErrors errors = e.status() == 429
                    ? FieldErrors.general("Too many applications came from your network in the last hour."
                            + " Please try again later; what you typed is kept below.")
                    : FieldErrors.from(e, APPLY_FIELDS);
            renderApply(ctx, offer, applicant, errors, e.status());
            return;
        }
        pages.redirect(ctx, "/apply/" + slug + "/thanks", null);
    }

    private void thanks(Context ctx) {
        Application.Offer offer = applicationOffer(ctx);
        if (offer != null) {
            pages.render(
                    ctx, "partner/join/thanks.jte", new ThanksPage(pages.layout(ctx, "Application sent", ""), offer));
        }
    }

    /** The program's public page, or null after a page saying it takes no applications. */
    private Application.Offer applicationOffer(Context ctx) {
        try {
            return applications.offer(Pages.caller(ctx), ctx.pathParam("programSlug"));
        } catch (ApiProblem e) {
            if (e.status() != 404) {
                throw e;
            }
            closed(ctx);
            return null;
        }
    }

    private void closed(Context ctx) {
        ErrorPages.render(
                pages,
                ctx,
                404,
                "Applications are closed",
                "This program does not take applications here right now. Check the address, or ask the program"
                        + " for an invitation.");
    }

    private void renderApply(
            Context ctx, Application.Offer offer, Applicant applicant, FieldErrors errors, int status) {
        pages.render(
                ctx,
                status,
                "partner/join/apply.jte",
                new ApplyPage(
                        pages.layout(ctx, "Apply to " + offer.programName(), "")
                                .withProgramLogo(Program.portalLogoUrl(offer.logoUrl()), offer.programName()),
                        offer,
                        applicant,
                        errors));
    }
}
