package clickledger.api.payout;

import static clickledger.db.jooq.Tables.COMMISSION;
import static clickledger.db.jooq.Tables.PARTNER;
import static clickledger.db.jooq.Tables.PAYOUT;
import static clickledger.db.jooq.Tables.PAYOUT_COMMISSION;
import static clickledger.db.jooq.Tables.WEBHOOK_ENDPOINT;
import static java.util.Objects.requireNonNull;

import clickledger.api.commission.CommissionRepository;
import clickledger.api.commission.CommissionRow;
import clickledger.api.commission.PayoutClaims;
import clickledger.api.http.Page;
import clickledger.api.http.PageRequest;
import clickledger.api.money.Money;
import clickledger.api.partner.PartnerId;
import clickledger.api.program.ProgramId;
import clickledger.db.jooq.tables.records.PayoutRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Payouts and their claims in PostgreSQL. A commission is owed when it is approved and no
 * payout claims it ({@code payout_commission}, whose primary key lets a commission be claimed
 * once); a batch claims in one statement, under the program's payout lock.
 */
public final class PayoutRepository {
    // The commissions a batch may pay: approved, created by the cut-off, in the currency asked
    // for (all when null), claimed by no payout. Reads commission_program_status_idx; the claim
    // probe is payout_commission's primary key.
    private static final String OWED =
            """
            select c.id, c.partner_id, c.currency, c.amount_minor
              from commission c
             where c.program_id = {0} and c.status = 'approved' and c.created_at <= {1}
               and ({2}::varchar is null or c.currency = {2}::varchar)
               and not exists (select 1 from payout_commission pc where pc.commission_id = c.id)""";

    private static final String GROUPS =
            """
            select owed.partner_id, owed.currency, p.name, p.email,
                   sum(owed.amount_minor) as net,
                   coalesce(sum(owed.amount_minor) filter (where owed.amount_minor > 0), 0) as earned,
                   coalesce(sum(owed.amount_minor) filter (where owed.amount_minor < 0), 0) as negatives,
                   count(*) as row_count, count(*) filter (where owed.amount_minor < 0) as negative_count
              from (%s) owed
              join partner p on p.id = owed.partner_id
             group by owed.partner_id, owed.currency, p.name, p.email
             order by net desc, owed.partner_id"""
                    .formatted(OWED);

    // One statement, so one snapshot: the payouts are what the claims add up to, both computed from
    // the same rows. A group that the plan lacks (its first commission was approved after the plan
    // was read) or that no longer qualifies is left for the next batch. Materialised CTEs, because
    // the owed rows and the qualifying groups are each read twice. The claims are written in owed
    // order (the heap's, which is id order for time-ordered ids), so the primary key grows at its
    // right edge.
    private static final String CLAIM =
            """
            with plan as materialized (
                select * from unnest({3}::uuid[], {4}::uuid[], {5}::varchar[]) as plan (payout_id, partner_id, currency)
            ), owed as materialized (%s
            ), qualified as materialized (
                select plan.payout_id, groups.partner_id, groups.currency, groups.total, groups.claims
                  from (select partner_id, currency, sum(amount_minor) as total, count(*) as claims
                          from owed group by partner_id, currency) groups
                  join plan on plan.partner_id = groups.partner_id and plan.currency = groups.currency::varchar
                 where groups.total > 0 and (groups.currency::varchar <> {6}::varchar or groups.total >= {7})
            ), payouts as (
                insert into payout (id, batch_id, partner_id, program_id, amount_minor, currency, commission_count,
                                    status, period_end, created_at, updated_at)
                select payout_id, {8}, partner_id, {0}, total, currency, claims, 'pending', {1}, {9}, {9}
                  from qualified
                returning id, partner_id, currency, amount_minor, commission_count
            ), claimed as (
                insert into payout_commission (commission_id, payout_id)
                select owed.id, qualified.payout_id
                  from owed join qualified on qualified.partner_id = owed.partner_id and qualified.currency = owed.currency
            )
            select id, partner_id, currency, amount_minor, commission_count from payouts order by id"""
                    .formatted(OWED);

    private final DSLContext dsl;

    public PayoutRepository(DSLContext dsl) {
        this.dsl = requireNonNull(dsl, "dsl is null");
    }

    /** One batch per program at a time, across every api process ({@link PayoutClaims}). */
    public void lockExclusive(UUID programId) {
        PayoutClaims.lockExclusive(dsl, programId);
    }

