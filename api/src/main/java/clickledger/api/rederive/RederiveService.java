package clickledger.api.rederive;

import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static clickledger.db.jooq.Tables.PROGRAM;
import static java.util.Objects.requireNonNull;

import clickledger.api.attribution.AttributionEngine;
import clickledger.api.attribution.Derivation;
import clickledger.api.attribution.ProgramSettings;
import clickledger.api.attribution.UserFacts;
import clickledger.api.attribution.UserLock;
import clickledger.api.audit.AuditEntry;
import clickledger.api.audit.AuditRepository;
import clickledger.api.auth.Principal;
import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.PayoutClaims;
import clickledger.api.event.EventRepository;
import clickledger.api.event.EventRow;
import clickledger.api.event.Refunds;
import clickledger.api.http.Timestamps;
import clickledger.api.money.Money;
import clickledger.api.program.AttributionModel;
import clickledger.common.id.Ulid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-derives attribution and commissions of a program's events from the raw facts, oldest event
 * first so each event's "first conversion" history is the re-derived one. A dry run does exactly
 * the same work in a transaction that is then rolled back, so the diff it shows is the diff an
 * apply would make. Paid commissions are never rewritten: a difference becomes an adjustment row.
 */
public final class RederiveService {
    private static final Logger LOG = LoggerFactory.getLogger(RederiveService.class);

    /** How often a run logs how far it is: a million events take minutes (docs/PERFORMANCE.md). */
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

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

    /**
     * What an event had that a re-derivation must carry over: its paid commissions (never
     * rewritten), what the partner effectively holds for each (paid amount plus earlier
     * adjustments), and statuses an admin decided (approved, rejected) on the unpaid ones.
     */
    private record EventState(Map<Key, CommissionRow> paid, Map<Key, Long> paidEffective, Map<Key, String> decided) {
        boolean plain() {
            return paid.isEmpty() && decided.isEmpty();
        }
    }

    /** The range's events and what they held before: commissions per key, and states where they matter. */
    private record Cleared(Map<Key, Long> before, Map<UUID, EventState> states) {}

    // Events re-derived per statement: each batch is one round trip and one note per table in the
    // stats change log, and its rows (a few per event) stay far below any statement limit.
    private static final int BATCH = 1_000;

    // A commission (alias c) that is never rewritten: paid, or claimed by a payout, or one of whose
    // offsets a payout claims (deleting it would orphan that offset). Probes payout_commission's
    // primary key and commission.reverses_id's index (partial, V70: every use of reverses_id here says
    // or implies "is not null", so the planner may take it).
    private static final String SETTLED = "(c.status = 'paid' or exists (select 1 from payout_commission pc"
            + " where pc.commission_id = c.id) or exists (select 1 from commission o join payout_commission po"
            + " on po.commission_id = o.id where o.reverses_id = c.id))";

    // The range: the program's non-refund events with from <= ts < to (event_program_ts_idx).
    private static final String RANGE = "(select id from event where program_id = cast(? as uuid) and refund_of is null"
            + " and ts >= cast(? as timestamptz) and ts < cast(? as timestamptz))";

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
        Instant now = Timestamps.micros(clock.instant());
        // The program's lock, exclusively: one re-derivation per program at a time, and events and
        // identifies of the program, which hold it shared, wait until this one ends (UserLock).
        UserLock.acquireProgram(trx, request.programId());
        // Commissions a payout claims are settled like paid ones (never rewritten, only adjusted);
        // holding the payout lock shared, no batch claims one while this runs.
        PayoutClaims.lockShared(trx, request.programId());
        ProgramSettings program = ProgramSettings.load(trx, request.programId());
        if (request.model() != null) {
            program = program.withModel(request.model());
        }
        List<EventRow> events =
                EventRepository.conversionsBetween(trx, request.programId(), request.from(), request.to());
        ProgressLog progress = new ProgressLog(request, events.size(), PROGRESS_EVERY);
        Map<UUID, Long> totalsBefore = partnerTotals(trx, request);
        Cleared cleared = clear(trx, request);
        Map<Key, Long> after = deriveAgain(trx, request, program, events, cleared.states(), now, progress);
        if (request.model() != null && !request.dryRun()) {
            trx.update(PROGRAM)
                    .set(PROGRAM.ATTRIBUTION_MODEL, request.model().wire())
                    .set(PROGRAM.UPDATED_AT, now.atOffset(ZoneOffset.UTC))
                    .where(PROGRAM.ID.eq(request.programId()))
                    .execute();
        }
        var currency = program.currency();
        Map<Key, Long> before = cleared.before();
        Result result = new Result(
                Ulid.encode(request.programId()),
                program.model().wire(),
                request.dryRun(),
                events.size(),
                changes(before, after, currency, true),
                changes(before, after, currency, false),
                removed(before, after, currency),
                partners(totalsBefore, partnerTotals(trx, request), currency));
        progress.finished(result);
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

