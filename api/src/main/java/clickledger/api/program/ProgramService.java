package clickledger.api.program;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.branding.ProgramLogos;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/** Creates and changes programs; every change is audited in the same transaction. */
public final class ProgramService {
    private final DSLContext dsl;
    private final Clock clock;

    public ProgramService(DSLContext dsl, Clock clock) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Program create(ProgramCreate request, Principal actor) {
        Program program = prepare(request);
        return dsl.transactionResult(trx -> {
            insert(trx.dsl(), program, actor, "slug");
            return program;
        });
    }

    /** The program a create request makes, every field checked at once; nothing is stored yet. */
    public Program prepare(ProgramCreate request) {
        Instant now = now();
        return request.toProgram(ProgramId.newId(now), now);
    }

    /**
     * Stores a {@link #prepare prepared} program in the caller's transaction, audited with it.
     *
     * @param slugField how the 409 of a taken slug names the field ({@code slug}, or {@code
     *     program.slug} in the install body)
     */
    public void insert(DSLContext tx, Program program, Principal actor, String slugField) {
        if (!new ProgramRepository(tx).insert(program)) {
            String message = "a program with slug \"" + program.slug() + "\" already exists";
            throw new ApiException(
                    409,
                    "slug_taken",
                    "Conflict",
                    slugField + ": " + message,
                    List.of(new ApiException.FieldError(slugField, message)));
        }
        new AuditRepository(tx)
                .append(new AuditEntry(
                        program.createdAt(),
                        actor.actor(),
                        "program.created",
                        "program",
                        program.id().toString(),
                        Map.of("slug", program.slug().value())));
    }

    public Optional<Program> find(ProgramId id) {
        return new ProgramRepository(dsl).find(id);
    }

    public Page<Program> list(PageRequest page) {
        return list(null, page);
    }

    /** @param only the one program to list (a program-bound key's view), or null for every program */
    public Page<Program> list(ProgramId only, PageRequest page) {
        return new ProgramRepository(dsl).list(only, page);
    }

    /** Empty when there is no such program. */
    public Optional<Program> update(ProgramId id, ProgramPatch patch, Set<String> present, Principal actor) {
        return dsl.transactionResult(trx -> {
            ProgramRepository programs = new ProgramRepository(trx.dsl());
            Optional<Program> current = programs.findForUpdate(id);
            if (current.isEmpty()) {
                return current;
            }
            Program updated = patch.applyTo(current.get(), present);
            if (updated.equals(current.get())) {
                return current;
            }
            // Events keep the currency they came in and commissions are money in the program's:
            // once one exists, a new currency would mix two in one ledger.
            if (!updated.currency().equals(current.get().currency())
                    && !programs.withEvents(List.of(id)).isEmpty()) {
                String message = "cannot change once the program has events";
                throw new ApiException(
                        409,
                        "currency_locked",
                        "Conflict",
                        "currency: " + message,
                        List.of(new ApiException.FieldError("currency", message)));
            }
            Instant now = now();
            programs.update(updated, now);
            new AuditRepository(trx.dsl())
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "program.updated",
                            "program",
                            id.toString(),
                            Map.of("fields", present.stream().sorted().toList())));
            return Optional.of(updated);
        });
    }

    /** The programs as the api shows them, each with whether it has events (one query a page). */
    public List<ProgramView> views(List<Program> page) {
        Set<ProgramId> withEvents = new ProgramRepository(dsl)
                .withEvents(page.stream().map(Program::id).toList());
        Map<UUID, String> logos = ProgramLogos.urls(
                dsl, page.stream().map(program -> program.id().value()).toList());
        return page.stream()
                .map(program -> new ProgramView(
                        program,
                        withEvents.contains(program.id()),
                        logos.get(program.id().value())))
                .toList();
    }

    public ProgramView view(Program program) {
        return views(List.of(program)).getFirst();
    }

    // The database keeps microseconds and ids keep milliseconds: truncate once so the value a
    // create returns is the value every later read returns.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