    /**
     * Whether any enabled endpoint subscribes to this event type (an empty filter means every
     * type, as WebhookEndpoint.subscribesTo has it): a batch builds its thousands of payout.created
     * payloads only then.
     */
    static boolean anyEndpointFor(DSLContext dsl, String eventType) {
        return dsl.fetchExists(DSL.selectOne()
                .from(WEBHOOK_ENDPOINT)
                .where(WEBHOOK_ENDPOINT.ENABLED.isTrue())
                .and(WEBHOOK_ENDPOINT.DELETED_AT.isNull())
                .and(DSL.cardinality(WEBHOOK_ENDPOINT.EVENT_TYPES)
                        .eq(0)
                        .or(DSL.val(eventType).eq(DSL.any(WEBHOOK_ENDPOINT.EVENT_TYPES)))));
    }

    /** What a partner is owed in one currency, and whether a batch with this spec would pay it. */
    public record Group(
            PartnerId partnerId,
            String partnerName,
            String partnerEmail,
            Currency currency,
            long net,
            long earned,
            long negatives,
            int rows,
            int negativeRows) {}

    /** Every partner and currency with owed commissions under the spec, largest net first. */
    public List<Group> groups(BatchSpec spec) {
        return dsl.resultQuery(GROUPS, spec.programId().value(), utc(spec.upTo()), currencyCode(spec))
                .fetch(row -> new Group(
                        new PartnerId(row.get("partner_id", UUID.class)),
                        row.get("name", String.class),
                        row.get("email", String.class),
                        Currency.getInstance(row.get("currency", String.class).trim()),
                        row.get("net", Long.class),
                        row.get("earned", Long.class),
                        row.get("negatives", Long.class),
                        row.get("row_count", Integer.class),
                        row.get("negative_count", Integer.class)));
    }

    /** A payout the batch means to create, with the id it will have. */
    public record Planned(PayoutId id, PartnerId partnerId, Currency currency) {}

    /**
     * Creates the planned payouts that still qualify and claims their commissions, in one
     * statement (call under {@link #lockExclusive}).
     *
     * @return the payouts created, in id order
     */
    public List<Payout> claim(BatchSpec spec, UUID batchId, List<Planned> plan, Instant now) {
        if (plan.isEmpty()) {
            return List.of();
        }
        UUID[] payoutIds = plan.stream().map(p -> p.id().value()).toArray(UUID[]::new);
        UUID[] partnerIds = plan.stream().map(p -> p.partnerId().value()).toArray(UUID[]::new);
        String[] currencies =
                plan.stream().map(p -> p.currency().getCurrencyCode()).toArray(String[]::new);
        OffsetDateTime at = utc(now);
        return dsl.resultQuery(
                        CLAIM,
                        spec.programId().value(),
                        utc(spec.upTo()),
                        currencyCode(spec),
                        payoutIds,
                        partnerIds,
                        currencies,
                        spec.minimum().currency().getCurrencyCode(),
                        spec.minimum().minor(),
                        batchId,
                        at)
                .fetch(row -> new Payout(
                        new PayoutId(row.get("id", UUID.class)),
                        batchId,
                        spec.programId(),
                        new PartnerId(row.get("partner_id", UUID.class)),
                        new Money(
                                row.get("amount_minor", Long.class),
                                Currency.getInstance(
                                        row.get("currency", String.class).trim())),
                        row.get("commission_count", Integer.class),
                        PayoutStatus.PENDING,
                        spec.upTo(),
                        now,
                        now,
                        null,
                        null,
                        null,
                        null));
    }

    public Optional<Payout> find(PayoutId id) {
        return dsl.selectFrom(PAYOUT)
                .where(PAYOUT.ID.eq(id.value()))
                .fetchOptional()
                .map(PayoutRepository::toPayout);
    }

    /** Locks the row until the transaction ends: mark-paid and cancel of one payout go one at a time. */
    public Optional<Payout> findForUpdate(PayoutId id) {
        return dsl.selectFrom(PAYOUT)
                .where(PAYOUT.ID.eq(id.value()))
                .forUpdate()
                .fetchOptional()
                .map(PayoutRepository::toPayout);
    }

