package clickledger.api.onboarding;

import static clickledger.db.jooq.Tables.APPLICATION_FORM;
import static clickledger.db.jooq.Tables.PARTNER_APPLICATION;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.branding.ProgramLogos;
import clickledger.api.http.FieldErrors;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.mail.Mailer;
import clickledger.api.partner.Email;
import clickledger.api.value.Name;
import clickledger.common.id.Ulid;
import clickledger.db.jooq.tables.records.PartnerApplicationRecord;
import clickledger.web.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public applications to a program (its page on the portal, {@code /apply/{slug}}), switched on per
 * program with the terms applicants accept; admins approve (the partner is brought in as an
 * invitation would, and mailed its link) or reject (and the applicant is told). The public side
 * never says whether an email has an account, and a filled honeypot field is answered like a
 * real application but stores nothing.
 */
public final class Applications {
    private static final Logger LOG = LoggerFactory.getLogger(Applications.class);
    public static final int MAX_TERMS = 20_000;
    public static final int MAX_PROMOTION = 2_000;
    public static final int MAX_WEBSITE = 500;
    public static final int MAX_REASON = 2_000;
    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String REJECTED = "rejected";

    private final DSLContext dsl;
    private final Clock clock;
    private final PartnerOnboarding onboarding;
    private final Mailer mailer;

