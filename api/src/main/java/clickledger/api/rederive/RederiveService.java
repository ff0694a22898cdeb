package clickledger.api.rederive;

import static clickledger.db.jooq.Tables.ATTRIBUTION;
import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.Derivation;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.PayoutClaims;
import clickledger.api.event.EventRepository;
import clickledger.api.event.EventRow;
import clickledger.api.event.Refunds;
import clickledger.api.money.Money;
import clickledger.api.program.AttributionModel;
import clickledger.common.id.Ulid;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Re-derives attribution and commissions of a program's events from the raw facts, oldest event
 * first so each event's "first conversion" history is the re-derived one. A dry run does exactly
 * the same work in a transaction that is then rolled back, so the diff it shows is the diff an
 * apply would make. Paid commissions are never rewritten: a difference becomes an adjustment row.
 */
public final class RederiveService {
    private final DSLContext dsl;
    private final Clock clock;

    public RederiveService(DSLContext dsl, Clock clock) {
        this.dsl = requireNonNull(dsl, "dsl is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public record Request(UUID programId, AttributionModel model, Instant from, Instant to, boolean dryRun) {}

    public record Change(
            String eventId, String partnerId, String clickId, int ruleIndex, String before, String after) {}

    public record PartnerTotal(String partnerId, String before, String after, String delta) {}

    public record Result(
            String programId,
            String model,
            boolean dryRun,
            int events,
            List<Change> added,
            List<Change> changed,
            List<Change> removed,
            List<PartnerTotal> partners) {}

    private static final class DryRun extends RuntimeException {
        private final Result result;

        DryRun(Result result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    private record Key(UUID eventId, UUID partnerId, UUID clickId, int ruleIndex) {}

    private record EventState(Map<Key, CommissionRow> paid, Map<Key, Long> paidEffective, Map<Key, String> decided) {}

    public Result rederive(Request request, Principal actor) {
        try {
            return dsl.transactionResult(configuration -> {
                Result result = run(configuration.dsl(), request, actor);
                if (request.dryRun()) {
                    throw new DryRun(result);
                }
                return result;
            });
        } catch (DryRun dryRun) {
            return dryRun.result;
        }
    }

    private Result run(DSLContext trx, Request request, Principal actor) {
        Instant now = clock.instant();
        // One re-derivation per program at a time; events arriving meanwhile wait on the user locks below.
        trx.select(DSL.field(
                        "pg_advisory_xact_lock(hashtextextended({0}, 1))",
                        Object.class, request.programId().toString()))
                .fetch();
        // Commissions a payout claims are settled like paid ones (never rewritten, only adjusted);
        // holding the payout lock shared, no batch claims one while this runs.
        PayoutClaims.lockShared(trx, request.programId());
        ProgramSettings program = ProgramSettings.load(trx, request.programId());
        if (request.model() != null) {
            program = program.withModel(request.model());
        }
        var currency = program.currency();
        List<EventRow> events =
                EventRepository.conversionsBetween(trx, request.programId(), request.from(), request.to());
        List<UUID> eventIds = events.stream().map(EventRow::id).toList();
        Map<UUID, Long> totalsBefore = partnerTotals(trx, eventIds);
        Map<Key, Long> before = new HashMap<>();
        Map<Key, Long> after = new HashMap<>();
        Map<UUID, EventState> states = new HashMap<>();
        for (EventRow event : events) {
            clickledger.api.attribution.UserLock.acquire(trx, request.programId(), event.userId());
            Map<UUID, UUID> clickOfAttribution = new HashMap<>();
            trx.select(ATTRIBUTION.ID, ATTRIBUTION.CLICK_ID)
                    .from(ATTRIBUTION)
                    .where(ATTRIBUTION.EVENT_ID.eq(event.id()))
                    .forEach(r -> clickOfAttribution.put(r.value1(), r.value2()));
            List<CommissionRow> old = CommissionRepository.ofEvent(trx, event.id());
            Set<UUID> settled = settled(trx, old);
            Map<Key, CommissionRow> paid = new HashMap<>();
            Map<Key, Long> paidEffective = new HashMap<>();
            Map<Key, String> decided = new HashMap<>();
            List<UUID> unpaid = new ArrayList<>();
            for (CommissionRow row : old) {
                Key key = new Key(
                        event.id(),
                        row.partnerId(),
                        clickOfAttribution.get(row.attributionId()),
                        row.ruleIndex() == null ? -1 : row.ruleIndex());
                if (settled.contains(row.id())) {
                    // What the partner effectively has for this key: the paid amount plus the
                    // adjustments earlier re-derivations made to it.
                    long effective = row.amountMinor();
                    for (CommissionRow offset : CommissionRepository.offsetsOf(trx, row.id())) {
                        if ("adjustment".equals(offset.kind())) {
                            effective += offset.amountMinor();
                        }
                    }
                    paid.put(key, row);
                    paidEffective.put(key, effective);
                    before.merge(key, effective, Long::sum);
                } else {
                    if (row.live()) {
                        before.merge(key, row.amountMinor(), Long::sum);
                    }
                    unpaid.add(row.id());
                    if (!"pending".equals(row.status()) && !"reversed".equals(row.status())) {
                        decided.put(key, row.status());
                    }
                }
            }
            // Unpaid rows and their unpaid offsets are derived data: drop them and derive again.
            List<UUID> offsets = trx.select(COMMISSION.ID)
                    .from(COMMISSION)
                    .where(COMMISSION.REVERSES_ID.in(unpaid).and(COMMISSION.STATUS.ne("paid")))
                    .fetch(COMMISSION.ID);
            CommissionRepository.delete(trx, offsets);
            CommissionRepository.delete(trx, unpaid);
            trx.update(COMMISSION)
                    .setNull(COMMISSION.ATTRIBUTION_ID)
                    .where(COMMISSION
                            .EVENT_ID
                            .eq(event.id())
                            .or(COMMISSION.REVERSES_ID.in(paid.values().stream()
                                    .map(CommissionRow::id)
                                    .toList())))
                    .execute();
            trx.deleteFrom(ATTRIBUTION)
                    .where(ATTRIBUTION.EVENT_ID.eq(event.id()))
                    .execute();
            states.put(event.id(), new EventState(paid, paidEffective, decided));
        }
        // Every in-range event is cleared before any is derived again, so each event's history
        // holds only the events already re-derived (and those outside the range).
        for (EventRow event : events) {
            EventState state = states.get(event.id());
            Map<Key, CommissionRow> paid = state.paid();
            Map<Key, String> decided = state.decided();
            Derivation.Result derived =
                    AttributionEngine.derive(trx, program, event, AttributionEngine.storedHistory(trx, program, event));
            AttributionEngine.Written written = AttributionEngine.write(trx, program, event, derived, now);
            Map<Key, CommissionRow> fresh = new HashMap<>();
            for (CommissionRow row : written.commissions()) {
                UUID clickId = derived.credits()
                        .get(written.attributionIds().indexOf(row.attributionId()))
                        .touch()
                        .clickId();
                fresh.put(new Key(event.id(), row.partnerId(), clickId, row.ruleIndex()), row);
            }
            for (var entry : fresh.entrySet()) {
                String status = decided.get(entry.getKey());
                if (status != null) {
                    CommissionRepository.transition(
                            trx, List.of(entry.getValue().id()), List.of("pending"), status, now);
                }
            }
            for (var entry : paid.entrySet()) {
                CommissionRow paidRow = entry.getValue();
                Key key = entry.getKey();
                CommissionRow replacement = fresh.remove(key);
                if (replacement == null && key.clickId() == null) {
                    // A paid row whose touch was lost earlier: match on partner and rule alone.
                    Key match = fresh.keySet().stream()
                            .filter(k -> k.partnerId().equals(key.partnerId()) && k.ruleIndex() == key.ruleIndex())
                            .findFirst()
                            .orElse(null);
                    replacement = match == null ? null : fresh.remove(match);
                }
                // The paid row keeps pointing at its touch's new attribution row, when there is one.
                int credit = -1;
                for (int i = 0; i < derived.credits().size(); i++) {
                    UUID clickId = derived.credits().get(i).touch().clickId();
                    if (clickId.equals(key.clickId())
                            || (replacement != null
                                    && replacement
                                            .attributionId()
                                            .equals(written.attributionIds().get(i)))) {
                        credit = i;
                    }
                }
                if (credit >= 0) {
                    trx.update(COMMISSION)
                            .set(
                                    COMMISSION.ATTRIBUTION_ID,
                                    written.attributionIds().get(credit))
                            .where(COMMISSION.ID.eq(paidRow.id()))
                            .execute();
                }
                long target = replacement == null ? 0 : replacement.amountMinor();
                if (replacement != null) {
                    CommissionRepository.delete(trx, List.of(replacement.id()));
                }
                long delta = target - state.paidEffective().get(entry.getKey());
                if (delta != 0) {
                    CommissionRepository.insert(
                            trx,
                            new CommissionRow(
                                    CommissionRepository.newId(now),
                                    event.id(),
                                    null,
                                    paidRow.partnerId(),
                                    paidRow.programId(),
                                    paidRow.userId(),
                                    "adjustment",
                                    paidRow.ruleIndex(),
                                    delta,
                                    paidRow.currency(),
                                    "approved",
                                    now,
                                    paidRow.id(),
                                    null,
                                    now),
                            null);
                }
                after.merge(entry.getKey(), target, Long::sum);
            }
            fresh.forEach((key, row) -> after.merge(key, row.amountMinor(), Long::sum));
            reapplyRefunds(trx, program, event, now);
        }
        if (request.model() != null && !request.dryRun()) {
            trx.update(PROGRAM)
                    .set(PROGRAM.ATTRIBUTION_MODEL, request.model().wire())
                    .set(PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                    .where(PROGRAM.ID.eq(request.programId()))
                    .execute();
        }
        Map<UUID, Long> totalsAfter = partnerTotals(trx, eventIds);
        Result result = new Result(
                Ulid.encode(request.programId()),
                program.model().wire(),
                request.dryRun(),
                events.size(),
                changes(before, after, currency, true),
                changes(before, after, currency, false),
                removed(before, after, currency),
                partners(totalsBefore, totalsAfter, currency));
        if (!request.dryRun()) {
            new AuditRepository(trx)
                    .append(new AuditEntry(
                            now,
                            actor.actor(),
                            "attribution.rederive",
                            "program",
                            Ulid.encode(request.programId()),
                            Map.of(
                                    "events",
                                    events.size(),
                                    "model",
                                    program.model().wire())));
        }
        return result;
    }

    /**
     * The rows of {@code commissions} that are never rewritten: paid ones, and those a payout
     * claims, or one of whose offsets it claims (deleting it would orphan that offset).
     */
    private static Set<UUID> settled(DSLContext trx, List<CommissionRow> commissions) {
        Set<UUID> settled = new HashSet<>();
        Map<UUID, UUID> parentOf = new HashMap<>();
        List<UUID> ids = new ArrayList<>();
        for (CommissionRow row : commissions) {
            ids.add(row.id());
            parentOf.put(row.id(), row.id());
            if (row.paid()) {
                settled.add(row.id());
            }
        }
        trx.select(COMMISSION.ID, COMMISSION.REVERSES_ID)
                .from(COMMISSION)
                .where(COMMISSION.REVERSES_ID.in(ids))
                .forEach(offset -> parentOf.put(offset.value1(), offset.value2()));
        for (UUID claimed : PayoutClaims.claimed(trx, parentOf.keySet())) {
            settled.add(parentOf.get(claimed));
        }
        return settled;
    }

    private static void reapplyRefunds(DSLContext trx, ProgramSettings program, EventRow event, Instant now) {
        List<EventRow> refunds = trx.selectFrom(EVENT)
                .where(EVENT.REFUND_OF.eq(event.id()))
                .orderBy(EVENT.TS, EVENT.ID)
                .fetch(r ->
                        EventRepository.find(trx, event.programId(), r.getId()).orElseThrow());
        if (refunds.isEmpty()) {
            return;
        }
        long total = refunds.stream().mapToLong(EventRow::value).sum();
        EventRow last = refunds.getLast();
        Refunds.apply(trx, program, event, last, total - last.value(), now);
    }

    private static Map<UUID, Long> partnerTotals(DSLContext trx, List<UUID> eventIds) {
        Map<UUID, Long> totals = new TreeMap<>();
        var refundIds = trx.select(EVENT.ID).from(EVENT).where(EVENT.REFUND_OF.in(eventIds));
        trx.select(COMMISSION.PARTNER_ID, DSL.sum(COMMISSION.AMOUNT_MINOR))
                .from(COMMISSION)
                .where(COMMISSION
                        .EVENT_ID
                        .in(eventIds)
                        .or(COMMISSION.EVENT_ID.in(refundIds))
                        .and(COMMISSION.STATUS.notIn("rejected", "reversed")))
                .groupBy(COMMISSION.PARTNER_ID)
                .forEach(r -> totals.put(r.value1(), r.value2().longValue()));
        return totals;
    }

    private static List<Change> changes(
            Map<Key, Long> before, Map<Key, Long> after, java.util.Currency currency, boolean added) {
        List<Change> out = new ArrayList<>();
        after.forEach((key, amount) -> {
            Long old = before.get(key);
            if (added ? old == null && amount != 0 : old != null && !Objects.equals(old, amount)) {
                out.add(change(key, old, amount, currency));
            }
        });
        return out;
    }

    private static List<Change> removed(Map<Key, Long> before, Map<Key, Long> after, java.util.Currency currency) {
        List<Change> out = new ArrayList<>();
        before.forEach((key, amount) -> {
            if (!after.containsKey(key) && amount != 0) {
                out.add(change(key, amount, null, currency));
            }
        });
        return out;
    }

    private static Change change(Key key, Long before, Long after, java.util.Currency currency) {
        return new Change(
                Ulid.encode(key.eventId()),
                Ulid.encode(key.partnerId()),
                key.clickId() == null ? null : Ulid.encode(key.clickId()),
                key.ruleIndex(),
                before == null ? null : Money.format(before, currency),
                after == null ? null : Money.format(after, currency));
    }

    private static List<PartnerTotal> partners(
            Map<UUID, Long> before, Map<UUID, Long> after, java.util.Currency currency) {
        TreeMap<UUID, long[]> merged = new TreeMap<>();
        before.forEach((partner, amount) -> merged.computeIfAbsent(partner, p -> new long[2])[0] = amount);
        after.forEach((partner, amount) -> merged.computeIfAbsent(partner, p -> new long[2])[1] = amount);
        List<PartnerTotal> out = new ArrayList<>();
        merged.forEach((partner, amounts) -> out.add(new PartnerTotal(
                Ulid.encode(partner),
                Money.format(amounts[0], currency),
                Money.format(amounts[1], currency),
                Money.format(amounts[1] - amounts[0], currency))));
        return out;
    }
}
