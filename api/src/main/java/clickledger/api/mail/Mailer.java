package clickledger.api.mail;

import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PERSON;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Role;
import clickledger.api.branding.ProgramLogos;
import clickledger.api.money.Money;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record2;

/**
 * Every message the api sends, one method each: it renders the message (text and HTML, naming the
 * program and linking to the portal) and queues it in the caller's transaction through the
 * {@link MailOutbox}, so the mail goes if and only if the change commits. The list, with who gets
 * what and when, is in docs/partners-and-mail.md.
 */
public final class Mailer {
    static final String PRODUCT = "clickledger";
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("d MMM yyyy").withZone(ZoneOffset.UTC);

    private final MailOutbox outbox;
    private final PortalLinks links;

    public Mailer(MailOutbox outbox, PortalLinks links) {
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.links = requireNonNull(links, "links is null");
    }

    public PortalLinks links() {
        return links;
    }

    /** A program a mail is about: its name heads the mail, its logo (if it has one) tops the HTML part. */
    public record Program(UUID id, String name) {
        public Program {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
        }
    }

    /**
     * What issue 16's mark-paid passes to {@link #payoutPaid}: the payout as it now is.
     *
     * @param method how it was paid ({@code paypal}, {@code wise}, …), or null
     * @param reference the payment's reference, or null
     */
    public record PayoutPaid(
            UUID payoutId,
            UUID partnerId,
            UUID programId,
            long amountMinor,
            String currency,
            int commissionCount,
            String method,
            String reference,
            Instant paidAt) {
        public PayoutPaid {
            requireNonNull(payoutId, "payoutId is null");
            requireNonNull(partnerId, "partnerId is null");
            requireNonNull(programId, "programId is null");
            requireNonNull(currency, "currency is null");
            requireNonNull(paidAt, "paidAt is null");
        }
    }

    public void adminInvitation(DSLContext trx, String email, String acceptUrl, Instant expiresAt) {
        Rendered message = new Letter(PRODUCT, null)
                .line("You are invited to run the partner program on clickledger as an admin.")
                .action("Accept the invitation", acceptUrl)
                .line("The link works once, until " + WHEN.format(expiresAt) + ".")
                .note("If you did not expect this, ignore it: nothing happens unless the link is opened.")
                .render(MailKind.ADMIN_INVITATION, "You are invited to be an admin on clickledger");
        outbox.queue(trx, email, message, expiresAt);
    }

    public void partnerInvitation(
            DSLContext trx,
            String email,
            String partnerName,
            List<Program> programList,
            String acceptUrl,
            Instant expiresAt) {
        String programs = names(programList);
        Rendered message = letter(trx, programList, partnerName)
                .line("You are invited to join the partner program of " + programs + ".")
                .line("Set a password to open your partner dashboard: your links, clicks, commissions and payouts.")
                .action("Accept the invitation", acceptUrl)
                .line("The link works once, until " + WHEN.format(expiresAt) + ".")
                .note("If you did not expect this, ignore it: nothing happens unless the link is opened.")
                .render(
                        MailKind.PARTNER_INVITATION,
                        oneLine("You are invited to the " + programs + " partner program"));
        outbox.queue(trx, email, message, expiresAt);
    }

    public void programAdded(DSLContext trx, String email, String partnerName, List<Program> programList) {
        String programs = names(programList);
        Rendered message = letter(trx, programList, partnerName)
                .line("You are now a partner of " + programs + ". Sign in to make your links there.")
                .action("Sign in", links.signIn())
                .render(MailKind.PROGRAM_ADDED, oneLine("You joined the " + programs + " partner program"));
        outbox.queue(trx, email, message, null);
    }

    /** To every admin: someone applied through the program's public page. */
    public void applicationReceived(
            DSLContext trx, Program program, String applicantName, String applicantEmail, String website) {
        String programName = program.name();
        for (Record2<String, String> admin : admins(trx)) {
            Letter letter = letter(trx, List.of(program), admin.value2())
                    .line(applicantName + " (" + applicantEmail + ") applied to become a partner of " + programName
                            + ".");
            if (website != null && !website.isBlank()) {
                letter.line("Website: " + website);
            }
            Rendered message = letter.action("Review the application", links.applications())
                    .render(
                            MailKind.APPLICATION_RECEIVED,
                            oneLine("New partner application for " + programName + ": " + applicantName));
            outbox.queue(trx, admin.value1(), message, null);
        }
    }