    public Applications(DSLContext dsl, Clock clock, PartnerOnboarding onboarding, Mailer mailer) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.onboarding = requireNonNull(onboarding, "onboarding is null");
        this.mailer = requireNonNull(mailer, "mailer is null");
    }

    /** A program's application page as the admin sets it. */
    public record Form(String programId, boolean enabled, String terms, String url, Instant updatedAt) {}

    /** What the public page shows; {@code logoUrl} is the api path of the program's logo, or null. */
    public record PublicForm(String programSlug, String programName, String terms, String logoUrl) {}

    /** The public form's fields; {@code nickname} is the honeypot, hidden from people. */
    public record Submission(
            String name, String email, String website, String promotion, Boolean termsAccepted, String nickname) {}

    /** An application as admins see it. */
    public record View(
            String id,
            String programId,
            String name,
            String email,
            String website,
            String promotion,
            String status,
            Instant createdAt,
            Instant decidedAt,
            String decidedBy,
            String reason,
            String partnerId) {}

    public record Decided(View application, clickledger.api.partner.Partner partner, Object invitation) {}

    public Form form(UUID programId) {
        String slug = programSlug(programId);
        return dsl.selectFrom(APPLICATION_FORM)
                .where(APPLICATION_FORM.PROGRAM_ID.eq(programId))
                .fetchOptional()
                .map(row -> new Form(
                        Ulid.encode(programId),
                        row.getEnabled(),
                        row.getTerms(),
                        mailer.links().apply(slug),
                        row.getUpdatedAt().toInstant()))
                .orElse(new Form(
                        Ulid.encode(programId), false, "", mailer.links().apply(slug), null));
    }

    public Form setForm(UUID programId, Boolean enabled, String terms, Principal actor) {
        FieldErrors errors = new FieldErrors();
        if (enabled == null) {
            errors.add("enabled", "is required: true or false");
        }
        String text = terms == null ? "" : terms.strip();
        if (Boolean.TRUE.equals(enabled) && text.isEmpty()) {
            errors.add("terms", "is required when applications are enabled: the terms applicants accept");
        }
        if (text.length() > MAX_TERMS) {
            errors.add("terms", "must be at most " + MAX_TERMS + " characters");
        }
        errors.throwIfAny();
        programSlug(programId);
        Instant now = now();
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
            tx.insertInto(APPLICATION_FORM)
                    .set(APPLICATION_FORM.PROGRAM_ID, programId)
                    .set(APPLICATION_FORM.ENABLED, enabled)
                    .set(APPLICATION_FORM.TERMS, text)
                    .set(APPLICATION_FORM.UPDATED_AT, at)
                    .onConflict(APPLICATION_FORM.PROGRAM_ID)
                    .doUpdate()
                    .set(APPLICATION_FORM.ENABLED, enabled)
                    .set(APPLICATION_FORM.TERMS, text)
                    .set(APPLICATION_FORM.UPDATED_AT, at)
                    .execute();
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "program.application_form_changed",
                            "program",
                            Ulid.encode(programId),
                            Map.of("enabled", enabled, "termsLength", text.length())));
        });
        return form(programId);
    }

    public PublicForm publicForm(String slug) {
        OpenForm form = openForm(slug);
        String logo = ProgramLogos.urls(dsl, List.of(form.programId())).get(form.programId());
        return new PublicForm(slug, form.programName(), form.terms(), logo);
    }

    /** A program that takes applications: active, with its form switched on. */
    private record OpenForm(UUID programId, String programName, String terms) {}

    // Unknown program, ended program and switched-off form answer alike: the page does not exist.
    private OpenForm openForm(String slug) {
        return dsl.select(PROGRAM.ID, PROGRAM.NAME, APPLICATION_FORM.TERMS)
                .from(PROGRAM)
                .join(APPLICATION_FORM)
                .on(APPLICATION_FORM.PROGRAM_ID.eq(PROGRAM.ID))
                .where(PROGRAM.SLUG.eq(slug))
                .and(APPLICATION_FORM.ENABLED.isTrue())
                .and(PROGRAM.STATUS.eq("active"))
                .fetchOptional(row -> new OpenForm(row.value1(), row.value2(), row.value3()))
                .orElseThrow(Applications::closed);
    }

    /**
     * Stores an application and tells every admin, in one transaction; applying again while one
     * is pending stores nothing (the pending index decides). Returns quietly for a honeypot hit.
     */
    public void apply(String slug, Submission submission) {
        FieldErrors errors = new FieldErrors();
        Name name = errors.check(() -> new Name(submission.name()));
        Email email = errors.check(() -> new Email(submission.email()));
        String website = errors.check(() -> website(submission.website()));
        String promotion =
                submission.promotion() == null ? "" : submission.promotion().strip();
        if (promotion.isEmpty()) {
            errors.add("promotion", "is required: how you will promote the program");
        } else if (promotion.length() > MAX_PROMOTION) {
            errors.add("promotion", "must be at most " + MAX_PROMOTION + " characters");
        }
        if (!Boolean.TRUE.equals(submission.termsAccepted())) {
            errors.add("termsAccepted", "must be true: the program's terms must be accepted");
        }
        errors.throwIfAny();
        OpenForm program = openForm(slug);
        if (submission.nickname() != null && !submission.nickname().isEmpty()) {
            LOG.atInfo().addKeyValue("programSlug", slug).log("application dropped: the honeypot field was filled");
            return;
        }
        Instant now = now();
        UUID id = Ulid.newUuidV7(now.toEpochMilli());
        dsl.transaction(trx -> {
            DSLContext tx = trx.dsl();
            int stored = tx.insertInto(PARTNER_APPLICATION)
                    .set(PARTNER_APPLICATION.ID, id)
                    .set(PARTNER_APPLICATION.PROGRAM_ID, program.programId())
                    .set(PARTNER_APPLICATION.NAME, name.value())
                    .set(PARTNER_APPLICATION.EMAIL, email.value())
                    .set(PARTNER_APPLICATION.WEBSITE, website)
                    .set(PARTNER_APPLICATION.PROMOTION, promotion)
                    .set(PARTNER_APPLICATION.TERMS, program.terms())
                    .set(PARTNER_APPLICATION.STATUS, PENDING)
                    .set(PARTNER_APPLICATION.CREATED_AT, now.atOffset(ZoneOffset.UTC))
                    .onConflictDoNothing()
                    .execute();
            if (stored == 0) {
                return;
            }
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            "public:application",
                            "application.received",
                            "partner_application",
                            Ulid.encode(id),
                            Map.of("programId", Ulid.encode(program.programId()))));
            mailer.applicationReceived(
                    tx,
                    new Mailer.Program(program.programId(), program.programName()),
                    name.value(),
                    email.value(),
                    website);
        });
    }

    /** Newest first; by partner_application_program_idx or partner_application_status_idx. */
    public Page<View> list(UUID programId, String status, PageRequest page) {
        return Page.of(
                dsl.selectFrom(PARTNER_APPLICATION)
                        .where(page.after(PARTNER_APPLICATION.ID))
                        .and(programId == null ? DSL.noCondition() : PARTNER_APPLICATION.PROGRAM_ID.eq(programId))
                        .and(status == null ? DSL.noCondition() : PARTNER_APPLICATION.STATUS.eq(status))
                        .orderBy(PARTNER_APPLICATION.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(Applications::toView),
                page,
                View::id);
    }

    public View get(UUID id) {
        return dsl.selectFrom(PARTNER_APPLICATION)
                .where(PARTNER_APPLICATION.ID.eq(id))
                .fetchOptional()
                .map(Applications::toView)
                .orElseThrow(() -> ApiException.notFound("application"));
    }

    /** Brings the applicant in as a partner of the program and mails them their link. */
    public Decided approve(UUID id, Principal actor) {
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            PartnerApplicationRecord application = pendingForUpdate(tx, id);
            List<PartnerOnboarding.ProgramRef> programs =
                    PartnerOnboarding.programs(tx, "programId", List.of(application.getProgramId()));
            PartnerOnboarding.Admitted admitted = onboarding.admit(
                    tx, new Email(application.getEmail()), new Name(application.getName()), programs, actor, now);
            decide(tx, application, APPROVED, null, admitted.partner().id().value(), actor, now);
            String link = admitted.invitation() == null
                    ? mailer.links().signIn()
                    : admitted.invitation().acceptUrl();
            mailer.applicationApproved(
                    tx,
                    admitted.partner().email().value(),
                    application.getName(),
                    new Mailer.Program(
                            programs.getFirst().id(), programs.getFirst().name()),
                    link,
                    admitted.invitation() == null ? null : admitted.invitation().expiresAt());
            return new Decided(toView(reload(tx, id)), admitted.partner(), admitted.invitation());
        });
    }

    public View reject(UUID id, String reason, Principal actor) {
        String text = reason == null || reason.isBlank() ? null : reason.strip();
        if (text != null && text.length() > MAX_REASON) {
            throw ApiException.badRequest("reason", "must be at most " + MAX_REASON + " characters");
        }
        Instant now = now();
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            PartnerApplicationRecord application = pendingForUpdate(tx, id);
            decide(tx, application, REJECTED, text, null, actor, now);
            String programName = tx.select(PROGRAM.NAME)
                    .from(PROGRAM)
                    .where(PROGRAM.ID.eq(application.getProgramId()))
                    .fetchSingle(PROGRAM.NAME);
            mailer.applicationRejected(
                    tx,
                    application.getEmail(),
                    application.getName(),
                    new Mailer.Program(application.getProgramId(), programName),
                    text);
            return toView(reload(tx, id));
        });
    }

    private static PartnerApplicationRecord pendingForUpdate(DSLContext tx, UUID id) {
        PartnerApplicationRecord application = tx.selectFrom(PARTNER_APPLICATION)
                .where(PARTNER_APPLICATION.ID.eq(id))
                .forUpdate()
                .fetchOptional()
                .orElseThrow(() -> ApiException.notFound("application"));
        if (!PENDING.equals(application.getStatus())) {
            throw ApiException.conflict(
                    "already_decided", "status: this application was " + application.getStatus() + " already");
        }
        return application;
    }

    private static void decide(
            DSLContext tx,
            PartnerApplicationRecord application,
            String status,
            String reason,
            UUID partnerId,
            Principal actor,
            Instant now) {
        tx.update(PARTNER_APPLICATION)
                .set(PARTNER_APPLICATION.STATUS, status)
                .set(PARTNER_APPLICATION.DECIDED_AT, now.atOffset(ZoneOffset.UTC))
                .set(PARTNER_APPLICATION.DECIDED_BY, actor.actor())
                .set(PARTNER_APPLICATION.REASON, reason)
                .set(PARTNER_APPLICATION.PARTNER_ID, partnerId)
                .where(PARTNER_APPLICATION.ID.eq(application.getId()))
                .execute();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("programId", Ulid.encode(application.getProgramId()));
        if (partnerId != null) {
            details.put("partnerId", Ulid.encode(partnerId));
        }
        new AuditRepository(tx)
                .append(new AuditEntry(
                        now,
                        actor.actor(),
                        "application." + status,
                        "partner_application",
                        Ulid.encode(application.getId()),
                        details));
    }

    private static PartnerApplicationRecord reload(DSLContext tx, UUID id) {
        return tx.selectFrom(PARTNER_APPLICATION)
                .where(PARTNER_APPLICATION.ID.eq(id))
                .fetchSingle();
    }

    private String programSlug(UUID programId) {
        return dsl.select(PROGRAM.SLUG)
                .from(PROGRAM)
                .where(PROGRAM.ID.eq(programId))
                .fetchOptional(PROGRAM.SLUG)
                .orElseThrow(() -> ApiException.notFound("program"));
    }

    // Unknown program and switched-off applications answer alike: the page does not exist.
    private static ApiException closed() {
        return new ApiException(404, "not_found", "Not found", "this program takes no applications", List.of());
    }

    /** An http(s) address, or null when left out. */
    static String website(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        if (value.length() > MAX_WEBSITE) {
            throw ApiException.badRequest("website", "must be at most " + MAX_WEBSITE + " characters");
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return value;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        throw ApiException.badRequest("website", "must be a web address like https://example.com");
    }

    private static View toView(PartnerApplicationRecord row) {
        return new View(
                Ulid.encode(row.getId()),
                Ulid.encode(row.getProgramId()),
                row.getName(),
                row.getEmail(),
                row.getWebsite(),
                row.getPromotion(),
                row.getStatus(),
                row.getCreatedAt().toInstant(),
                row.getDecidedAt() == null ? null : row.getDecidedAt().toInstant(),
                row.getDecidedBy(),
                row.getReason(),
                row.getPartnerId() == null ? null : Ulid.encode(row.getPartnerId()));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
