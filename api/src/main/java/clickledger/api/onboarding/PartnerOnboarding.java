package clickledger.api.onboarding;

import static clickledger.db.jooq.Tables.PARTNER_PROGRAM;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Role;
import clickledger.api.mail.Mailer;
import clickledger.api.partner.Email;
import clickledger.api.partner.Partner;
import clickledger.api.partner.PartnerRepository;
import clickledger.api.partner.PartnerService;
import clickledger.api.partner.PartnerStatus;
import clickledger.api.person.InvitationService;
import clickledger.api.person.PersonRepository;
import clickledger.api.value.Name;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Bringing a partner into programs, the way both an admin's invitation and an approved application
 * do it, inside the caller's transaction: find the partner by email (ignoring case) or create it
 * ({@code invited} until its person accepts); make it an approved member of each program; then,
 * when nobody signs in for the partner yet, a 7-day invitation link (the newest only), else
 * nothing to accept. The caller mails the outcome ({@link Admitted#invitation()} null means the
 * partner already has an account).
 */
public final class PartnerOnboarding {
    private final PartnerService partners;
    private final InvitationService invitations;

    public PartnerOnboarding(PartnerService partners, InvitationService invitations) {
        this.partners = requireNonNull(partners, "partners is null");
        this.invitations = requireNonNull(invitations, "invitations is null");
    }

    /** A program the partner was brought into. */
    public record ProgramRef(UUID id, String slug, String name) {}

    /**
     * @param invitation the new invitation (token and link inside), or null when the partner
     *     already has a person who signs in
     */
    public record Admitted(Partner partner, List<ProgramRef> programs, InvitationService.Created invitation) {}

    public static ApiException partnerRevoked(Partner partner) {
        return ApiException.conflict(
                "partner_revoked",
                "partner " + partner.id()
                        + " is revoked; reactivate it first (PATCH /v1/partners/{id} {\"status\":\"active\"})");
    }

    /**
     * The programs of these ids, in the order given; an unknown one is a 400 naming its place
     * ({@code programIds[2]}).
     */
    public static List<ProgramRef> programs(DSLContext context, String field, List<UUID> ids) {
        Map<UUID, ProgramRef> found = new LinkedHashMap<>();
        context.select(PROGRAM.ID, PROGRAM.SLUG, PROGRAM.NAME)
                .from(PROGRAM)
                .where(PROGRAM.ID.in(ids))
                .forEach(row -> found.put(row.value1(), new ProgramRef(row.value1(), row.value2(), row.value3())));
        List<ApiException.FieldError> errors = new ArrayList<>();
        List<ProgramRef> programs = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            ProgramRef program = found.get(ids.get(i));
            if (program == null) {
                errors.add(new ApiException.FieldError(field + "[" + i + "]", "is not a program"));
            } else if (programs.stream().noneMatch(seen -> seen.id().equals(program.id()))) {
                programs.add(program);
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.badRequest(errors);
        }
        return programs;
    }

    /** Everything described above, in {@code tx}. */
    public Admitted admit(
            DSLContext tx, Email email, Name name, List<ProgramRef> programs, Principal actor, Instant now) {
        PartnerRepository repository = new PartnerRepository(tx);
        Partner partner = repository
                .findByEmailForUpdate(email.value().toLowerCase(Locale.ROOT))
                .orElse(null);
        if (partner == null) {
            partner = partners.createIn(tx, email, name, PartnerStatus.INVITED, actor, now);
        }
        if (partner.status() == PartnerStatus.REVOKED) {
            throw partnerRevoked(partner);
        }
        for (ProgramRef program : programs) {
            approve(tx, partner, program, actor, now);
        }
        boolean signsIn = new PersonRepository(tx).anyOfPartner(partner.id());
        if (signsIn) {
            return new Admitted(partner, programs, null);
        }
        InvitationService.Created invitation = invitations.issue(
                tx, Role.PARTNER, partner.id(), partner.email().value(), actor, now);
        return new Admitted(partner, programs, invitation);
    }

    /** The partner's mail about being admitted: an invitation, or a note that programs were added. */
    public static void mailInvited(Mailer mailer, DSLContext tx, Admitted admitted) {
        List<Mailer.Program> programs = admitted.programs().stream()
                .map(program -> new Mailer.Program(program.id(), program.name()))
                .toList();
        Partner partner = admitted.partner();
        if (admitted.invitation() == null) {
            mailer.programAdded(tx, partner.email().value(), partner.name().value(), programs);
        } else {
            mailer.partnerInvitation(
                    tx,
                    partner.email().value(),
                    partner.name().value(),
                    programs,
                    admitted.invitation().acceptUrl(),
                    admitted.invitation().expiresAt());
        }
    }

    // An admin's invitation or approval is a decision: a rejected or revoked membership becomes
    // approved too, and its rules stay as they were.
    private static void approve(DSLContext tx, Partner partner, ProgramRef program, Principal actor, Instant now) {
        int changed = tx.insertInto(PARTNER_PROGRAM)
                .set(PARTNER_PROGRAM.PARTNER_ID, partner.id().value())
                .set(PARTNER_PROGRAM.PROGRAM_ID, program.id())
                .set(PARTNER_PROGRAM.STATUS, "approved")
                .set(PARTNER_PROGRAM.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                .set(PARTNER_PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .onConflict(PARTNER_PROGRAM.PARTNER_ID, PARTNER_PROGRAM.PROGRAM_ID)
                .doUpdate()
                .set(PARTNER_PROGRAM.STATUS, "approved")
                .set(PARTNER_PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                .where(PARTNER_PROGRAM.STATUS.ne("approved"))
                .execute();
        if (changed == 0) {
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("programId", Ulid.encode(program.id()));
        details.put("status", "approved");
        new AuditRepository(tx)
                .append(new AuditEntry(
                        now,
                        actor.actor(),
                        "membership.update",
                        "partner",
                        partner.id().toString(),
                        details));
    }
}
