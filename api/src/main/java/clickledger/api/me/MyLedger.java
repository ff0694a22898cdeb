package clickledger.api.me;

import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.EVENT;
import static java.util.Objects.requireNonNull;

import clickledger.api.auth.Access;
import clickledger.api.auth.Principal;
import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.money.Money;
import clickledger.api.payout.Payout;
import clickledger.api.payout.PayoutId;
import clickledger.api.payout.PayoutRepository;
import clickledger.api.payout.PayoutService;
import clickledger.api.payout.PayoutView;
import clickledger.api.program.ProgramId;
import clickledger.common.id.Ulid;
import clickledger.web.ApiException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * A partner's own money: its commissions (with what earned each, never the merchant's user id or
 * event id), its payouts, and its balances. Every query is filtered by the caller's partner and,
 * for a key narrowed to one program, that program; another partner's id is a 404.
 */
final class MyLedger {
    private final DSLContext dsl;

    MyLedger(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** A commission as its partner sees it. */
    record MyCommission(
            String id,
            String programId,
            String kind,
            String amount,
            String currency,
            String status,
            Instant holdUntil,
            Instant createdAt,
            String eventType,
            Instant eventTs,
            String eventValue,
            String eventCurrency,
            String payoutId) {
        static MyCommission of(
                CommissionRow row, String eventType, Instant eventTs, Long eventValue, String eventCurrency) {
            String currency = row.currency().strip();
            return new MyCommission(
                    Ulid.encode(row.id()),
                    Ulid.encode(row.programId()),
                    row.kind(),
                    Money.format(row.amountMinor(), Currency.getInstance(currency)),
                    currency,
                    row.status(),
                    row.holdUntil(),
                    row.createdAt(),
                    eventType,
                    eventTs,
                    eventValue == null || eventCurrency == null
                            ? null
                            : Money.format(eventValue, Currency.getInstance(eventCurrency.strip())),
                    eventCurrency == null ? null : eventCurrency.strip(),
                    row.payoutId() == null ? null : Ulid.encode(row.payoutId()));
        }
    }

    /** @param programId a program the caller asked for, or null for all of them */
    Page<MyCommission> commissions(
            Principal partner, ProgramId programId, String status, Instant from, Instant to, PageRequest page) {
        UUID scope = scope(partner, programId);
        if (scope == NOWHERE) {
            return new Page<>(List.of(), null);
        }
        return CommissionRepository.listWithEvents(
                        dsl,
                        new CommissionRepository.Filter(
                                scope, partner.partnerId().value(), null, status, null),
                        new CommissionRepository.EventFilter(from, to, null),
                        page)
                .map(listed -> MyCommission.of(
                        listed.row(),
                        listed.eventType(),
                        listed.eventTs(),
                        listed.eventValueMinor(),
                        listed.eventCurrency()));
    }

    MyCommission commission(Principal partner, UUID id) {
        CommissionRow row = CommissionRepository.find(dsl, id)
                .filter(found -> Access.partnerSees(
                        partner,
                        new clickledger.api.partner.PartnerId(found.partnerId()),
                        new ProgramId(found.programId())))
                .orElseThrow(() -> ApiException.notFound("commission"));
        var event = dsl.select(EVENT.TYPE, EVENT.TS, EVENT.VALUE_MINOR, EVENT.CURRENCY)
                .from(EVENT)
                .where(EVENT.ID.eq(row.eventId()))
                .fetchSingle();
        return MyCommission.of(row, event.value1(), event.value2().toInstant(), event.value3(), event.value4());
    }

    /**
     * The partner's own payouts, exactly as admins see them (issue 16's {@link PayoutView}), newest
     * first: payout_partner_id_idx (partner_id, id) pages them.
     */
    Page<PayoutView> payouts(Principal partner, ProgramId programId, PageRequest page) {
        UUID scope = scope(partner, programId);
        if (scope == NOWHERE) {
            return new Page<>(List.of(), null);
        }
        Page<Payout> payouts = new PayoutRepository(dsl)
                .list(
                        new PayoutRepository.Filter(
                                scope == null ? null : new ProgramId(scope),
                                partner.partnerId(),
                                null,
                                null,
                                null,
                                null),
                        page);
        return new Page<>(PayoutService.views(dsl, payouts.items()), payouts.nextCursor());
    }

    /** One of the partner's own payouts; another partner's, or another program's for a scoped key, is a 404. */
    PayoutView payout(Principal partner, UUID id) {
        return new PayoutRepository(dsl)
                .find(new PayoutId(id))
                .filter(found -> Access.partnerSees(partner, found.partnerId(), found.programId()))
                .map(found -> PayoutService.views(dsl, List.of(found)).getFirst())
                .orElseThrow(() -> ApiException.notFound("payout"));
    }

    /**
     * All-time totals per currency: pending, approved (ready for the next payout), paid, and
     * reversed (what refunds took back, as a positive amount). Reversal rows carry their status
     * like the rest, so pending and approved are what is still owed. One pass over the partner's
     * commissions by commission_partner_status_idx.
     */
    List<Map<String, Object>> balances(Principal partner, ProgramId programId) {
        UUID scope = scope(partner, programId);
        if (scope == NOWHERE) {
            return List.of();
        }
        var pending = DSL.coalesce(
                DSL.sum(COMMISSION.AMOUNT_MINOR).filterWhere(COMMISSION.STATUS.eq("pending")),
                DSL.inline(java.math.BigDecimal.ZERO));
        var approved = DSL.coalesce(
                DSL.sum(COMMISSION.AMOUNT_MINOR).filterWhere(COMMISSION.STATUS.eq("approved")),
                DSL.inline(java.math.BigDecimal.ZERO));
        var paid = DSL.coalesce(
                DSL.sum(COMMISSION.AMOUNT_MINOR).filterWhere(COMMISSION.STATUS.eq("paid")),
                DSL.inline(java.math.BigDecimal.ZERO));
        var reversed = DSL.coalesce(
                DSL.sum(COMMISSION.AMOUNT_MINOR).filterWhere(COMMISSION.KIND.eq("reversal")),
                DSL.inline(java.math.BigDecimal.ZERO));
        List<Map<String, Object>> balances = new ArrayList<>();
        dsl.select(COMMISSION.CURRENCY, pending, approved, paid, reversed)
                .from(COMMISSION)
                .where(COMMISSION.PARTNER_ID.eq(partner.partnerId().value()))
                .and(scope == null ? DSL.noCondition() : COMMISSION.PROGRAM_ID.eq(scope))
                .groupBy(COMMISSION.CURRENCY)
                .orderBy(COMMISSION.CURRENCY)
                .forEach(row -> {
                    Currency currency = Currency.getInstance(row.value1().strip());
                    Map<String, Object> balance = new LinkedHashMap<>();
                    balance.put("currency", currency.getCurrencyCode());
                    balance.put("pending", Money.format(row.value2().longValueExact(), currency));
                    balance.put("approved", Money.format(row.value3().longValueExact(), currency));
                    balance.put("paid", Money.format(row.value4().longValueExact(), currency));
                    balance.put("reversed", Money.format(-row.value5().longValueExact(), currency));
                    balances.add(balance);
                });
        return balances;
    }

    // The program a query is limited to: the key's, the one asked for, or null for all; NOWHERE
    // when a narrowed key asks for another program (an empty answer, as for a program it is not in).
    static final UUID NOWHERE = new UUID(0, 0);

    static UUID scope(Principal partner, ProgramId asked) {
        ProgramId keyProgram = partner.programId();
        if (keyProgram != null && asked != null && !keyProgram.equals(asked)) {
            return NOWHERE;
        }
        ProgramId scope = keyProgram != null ? keyProgram : asked;
        return scope == null ? null : scope.value();
    }

    static Instant at(java.time.LocalDate day) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