    /**
     * Which payouts a list or an export covers; null fields do not filter.
     *
     * @param ids exactly these payouts (an export's {@code ?ids=}); null for no such filter
     */
    public record Filter(
            ProgramId programId,
            PartnerId partnerId,
            PayoutStatus status,
            UUID batchId,
            Currency currency,
            List<PayoutId> ids) {
        public static final Filter ALL = new Filter(null, null, null, null, null, null);

        Condition condition() {
            Condition condition = DSL.noCondition();
            if (programId != null) {
                condition = condition.and(PAYOUT.PROGRAM_ID.eq(programId.value()));
            }
            if (partnerId != null) {
                condition = condition.and(PAYOUT.PARTNER_ID.eq(partnerId.value()));
            }
            if (status != null) {
                condition = condition.and(PAYOUT.STATUS.eq(status.wire()));
            }
            if (batchId != null) {
                condition = condition.and(PAYOUT.BATCH_ID.eq(batchId));
            }
            if (currency != null) {
                condition = condition.and(PAYOUT.CURRENCY.eq(currency.getCurrencyCode()));
            }
            if (ids != null) {
                condition = condition.and(
                        PAYOUT.ID.in(ids.stream().map(PayoutId::value).toList()));
            }
            return condition;
        }
    }

    /**
     * Newest first, by id; each filter has its index (payout_program_id_idx, payout_partner_id_idx,
     * payout_batch_id_idx), which a status filter narrows further.
     */
    public Page<Payout> list(Filter filter, PageRequest page) {
        return Page.of(
                dsl.selectFrom(PAYOUT)
                        .where(filter.condition())
                        .and(page.after(PAYOUT.ID))
                        .orderBy(PAYOUT.ID.desc())
                        .limit(page.fetchSize())
                        .fetch(PayoutRepository::toPayout),
                page,
                payout -> payout.id().toString());
    }

    /** The currencies of the payouts the filter selects (at most {@code limit} of them). */
    public List<Currency> currencies(Filter filter, int limit) {
        return dsl.selectDistinct(PAYOUT.CURRENCY)
                .from(PAYOUT)
                .where(filter.condition())
                .orderBy(PAYOUT.CURRENCY)
                .limit(limit)
                .fetch(row -> Currency.getInstance(row.value1().trim()));
    }

    /** Which of these ids are payouts. */
    public Set<PayoutId> existing(Collection<PayoutId> ids) {
        return new HashSet<>(dsl.select(PAYOUT.ID)
                .from(PAYOUT)
                .where(PAYOUT.ID.in(ids.stream().map(PayoutId::value).toList()))
                .fetch(row -> new PayoutId(row.value1())));
    }

    /** A payout with its partner's name and email, for an export's rows. */
    public record WithPartner(Payout payout, String partnerName, String partnerEmail) {}

    /**
     * The next {@code limit} payouts after {@code after} (null: from the start) in id order: a
     * stream of any length is read in chunks this size, each its own short query, so nothing holds
     * a transaction or a cursor open while a slow client reads.
     */
    public List<WithPartner> chunk(Filter filter, PayoutId after, int limit) {
        return dsl.select(PAYOUT.fields())
                .select(PARTNER.NAME, PARTNER.EMAIL)
                .from(PAYOUT)
                .join(PARTNER)
                .on(PARTNER.ID.eq(PAYOUT.PARTNER_ID))
                .where(filter.condition())
                .and(after == null ? DSL.noCondition() : PAYOUT.ID.gt(after.value()))
                .orderBy(PAYOUT.ID)
                .limit(limit)
                .fetch(row ->
                        new WithPartner(toPayout(row.into(PAYOUT)), row.get(PARTNER.NAME), row.get(PARTNER.EMAIL)));
    }

    /**
     * The commissions of each payout, in id order: its claims while pending or paid (an
     * index-only read of payout_commission_payout_idx), the ones it released once cancelled.
     */
    public Map<PayoutId, List<UUID>> commissionIds(Collection<Payout> payouts) {
        Map<PayoutId, List<UUID>> ids = new HashMap<>();
        List<UUID> claiming = new ArrayList<>();
        for (Payout payout : payouts) {
            ids.put(payout.id(), new ArrayList<>());
            if (payout.status() != PayoutStatus.CANCELLED) {
                claiming.add(payout.id().value());
            }
        }
        if (!claiming.isEmpty()) {
            dsl.select(PAYOUT_COMMISSION.PAYOUT_ID, PAYOUT_COMMISSION.COMMISSION_ID)
                    .from(PAYOUT_COMMISSION)
                    .where(PAYOUT_COMMISSION.PAYOUT_ID.eq(DSL.any(claiming.toArray(UUID[]::new))))
                    .orderBy(PAYOUT_COMMISSION.PAYOUT_ID, PAYOUT_COMMISSION.COMMISSION_ID)
                    .forEach(row -> ids.get(new PayoutId(row.value1())).add(row.value2()));
        }
        for (Payout payout : payouts) {
            if (payout.status() == PayoutStatus.CANCELLED) {
                released(payout.id()).ifPresent(ids.get(payout.id())::addAll);
            }
        }
        return ids;
    }

