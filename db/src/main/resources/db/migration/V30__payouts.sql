-- Issue 16: payouts (docs/decisions/0019-payouts.md). A batch turns a program's approved, unpaid
-- commissions into one payout per partner and currency; mark-paid pays them; cancel releases them.
-- Numbered 30 so the numbers below stay free for branches in flight at the same time.

-- The smallest net amount a partner must reach to be paid, in the program currency's minor units;
-- below it the commissions wait for the next batch. 0 pays any positive amount.
alter table program add column payout_minimum_minor bigint not null default 0;
alter table program add constraint program_payout_minimum_check check (payout_minimum_minor >= 0);

-- V1's payout table was never written by any code. A payout is created pending by a batch (all
-- payouts of one POST /v1/payouts share its batch_id; period_end is the batch's upTo), then paid
-- (reference, paid_at, method) or cancelled (its commissions released: their ids are kept in
-- released_commission_ids, since their claims are deleted). amount_minor and commission_count are
-- what its claims add up to, which the payout_commission trigger below checks in the database.
alter table payout add column batch_id uuid;
update payout set batch_id = id where batch_id is null;
alter table payout alter column batch_id set not null;
alter table payout add column commission_count integer not null default 0;
alter table payout add column reference varchar;
alter table payout add column method varchar;
alter table payout add column cancelled_at timestamptz;
alter table payout add column released_commission_ids uuid array;
alter table payout add column updated_at timestamptz not null default now();
/* [jooq ignore start] */
alter table payout drop constraint payout_status_check;
alter table payout add constraint payout_status_check check (status in ('pending', 'paid', 'cancelled'));
-- Never a negative (or empty) payout: a partner whose net total is not positive is not paid.
alter table payout add constraint payout_amount_positive check (amount_minor > 0 and commission_count > 0);
alter table payout add constraint payout_paid_check
    check ((status = 'paid') = (paid_at is not null and reference is not null));
alter table payout add constraint payout_cancelled_check check ((status = 'cancelled') = (cancelled_at is not null));
/* [jooq ignore stop] */
-- Lists page newest first by id within each filter; V1's (partner_id, created_at) served no query.
drop index if exists payout_partner_idx;
create index payout_partner_id_idx on payout (partner_id, id);
create index payout_program_id_idx on payout (program_id, id);
create index payout_batch_id_idx on payout (batch_id, id);

-- Which payout claimed which commission. The primary key is the rule that no commission is ever
-- in two payouts: a second claim of the same commission is a unique violation, whatever the code
-- or the number of api processes. Rows live as long as their payout is pending or paid (mark-paid
-- also sets commission.payout_id); cancelling a payout deletes its rows, which frees the
-- commissions for the next batch.
-- No foreign keys: a batch writes one row per commission (a million in the bench), and per-row
-- foreign key checks are the largest cost of that insert (decision 0019). The rows are only
-- written by the batch statement, from the payouts and commissions it reads in that statement;
-- the triggers below refuse what a foreign key would (and more): deleting a payout, deleting or
-- rewriting a claimed commission, a claim that does not add up.
create table payout_commission (
    commission_id uuid primary key,
    payout_id     uuid not null
);
-- A payout's commissions, read from the index alone.
create index payout_commission_payout_idx on payout_commission (payout_id, commission_id);

/* [jooq ignore start] */
-- Claims are checked once per statement, over every row the statement wrote: each claimed
-- commission is approved, of the payout's program, partner and currency, the payout is pending,
-- and every payout touched adds up to its claims (amount and count). The statement's rows are
-- joined to their commissions and payouts as sets (a hash join for a batch's million rows; per-row
-- lookups of the commissions took 18.7 s of a 65.6 s batch on the busy 2-core box, decision
-- 0019); a payout's claims from earlier statements would show as a count that differs from its
-- claims in the table, which the last condition reads from payout_commission_payout_idx.
create function payout_commission_check() returns trigger language plpgsql as $$
declare
    wrong record;
