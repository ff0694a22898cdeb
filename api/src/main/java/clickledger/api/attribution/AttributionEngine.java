package clickledger.api.attribution;

import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.event.EventRepository;
import clickledger.api.event.EventRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Runs {@link Derivation} for one stored event against the database and writes what it derives:
 * attribution rows, pending commissions held until event time + holdback, and the event's status.
 * Callers hold the per-user lock ({@link UserLock}) so a user's events are attributed one at a time.
 */
public final class AttributionEngine {
    private AttributionEngine() {}

    /** What was written for one event. */
    public record Written(Derivation.Result result, List<UUID> attributionIds, List<CommissionRow> commissions) {}

    public static Derivation.Result derive(
            DSLContext dsl, ProgramSettings program, EventRow event, Derivation.HistorySource history) {
        if (!AttributionRepository.hasIdentity(dsl, program.programId(), event.userId())) {
            return new Derivation.Result(Derivation.Status.NO_IDENTITY, program.model(), List.of(), List.of());
        }
        List<Touch> candidates = AttributionRepository.candidates(dsl, program.programId(), event.userId());
        return Derivation.derive(
                program.model(),
                program.lookbackDays(),
                new Derivation.EventFacts(event.type(), event.value(), event.ts()),
                candidates,
                program::rulesFor,
                history);
    }

    /** History as the database has it now, for events attributed as they arrive. */
    public static Derivation.HistorySource storedHistory(DSLContext dsl, ProgramSettings program, EventRow event) {
        return (partnerId, eventType) -> AttributionRepository.history(
                dsl, program.programId(), partnerId, event.userId(), eventType, event.id());
    }

    public static Written attribute(DSLContext trx, ProgramSettings program, EventRow event, Instant now) {
        Derivation.Result result = derive(trx, program, event, storedHistory(trx, program, event));
        return write(trx, program, event, result, now);
    }

    public static Written write(
            DSLContext trx, ProgramSettings program, EventRow event, Derivation.Result result, Instant now) {
        List<UUID> attributionIds = AttributionRepository.insert(
                trx, event.id(), program.programId(), result, program.currency().getCurrencyCode(), now);
        Instant holdUntil = event.ts().plus(Duration.ofDays(program.holdbackDays()));
        List<CommissionRow> commissions = new ArrayList<>();
        for (Derivation.CommissionLine line : result.commissions()) {
            Derivation.Credit credit = result.credits().get(line.creditIndex());
            CommissionRow row = new CommissionRow(
                    CommissionRepository.newId(now),
                    event.id(),
                    attributionIds.get(line.creditIndex()),
                    credit.touch().partnerId(),
                    program.programId(),
                    event.userId(),
                    "commission",
                    line.rule().index(),
                    line.amountMinor(),
                    program.currency().getCurrencyCode(),
                    "pending",
                    holdUntil,
                    null,
                    null,
                    now);
            CommissionRepository.insert(trx, row, line.rule().toJson(program.currency()));
            commissions.add(row);
        }
        EventRepository.setStatus(
                trx, event.id(), result.status().wire(), result.model().wire());
        return new Written(result, attributionIds, commissions);
    }
}