    private Optional<List<UUID>> released(PayoutId id) {
        return dsl.select(PAYOUT.RELEASED_COMMISSION_IDS)
                .from(PAYOUT)
                .where(PAYOUT.ID.eq(id.value()))
                .fetchOptional(PAYOUT.RELEASED_COMMISSION_IDS)
                .map(array -> array == null ? List.of() : Arrays.asList(array));
    }

    /** Marks a pending payout paid; false when it was not pending. */
    public boolean markPaid(PayoutId id, String reference, String method, Instant paidAt, Instant now) {
        return dsl.update(PAYOUT)
                        .set(PAYOUT.STATUS, PayoutStatus.PAID.wire())
                        .set(PAYOUT.REFERENCE, reference)
                        .set(PAYOUT.METHOD, method)
                        .set(PAYOUT.PAID_AT, utc(paidAt))
                        .set(PAYOUT.UPDATED_AT, utc(now))
                        .where(PAYOUT.ID.eq(id.value()).and(PAYOUT.STATUS.eq(PayoutStatus.PENDING.wire())))
                        .execute()
                == 1;
    }

    /**
     * Marks the commissions a just-paid payout claims paid, with their payout id (call after
     * {@link #markPaid}: commission_claim_guard lets a claimed commission become paid only once its
     * payout is).
     *
     * @return the commissions as they are now
     */
    public List<CommissionRow> payCommissions(PayoutId id, Instant now) {
        return dsl.update(COMMISSION)
                .set(COMMISSION.STATUS, "paid")
                .set(COMMISSION.PAYOUT_ID, id.value())
                .set(COMMISSION.UPDATED_AT, utc(now))
                .from(PAYOUT_COMMISSION)
                .where(PAYOUT_COMMISSION.PAYOUT_ID.eq(id.value()))
                .and(COMMISSION.ID.eq(PAYOUT_COMMISSION.COMMISSION_ID))
                .and(COMMISSION.STATUS.eq("approved"))
                .returning(COMMISSION.fields())
                .fetch()
                .map(row -> CommissionRepository.toRow(row.into(COMMISSION)));
    }

    /**
     * Cancels a pending payout and deletes its claims, keeping their ids on the payout; false when
     * it was not pending. The claims go after the status, as payout_commission_release_check wants.
     */
    public boolean cancel(PayoutId id, Instant now) {
        int updated = dsl.execute(
                """
                update payout set status = 'cancelled', cancelled_at = {1}, updated_at = {1},
                       released_commission_ids = coalesce(
                           (select array_agg(commission_id order by commission_id)
                              from payout_commission where payout_id = {0}), array[]::uuid[])
                 where id = {0} and status = 'pending'""",
                id.value(), utc(now));
        if (updated == 0) {
            return false;
        }
        dsl.deleteFrom(PAYOUT_COMMISSION)
                .where(PAYOUT_COMMISSION.PAYOUT_ID.eq(id.value()))
                .execute();
        return true;
    }

    static Payout toPayout(PayoutRecord row) {
        return new Payout(
                new PayoutId(row.getId()),
                row.getBatchId(),
                new ProgramId(row.getProgramId()),
                new PartnerId(row.getPartnerId()),
                new Money(
                        row.getAmountMinor(),
                        Currency.getInstance(row.getCurrency().trim())),
                row.getCommissionCount(),
                PayoutStatus.fromWire("status", row.getStatus()),
                instant(row.getPeriodEnd()),
                row.getCreatedAt().toInstant(),
                row.getUpdatedAt().toInstant(),
                instant(row.getPaidAt()),
                row.getReference(),
                row.getMethod(),
                instant(row.getCancelledAt()));
    }

    private static Field<String> currencyCode(BatchSpec spec) {
        return DSL.val(spec.currency() == null ? null : spec.currency().getCurrencyCode(), SQLDataType.VARCHAR);
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
