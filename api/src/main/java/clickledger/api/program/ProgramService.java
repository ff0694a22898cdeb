package clickledger.api.program;

import static java.util.Objects.requireNonNull;

import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
        Instant now = now();
        Program program = request.toProgram(ProgramId.newId(now), now);
        return dsl.transactionResult(trx -> {
            if (!new ProgramRepository(trx.dsl()).insert(program)) {
                throw ApiException.conflict(
                        "slug_taken", "slug: a program with slug \"" + program.slug() + "\" already exists");
            }
            new AuditRepository(trx.dsl())
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "program.created",
                            "program",
                            program.id().toString(),
                            Map.of("slug", program.slug().value())));
            return program;
        });
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

    // The database keeps microseconds and ids keep milliseconds: truncate once so the value a
    // create returns is the value every later read returns.
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