    /**
     * @param link the partner invitation's link, or the sign-in page when the partner has an account
     * @param expiresAt when the invitation link expires; null for the sign-in page
     */
    public void applicationApproved(
            DSLContext trx, String email, String name, Program program, String link, Instant expiresAt) {
        String programName = program.name();
        Letter letter = letter(trx, List.of(program), name)
                .line("Your application to the " + programName + " partner program was approved. Welcome!");
        if (expiresAt != null) {
            letter.line("Set a password to open your partner dashboard and make your links.")
                    .action("Set your password", link)
                    .line("The link works once, until " + WHEN.format(expiresAt) + ".");
        } else {
            letter.line("Sign in with your existing account to make your links.")
                    .action("Sign in", link);
        }
        outbox.queue(
                trx,
                email,
                letter.render(
                        MailKind.APPLICATION_APPROVED, oneLine("Welcome to the " + programName + " partner program")),
                expiresAt);
    }

    /** @param reason what the admin wrote, or null */
    public void applicationRejected(DSLContext trx, String email, String name, Program program, String reason) {
        String programName = program.name();
        Letter letter = letter(trx, List.of(program), name)
                .line("Thank you for applying to the " + programName + " partner program. We are not able to accept"
                        + " your application at this time.");
        if (reason != null && !reason.isBlank()) {
            letter.line("Note from the program: " + reason.strip());
        }
        outbox.queue(
                trx,
                email,
                letter.render(MailKind.APPLICATION_REJECTED, oneLine("Your application to " + programName)),
                null);
    }

    public void passwordReset(
            DSLContext trx, String email, String name, Role role, String resetUrl, Instant expiresAt) {
        Rendered message = new Letter(PRODUCT, name)
                .line("Someone asked to reset the password of your " + role.wire() + " account (" + email + ").")
                .action("Choose a new password", resetUrl)
                .line("The link works once, until " + WHEN.format(expiresAt) + ".")
                .note("If it was not you, ignore this mail: your password stays as it is.")
                .render(MailKind.PASSWORD_RESET, "Reset your clickledger password");
        outbox.queue(trx, email, message, expiresAt);
    }

    public void emailChange(DSLContext trx, String newEmail, String name, String confirmUrl, Instant expiresAt) {
        Rendered message = new Letter(PRODUCT, name)
                .line("Confirm that " + newEmail + " is your new email address for clickledger. Until you do, you"
                        + " keep signing in with the old one.")
                .action("Confirm this address", confirmUrl)
                .line("The link works once, until " + WHEN.format(expiresAt) + ".")
                .note("If you did not ask for this, ignore this mail: nothing changes.")
                .render(MailKind.EMAIL_CHANGE, "Confirm your new email address");
        outbox.queue(trx, newEmail, message, expiresAt);
    }

    public void emailChanged(DSLContext trx, String oldEmail, String name, String newEmail) {
        Rendered message = new Letter(PRODUCT, name)
                .line("The email address of your clickledger account was changed from " + oldEmail + " to " + newEmail
                        + ". You sign in with the new one from now on.")
                .line("If this was not you, reset your password at once and tell the program's admins.")
                .action("Reset the password", links.forgotPassword())
                .render(MailKind.EMAIL_CHANGED, "Your email address was changed");
        outbox.queue(trx, oldEmail, message, null);
    }

    /** Queues the partner's "payout paid" mail in the caller's transaction (issue 16's mark-paid calls it). */
    public void payoutPaid(DSLContext trx, PayoutPaid paid) {
        requireNonNull(paid, "paid is null");
        Recipient partner = partner(trx, paid.partnerId());
        String program = programName(trx, paid.programId());
        String amount = money(paid.amountMinor(), paid.currency());
        Letter letter = letter(trx, List.of(new Program(paid.programId(), program)), partner.name())
                .line("Your payout of " + amount + " from " + program + " was paid on " + DAY.format(paid.paidAt())
                        + ".")
                .row("Amount", amount)
                .row("Commissions", Integer.toString(paid.commissionCount()));
        if (paid.method() != null && !paid.method().isBlank()) {
            letter.row("Method", paid.method());
        }
        if (paid.reference() != null && !paid.reference().isBlank()) {
            letter.row("Reference", paid.reference());
        }
        Rendered message = letter.action("See your payouts", links.partnerPayouts())
                .render(MailKind.PAYOUT_PAID, oneLine(program + ": your payout of " + amount + " was paid"));
        outbox.queue(trx, partner.email(), message, null);
    }

    public void payoutDetailsChanged(DSLContext trx, UUID partnerId, String method) {
        Recipient partner = partner(trx, partnerId);
        Rendered message = new Letter(PRODUCT, partner.name())
                .line("The payout details of your partner account were changed (method: " + method + "). Future"
                        + " payouts go there.")
                .line("If this was not you, sign in, set them again and change your password.")
                .action("Check your payout details", links.partnerPayoutDetails())
                .render(MailKind.PAYOUT_DETAILS_CHANGED, "Your payout details were changed");
        outbox.queue(trx, partner.email(), message, null);
    }