begin
    select sums.payout_id, p.amount_minor, p.commission_count, sums.total, sums.claims, sums.fitting
      into wrong
      from (select n.payout_id,
                   coalesce(sum(c.amount_minor), 0) as total,
                   count(*) as claims,
                   coalesce(bool_and(coalesce(c.status = 'approved' and c.program_id = q.program_id
                                     and c.partner_id = q.partner_id and c.currency = q.currency, false)), false) as fitting
              from new_rows n
              left join payout q on q.id = n.payout_id
              left join commission c on c.id = n.commission_id
             group by n.payout_id) sums
      left join payout p on p.id = sums.payout_id
     where p.id is null or p.status <> 'pending' or not sums.fitting
        or sums.total <> p.amount_minor or sums.claims <> p.commission_count
        or (select count(*) from payout_commission pc where pc.payout_id = sums.payout_id) <> p.commission_count
     limit 1;
    if found then
        raise exception 'payout % does not add up to its claims (amount % of %, % of % commissions, all approved of its partner: %)',
            wrong.payout_id, wrong.total, wrong.amount_minor, wrong.claims, wrong.commission_count, wrong.fitting
            using errcode = 'check_violation';
    end if;
    return null;
end;
$$;
create trigger payout_commission_check after insert on payout_commission
    referencing new table as new_rows for each statement execute function payout_commission_check();

-- Claims leave only with their payout's cancellation, and are never moved to another payout.
create function payout_commission_release_check() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        raise exception 'a payout claim is never changed; cancel the payout instead' using errcode = 'check_violation';
    end if;
    if exists (select 1 from old_rows o join payout p on p.id = o.payout_id where p.status <> 'cancelled') then
        raise exception 'a payout claim is released only by cancelling its payout' using errcode = 'check_violation';
    end if;
    return null;
end;
$$;
create trigger payout_commission_release_check after delete on payout_commission
    referencing old table as old_rows for each statement execute function payout_commission_release_check();
create trigger payout_commission_update_check before update on payout_commission
    for each statement execute function payout_commission_release_check();

-- A claimed commission keeps its amount, partner, program and currency, is never deleted, and
-- changes status only to paid, with its payout, once the payout is paid. The WHEN clauses keep
-- the function off the paths that cannot matter (approving pending rows, writing fresh ones).
-- The shared advisory lock pairs with the exclusive one a batch holds on the program (seed 2, as
-- PayoutClaims takes it): a refund or rejection that commits while a batch reads would
-- otherwise leave the batch paying a commission that is no longer owed. After the lock, the
-- volatile function's query sees claims committed meanwhile.
create function commission_claim_guard() returns trigger language plpgsql as $$
declare
    claim record;
begin
    perform pg_advisory_xact_lock_shared(hashtextextended(old.program_id::text, 2));
    select pc.payout_id, p.status into claim
      from payout_commission pc join payout p on p.id = pc.payout_id
     where pc.commission_id = old.id;
    if not found then
        return case when tg_op = 'DELETE' then old else new end;
    end if;
    if tg_op = 'UPDATE' and old.status = 'approved' and new.status = 'paid' and claim.status = 'paid'
            and new.payout_id = claim.payout_id
            and (new.amount_minor, new.partner_id, new.program_id, new.currency)
                = (old.amount_minor, old.partner_id, old.program_id, old.currency) then
        return new;
    end if;
    raise exception 'commission % is in payout % (%): it cannot be %', old.id, claim.payout_id, claim.status,
        case when tg_op = 'DELETE' then 'deleted' else 'changed' end
        using errcode = 'check_violation';
end;
$$;
create trigger commission_claim_update_guard before update on commission
    for each row
    when (old.status in ('approved', 'paid')
          and (new.status, new.amount_minor, new.partner_id, new.program_id, new.currency, new.payout_id)
              is distinct from (old.status, old.amount_minor, old.partner_id, old.program_id, old.currency, old.payout_id))
    execute function commission_claim_guard();
create trigger commission_claim_delete_guard before delete on commission
    for each row when (old.status in ('approved', 'paid')) execute function commission_claim_guard();

-- A payout is never deleted, and once paid or cancelled it does not change; what it pays never does.
create function payout_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'payout % cannot be deleted; cancel it instead', old.id using errcode = 'check_violation';
    end if;
    if (new.partner_id, new.program_id, new.currency, new.amount_minor, new.commission_count, new.batch_id, new.created_at)
            is distinct from
       (old.partner_id, old.program_id, old.currency, old.amount_minor, old.commission_count, old.batch_id, old.created_at) then
        raise exception 'payout % cannot change what it pays', old.id using errcode = 'check_violation';
    end if;
    if old.status <> 'pending' and (to_jsonb(new) - 'updated_at') is distinct from (to_jsonb(old) - 'updated_at') then
        raise exception 'payout % is % and cannot change', old.id, old.status using errcode = 'check_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end;
$$;
create trigger payout_guard before update or delete on payout for each row execute function payout_guard();
/* [jooq ignore stop] */
