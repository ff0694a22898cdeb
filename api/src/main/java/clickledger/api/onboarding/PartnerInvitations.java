package clickledger.api.onboarding;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Principal;
import clickledger.api.auth.Role;
import clickledger.api.auth.Sessions;
import clickledger.api.branding.ProgramLogos;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.mail.Mailer;
import clickledger.api.partner.Email;
import clickledger.api.partner.PartnerId;
import clickledger.api.partner.PartnerRepository;
import clickledger.api.person.Invitation;
import clickledger.api.person.InvitationService;
import clickledger.api.value.Name;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * An admin invites a partner by email to one or more programs ({@link PartnerOnboarding}); the
 * partner opens the mailed link, sets a password and is signed in. Re-inviting a partner who signs
 * in already only adds the programs, and says so by mail.
 */
public final class PartnerInvitations {
    // A partner is invited to a handful of programs; more at once is a mistake or a script gone wrong.
    public static final int MAX_PROGRAMS = 50;

    private final DSLContext dsl;
    private final Clock clock;
    private final PartnerOnboarding onboarding;
    private final InvitationService invitations;
    private final Mailer mailer;

    public PartnerInvitations(
            DSLContext dsl, Clock clock, PartnerOnboarding onboarding, InvitationService invitations, Mailer mailer) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.onboarding = requireNonNull(onboarding, "onboarding is null");
        this.invitations = requireNonNull(invitations, "invitations is null");
        this.mailer = requireNonNull(mailer, "mailer is null");
    }

    /** What the holder of a partner invitation link may see before accepting. */
    public record Preview(String email, Instant expiresAt, String partnerName, List<ProgramLabel> programs) {}

    /** A program the invitation is to; {@code logoUrl} is the api path of its logo, or null. */
    public record ProgramLabel(String id, String slug, String name, String logoUrl) {}

    /** @param nameText the partner's name for a new partner, or null for the part of the email before @ */
    public PartnerOnboarding.Admitted invite(
            String emailText, String nameText, List<UUID> programIds, Principal actor) {
        Email email = new Email(emailText);
        Name name = nameText == null || nameText.isBlank()
                ? new Name(email.value().substring(0, email.value().indexOf('@')))
                : new Name(nameText);
        if (programIds == null || programIds.isEmpty() || programIds.size() > MAX_PROGRAMS) {
            throw ApiException.badRequest("programIds", "must list 1 to " + MAX_PROGRAMS + " program ids");
        }
        List<PartnerOnboarding.ProgramRef> programs = PartnerOnboarding.programs(dsl, "programIds", programIds);
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            PartnerOnboarding.Admitted admitted = onboarding.admit(tx, email, name, programs, actor, now);
            PartnerOnboarding.mailInvited(mailer, tx, admitted);
            return admitted;
        });
    }

    public Preview preview(String token) {
        Invitation invitation = invitations.find(Role.PARTNER, token);
        var partner = new PartnerRepository(dsl).find(invitation.partnerId()).orElseThrow(InvitationService::invalid);
        var rows = dsl.select(PROGRAM.ID, PROGRAM.SLUG, PROGRAM.NAME)
                .from(PARTNER_PROGRAM)
                .join(PROGRAM)
                .on(PROGRAM.ID.eq(PARTNER_PROGRAM.PROGRAM_ID))
                .where(PARTNER_PROGRAM.PARTNER_ID.eq(invitation.partnerId().value()))
                .and(PARTNER_PROGRAM.STATUS.eq("approved"))
                .orderBy(PROGRAM.NAME)
                .fetch();
        Map<UUID, String> logos = ProgramLogos.urls(dsl, rows.getValues(PROGRAM.ID));
        List<ProgramLabel> programs = rows.map(row ->
                new ProgramLabel(Ulid.encode(row.value1()), row.value2(), row.value3(), logos.get(row.value1())));
        return new Preview(
                invitation.email(), invitation.expiresAt(), partner.name().value(), programs);
    }

    public Page<InvitationService.Pending> pending(PartnerId partnerId, PageRequest page) {
        return invitations.pending(Role.PARTNER, partnerId, page);
    }

    public void revoke(UUID id, Principal actor) {
        invitations.revoke(Role.PARTNER, id, actor);
    }

    public Sessions.Started accept(String token, String name, String password, String userAgent) {
        return invitations.accept(Role.PARTNER, token, name, password, userAgent);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