    private static Object[] range(Request request, Object... before) {
        Object[] parameters = Arrays.copyOf(before, before.length + 3);
        parameters[before.length] = request.programId();
        parameters[before.length + 1] = request.from().atOffset(ZoneOffset.UTC);
        parameters[before.length + 2] = request.to().atOffset(ZoneOffset.UTC);
        return parameters;
    }

    /**
     * Phase one: notes what the range's events hold, then drops what will be derived again (their
     * attribution, their unpaid commissions and those rows' unpaid offsets), in a few set-based
     * statements for the whole range. Every event is cleared before any is derived again, so each
     * event's history holds only the events already re-derived (and those outside the range).
     */
    private static Cleared clear(DSLContext trx, Request request) {
        Map<Key, Long> before = new HashMap<>();
        Map<UUID, EventState> states = new HashMap<>();
        Map<UUID, CommissionRow> paidRows = new HashMap<>();
        Map<UUID, Key> paidKeys = new HashMap<>();
        trx.resultQuery(
                        "select c.*, a.click_id as touch_click_id, " + SETTLED + " as settled from commission c"
                                + " left join attribution a on a.id = c.attribution_id"
                                + " where c.kind = 'commission' and c.event_id in " + RANGE + " order by c.id",
                        range(request))
                .forEach(record -> {
                    CommissionRow row = CommissionRepository.toRow(record.into(COMMISSION));
                    UUID clickId = record.get("touch_click_id", UUID.class);
                    Key key = new Key(
                            row.eventId(), row.partnerId(), clickId, row.ruleIndex() == null ? -1 : row.ruleIndex());
                    EventState state = states.computeIfAbsent(
                            row.eventId(), id -> new EventState(new HashMap<>(), new HashMap<>(), new HashMap<>()));
                    if (record.get("settled", Boolean.class)) {
                        state.paid().put(key, row);
                        paidRows.put(row.id(), row);
                        paidKeys.put(row.id(), key);
                        return;
                    }
                    if (row.live()) {
                        before.merge(key, row.amountMinor(), Long::sum);
                    }
                    if (!"pending".equals(row.status()) && !"reversed".equals(row.status())) {
                        state.decided().put(key, row.status());
                    }
                });
        // What the partner effectively has for a paid row: the paid amount plus the adjustments
        // earlier re-derivations made to it.
        Map<UUID, Long> effective = new HashMap<>();
        paidRows.values().forEach(row -> effective.put(row.id(), row.amountMinor()));
        if (!paidRows.isEmpty()) {
            trx.selectFrom(COMMISSION)
                    .where(COMMISSION.REVERSES_ID.in(paidRows.keySet()).and(COMMISSION.KIND.eq("adjustment")))
                    .forEach(offset -> effective.merge(offset.getReversesId(), offset.getAmountMinor(), Long::sum));
        }
        paidRows.forEach((id, row) -> {
            Key key = paidKeys.get(id);
            states.get(row.eventId()).paidEffective().put(key, effective.get(id));
            before.merge(key, effective.get(id), Long::sum);
        });
        states.values().removeIf(EventState::plain);
        // Unsettled rows and their unpaid offsets are derived data: dropped, to be derived again.
        trx.execute(
                "delete from commission where status <> 'paid' and reverses_id is not null and reverses_id in"
                        + " (select c.id from commission c"
                        + " where c.kind = 'commission' and not " + SETTLED + " and c.event_id in " + RANGE + ")",
                range(request));
        trx.execute(
                "delete from commission c where c.kind = 'commission' and not " + SETTLED + " and c.event_id in "
                        + RANGE,
                range(request));
        // Two statements, not one with `or`: each `in` then plans as a semi-join (see partnerTotals).
        trx.execute(
                "update commission set attribution_id = null where attribution_id is not null and event_id in " + RANGE,
                range(request));
        trx.execute(
                "update commission set attribution_id = null where attribution_id is not null and reverses_id in"
                        + " (select id from commission where kind = 'commission' and event_id in " + RANGE + ")",
                range(request));
        trx.execute("delete from attribution where event_id in " + RANGE, range(request));
        return new Cleared(before, states);
    }