    /** To every admin, in the transaction that disables the endpoint. */
    public void webhookDisabled(DSLContext trx, String endpointId, String url, String reason) {
        for (Record2<String, String> admin : admins(trx)) {
            Rendered message = new Letter(PRODUCT, admin.value2())
                    .line("The webhook endpoint " + url + " was disabled: " + reason + ".")
                    .line("Its deliveries wait, none are lost. Fix the receiver, enable the endpoint again, then"
                            + " redeliver what failed.")
                    .action("Open the endpoint", links.webhook(endpointId))
                    .render(MailKind.WEBHOOK_DISABLED, "A webhook endpoint was disabled");
            outbox.queue(trx, admin.value1(), message, null);
        }
    }

    /** One line of a digest: a commission approved since the last one. */
    record DigestLine(
            UUID programId, String programName, Instant eventTs, String eventType, long amountMinor, String currency) {}

    UUID commissionDigest(DSLContext trx, UUID partnerId, List<DigestLine> lines, List<String> totals) {
        Recipient partner = partner(trx, partnerId);
        List<Program> programs = lines.stream()
                .map(line -> new Program(line.programId(), line.programName()))
                .distinct()
                .toList();
        Letter letter = letter(trx, programs, partner.name())
                .line(
                        lines.size() == 1
                                ? "One of your commissions was approved: it will be in your next payout."
                                : lines.size()
                                        + " of your commissions were approved: they will be in your next payout.");
        int shown = Math.min(lines.size(), DIGEST_ROWS);
        for (DigestLine line : lines.subList(0, shown)) {
            letter.row(
                    DAY.format(line.eventTs()) + " · " + line.programName() + " · " + line.eventType(),
                    money(line.amountMinor(), line.currency()));
        }
        if (lines.size() > shown) {
            letter.line("… and " + (lines.size() - shown) + " more.");
        }
        letter.line("Approved in total: " + String.join(", ", totals) + ".");
        Rendered message = letter.action("See your commissions", links.partnerCommissions())
                .render(MailKind.COMMISSION_DIGEST, oneLine("Commissions approved: " + String.join(", ", totals)));
        return outbox.queue(trx, partner.email(), message, null);
    }

    // A digest lists this many rows and counts the rest: a mail, not a report.
    static final int DIGEST_ROWS = 50;

    private record Recipient(String email, String name) {}

    private static Recipient partner(DSLContext trx, UUID partnerId) {
        return trx.select(PARTNER.EMAIL, PARTNER.NAME)
                .from(PARTNER)
                .where(PARTNER.ID.eq(partnerId))
                .fetchOptional(row -> new Recipient(row.value1(), row.value2()))
                .orElseThrow(() -> new IllegalArgumentException("no partner " + partnerId));
    }

    private static String programName(DSLContext trx, UUID programId) {
        return trx.select(PROGRAM.NAME)
                .from(PROGRAM)
                .where(PROGRAM.ID.eq(programId))
                .fetchOptional(PROGRAM.NAME)
                .orElseThrow(() -> new IllegalArgumentException("no program " + programId));
    }

    /** Every admin not removed: their email and name. */
    private static List<Record2<String, String>> admins(DSLContext trx) {
        return new ArrayList<>(trx.select(PERSON.EMAIL, PERSON.NAME)
                .from(PERSON)
                .where(PERSON.ROLE.eq(Role.ADMIN.wire()))
                .and(PERSON.REMOVED_AT.isNull())
                .orderBy(PERSON.ID)
                .fetch());
    }

    static String money(long minor, String currency) {
        String code = currency.strip();
        return Money.format(minor, Currency.getInstance(code)) + " " + code;
    }

    /**
     * A letter about these programs: headed by their names, with the logo of each that has one
     * (from the portal's origin, where mail clients fetch it without a session).
     */
    private Letter letter(DSLContext trx, List<Program> programs, String recipientName) {
        Letter letter = new Letter(names(programs), recipientName);
        Map<UUID, String> logos =
                ProgramLogos.versions(trx, programs.stream().map(Program::id).toList());
        for (Program program : programs) {
            String version = logos.get(program.id());
            if (version != null) {
                letter.logo(links.programLogo(program.id(), version), program.name());
            }
        }
        return letter;
    }

    private static String names(List<Program> programs) {
        List<String> names = programs.stream().map(Program::name).toList();
        if (names.isEmpty()) {
            return PRODUCT;
        }
        if (names.size() == 1) {
            return names.getFirst();
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.getLast();
    }

    // Names come from people; a subject is one header line.
    private static String oneLine(String text) {
        String flat = text.replaceAll("[\\p{Cntrl}]+", " ").strip();
        return flat.length() <= 200 ? flat : flat.substring(0, 199) + "…";
    }
}
