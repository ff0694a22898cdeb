package clickledger.api.install;

import static clickledger.db.jooq.Tables.INSTALLATION;
import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.auth.Role;
import clickledger.api.auth.Sessions;
import clickledger.api.http.FieldErrors;
import clickledger.api.partner.Email;
import clickledger.api.person.PasswordHasher;
import clickledger.api.person.PasswordPolicy;
import clickledger.api.person.Person;
import clickledger.api.person.PersonRepository;
import clickledger.api.program.Program;
import clickledger.api.program.ProgramCreate;
import clickledger.api.program.ProgramService;
import clickledger.api.value.Name;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The first-run wizard: creates the first admin (and, when asked, the first program) and signs
 * them in, once. The installation table's one-row primary key is the guard: the install's first
 * statement inserts that row, so of two installs at once the second waits for the first to
 * commit and then inserts nothing, and answers 409 {@code already_installed}; if the first rolls
 * back, the second goes ahead. No lock to take or forget, and it holds across api replicas.
 */
public final class InstallService {
    private final DSLContext dsl;
    private final Clock clock;
    private final PasswordHasher passwords;
    private final Sessions sessions;
    private final ProgramService programs;

    public InstallService(
            DSLContext dsl, Clock clock, PasswordHasher passwords, Sessions sessions, ProgramService programs) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.passwords = requireNonNull(passwords, "passwords is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.programs = requireNonNull(programs, "programs is null");
    }

    /** The body of {@code POST /v1/install}. */
    public record InstallRequest(AdminFields admin, ProgramCreate program) {}

    /** The first admin. */
    public record AdminFields(String name, String email, String password) {
        @Override
        public String toString() {
            return "AdminFields[name=" + name + ", email=" + email + ", password=<redacted>]";
        }
    }

    /** What an install made; the session's token leaves the api here, once. */
    public record Installed(Sessions.Started session, Person admin, Program program) {}

    /** True until the first install has committed. */
    public boolean needed() {
        return !dsl.fetchExists(INSTALLATION);
    }

    public Installed install(InstallRequest request, String userAgent) {
        if (!needed()) {
            // Checked first so a late wizard learns it is over without spending an Argon2 run.
            throw alreadyInstalled();
        }
        FieldErrors errors = new FieldErrors();
        AdminFields admin = request.admin();
        Name name = null;
        Email email = null;
        if (admin == null) {
            errors.add("admin", "is required: {name, email, password}");
        } else {
            name = errors.check("admin", () -> new Name(admin.name()));
            email = errors.check("admin", () -> new Email(admin.email()));
            String emailText = email == null ? null : email.value();
            errors.check("admin", () -> PasswordPolicy.check("password", admin.password(), emailText));
        }
        Program program =
                request.program() == null ? null : errors.check("program", () -> programs.prepare(request.program()));
        errors.throwIfAny();
        String hash = passwords.hash(admin.password());
        Instant now = now();
        Person person = new Person(
                Ulid.newUuidV7(now.toEpochMilli()), Role.ADMIN, null, email.value(), name.value(), now, null);
        return dsl.transactionResult(trx -> {
            DSLContext tx = trx.dsl();
            if (!claimInstallation(tx, person.id(), now)) {
                throw alreadyInstalled();
            }
            if (!new PersonRepository(tx).insert(person, hash)) {
                // Only a partner person could hold the email before the first admin exists.
                throw ApiException.badRequest("admin.email", "already belongs to someone who signs in");
            }
            Principal actor = new Principal(Role.ADMIN.kind(), person.actor());
            new AuditRepository(tx)
                    .append(new AuditEntry(
                            now,
                            person.actor(),
                            "installation.completed",
                            "person",
                            Ulid.encode(person.id()),
                            Map.of("email", person.email())));
            if (program != null) {
                programs.insert(tx, program, actor, "program.slug");
            }
            Sessions.Started session = sessions.start(tx, person.id(), userAgent, now);
            new PersonRepository(tx).recordLogin(person.id(), now);
            return new Installed(session, withLogin(person, now), program);
        });
    }

    private static boolean claimInstallation(DSLContext tx, UUID adminId, Instant now) {
        return tx.insertInto(INSTALLATION)
                        .set(INSTALLATION.INSTALLED_AT, now.atOffset(ZoneOffset.UTC))
                        .set(INSTALLATION.ADMIN_ID, adminId)
                        .onConflictDoNothing()
                        .execute()
                == 1;
    }

    private static Person withLogin(Person person, Instant now) {
        return new Person(
                person.id(), person.role(), person.partnerId(), person.email(), person.name(), person.createdAt(), now);
    }

    static ApiException alreadyInstalled() {
        return new ApiException(
                409,
                "already_installed",
                "Conflict",
                "clickledger is installed already: an admin exists; sign in, or ask an admin for an invitation",
                List.of());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