    /**
     * Phase two: derives every event again, oldest first, with the users' touches and histories
     * read once for the whole range and each derived event added to its user's history as it
     * goes; writes a thousand events per statement. An event with paid commissions, decisions to
     * keep or refunds to apply again goes alone, after the batch before it, through the steps that
     * need the database as it is then. Returns what the partners hold afterwards, per key.
     */
    private static Map<Key, Long> deriveAgain(
            DSLContext trx,
            Request request,
            ProgramSettings program,
            List<EventRow> events,
            Map<UUID, EventState> states,
            Instant now,
            ProgressLog progress) {
        Map<String, UserFacts> users = UserFacts.readAll(trx, request.programId(), request.from(), request.to());
        Map<UUID, List<EventRow>> refunds = refundsOf(trx, request);
        Map<Key, Long> after = new HashMap<>();
        AttributionEngine.Batch batch = new AttributionEngine.Batch(program, now);
        for (EventRow event : events) {
            progress.event();
            UserFacts facts = users.computeIfAbsent(event.userId(), user -> UserFacts.none());
            Derivation.Result derived = AttributionEngine.derive(program, event, facts, facts.history());
            facts.credited(event.type(), event.ts(), derived);
            AttributionEngine.Written written = AttributionEngine.plan(program, event, derived, now);
            batch.add(event, written);
            EventState state = states.get(event.id());
            List<EventRow> eventRefunds = refunds.get(event.id());
            if (state == null && eventRefunds == null) {
                fresh(written).forEach((key, row) -> after.merge(key, row.amountMinor(), Long::sum));
                if (batch.size() >= BATCH) {
                    batch.write(trx);
                }
                continue;
            }
            batch.write(trx);
            carryOver(trx, event, written, state, now, after);
            if (eventRefunds != null) {
                reapplyRefunds(trx, program, event, eventRefunds, written, now, after);
            }
        }
        batch.write(trx);
        return after;
    }

    /** The commissions just derived for an event, by key. */
    private static Map<Key, CommissionRow> fresh(AttributionEngine.Written written) {
        Map<Key, CommissionRow> fresh = new HashMap<>();
        for (CommissionRow row : written.commissions()) {
            UUID clickId = written.result()
                    .credits()
                    .get(written.attributionIds().indexOf(row.attributionId()))
                    .touch()
                    .clickId();
            fresh.put(new Key(row.eventId(), row.partnerId(), clickId, row.ruleIndex()), row);
        }
        return fresh;
    }

    /**
     * For an event written alone: keeps the statuses an admin decided, settles paid commissions by
     * an adjustment against what was derived now, and counts what the partners hold afterwards
     * (rejected and fully refunded rows hold nothing, as before the re-derivation).
     */
    private static void carryOver(
            DSLContext trx,
            EventRow event,
            AttributionEngine.Written written,
            EventState state,
            Instant now,
            Map<Key, Long> after) {
        Map<Key, CommissionRow> fresh = fresh(written);
        Map<Key, CommissionRow> paid = state == null ? Map.of() : state.paid();
        Map<Key, String> decided = state == null ? Map.of() : state.decided();
        for (var entry : fresh.entrySet()) {
            String status = decided.get(entry.getKey());
            if (status != null) {
                CommissionRepository.transition(trx, List.of(entry.getValue().id()), List.of("pending"), status, now);
            }
        }
        Derivation.Result derived = written.result();
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
                        .set(COMMISSION.ATTRIBUTION_ID, written.attributionIds().get(credit))
                        .where(COMMISSION.ID.eq(paidRow.id()))
                        .execute();
            }
            long target = replacement == null ? 0 : replacement.amountMinor();
            if (replacement != null) {
                CommissionRepository.delete(trx, List.of(replacement.id()));
            }
            long delta = target - state.paidEffective().get(key);
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
            after.merge(key, target, Long::sum);
        }
        fresh.forEach((key, row) -> {
            if (!"rejected".equals(decided.get(key))) {
                after.merge(key, row.amountMinor(), Long::sum);
            }
        });
    }

    /** The refunds of the range's events, oldest first per event. */
    private static Map<UUID, List<EventRow>> refundsOf(DSLContext trx, Request request) {
        Map<UUID, List<EventRow>> refunds = new HashMap<>();
        trx.selectFrom(EVENT)
                .where(DSL.condition("refund_of in " + RANGE, range(request)))
                .orderBy(EVENT.TS, EVENT.ID)
                .forEach(row -> {
                    EventRow refund = EventRepository.find(trx, row.getProgramId(), row.getId())
                            .orElseThrow();
                    refunds.computeIfAbsent(refund.refundOf(), id -> new ArrayList<>())
                            .add(refund);
                });
        return refunds;
    }

    /**
     * Applies the event's refunds again to its new commissions (the cumulative refunded value, as
     * the last refund did), and takes back from {@code after} what a full refund reversed.
     */
    private static void reapplyRefunds(
            DSLContext trx,
            ProgramSettings program,
            EventRow event,
            List<EventRow> refunds,
            AttributionEngine.Written written,
            Instant now,
            Map<Key, Long> after) {
        long total = refunds.stream().mapToLong(EventRow::value).sum();
        EventRow last = refunds.getLast();
        Refunds.apply(trx, program, event, last, total - last.value(), now);
        Map<UUID, Key> keys = new HashMap<>();
        fresh(written).forEach((key, row) -> keys.put(row.id(), key));
        trx.select(COMMISSION.ID, COMMISSION.AMOUNT_MINOR)
                .from(COMMISSION)
                .where(COMMISSION.ID.in(keys.keySet()).and(COMMISSION.STATUS.eq("reversed")))
                .forEach(row -> after.merge(keys.get(row.value1()), -row.value2(), Long::sum));
    }

    /** What each partner holds from the range's events and their refunds: every row but rejected and reversed ones. */
    private static Map<UUID, Long> partnerTotals(DSLContext trx, Request request) {
        Map<UUID, Long> totals = new TreeMap<>();
        trx.resultQuery(
                        // The range's events and their refunds as one joined set: `event_id in (…) or
                        // event_id in (…)` cannot be a semi-join, and past work_mem its subplans are not
                        // hashed but rescanned for every commission row (a dry run over 1,000,000
                        // replayed events ran for more than 9 minutes in this one statement). Purchases
                        // and refunds are disjoint (refund_of is null for the first), so union all.
                        "select c.partner_id, sum(c.amount_minor) from commission c join (select id from "
                                + RANGE + " purchases union all select id from event where refund_of in "
                                + RANGE + ") e on e.id = c.event_id where c.status not in ('rejected',"
                                + " 'reversed') group by c.partner_id",
                        range(
                                request,
                                request.programId(),
                                request.from().atOffset(ZoneOffset.UTC),
                                request.to().atOffset(ZoneOffset.UTC)))
                .forEach(r -> totals.put(r.get(0, UUID.class), r.get(1, Long.class)));
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

    /**
     * A run's progress as log lines (a long job shows where it is): one when it starts, one every
     * {@code every} while it derives, one when it ends. Not a metric: runs are rare and each is one
     * request of an admin, who reads the log.
     */
    static final class ProgressLog {
        private final Request request;
        private final int total;
        private final long everyNanos;
        private final long started = System.nanoTime();
        private long next;
        private int done;

        ProgressLog(Request request, int total, Duration every) {
            this.request = request;
            this.total = total;
            this.everyNanos = every.toNanos();
            this.next = started + everyNanos;
            LOG.atInfo()
                    .addKeyValue("programId", Ulid.encode(request.programId()))
                    .addKeyValue("events", total)
                    .addKeyValue("dryRun", request.dryRun())
                    .log("re-derivation started");
        }

        void event() {
            done++;
            long now = System.nanoTime();
            if (now >= next) {
                next = now + everyNanos;
                double seconds = (now - started) / 1e9;
                LOG.atInfo()
                        .addKeyValue("programId", Ulid.encode(request.programId()))
                        .addKeyValue("done", done)
                        .addKeyValue("of", total)
                        .addKeyValue("perSecond", seconds > 0 ? Math.round(done / seconds) : done)
                        .log("re-derivation: " + done + " of " + total + " events");
            }
        }

        void finished(Result result) {
            LOG.atInfo()
                    .addKeyValue("programId", result.programId())
                    .addKeyValue("events", result.events())
                    .addKeyValue("dryRun", result.dryRun())
                    .addKeyValue("added", result.added().size())
                    .addKeyValue("changed", result.changed().size())
                    .addKeyValue("removed", result.removed().size())
                    .addKeyValue("seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0)
                    .log(result.dryRun() ? "re-derivation done (a dry run: rolled back)" : "re-derivation done");
        }
    }
}
