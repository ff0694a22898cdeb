-- Issue 17 (docs/decisions/0028-event-write-cost.md): what PostgreSQL does for each event beyond
-- writing its rows. pg_stat_statements (track = all) on scenario 6's event path, per event: the
-- write statement ran 12 foreign-key checks (6 of event, 3 of attribution, 1 of program, each a
-- SELECT … FOR KEY SHARE that locks and dirties the referenced row and writes a WAL record; the
-- program's row, shared by every event of the program, became a MultiXact under concurrency) and
-- 2 stats_change inserts; together 17 of the event's 56 WAL records and most of the statement's time.

/* [jooq ignore start] */
-- The derived rows point at their event, and commissions at their attribution, but only one
-- statement ever writes them (AttributionEngine's INSERT_DERIVED: an attribution or commission row
-- is inserted only when its event is inserted or updated by the same statement, from ids the api
-- has just made) and no statement deletes an event; re-derivation deletes commissions before the
-- attributions they name and clears attribution_id first (RederiveService.clear). Events and
-- identities name their program, whose rows are never deleted (a program is ended, not removed),
-- as V7 already reasoned for attribution and commission. AttributionIntegrityTest checks after the
-- ledger's flows that no row points at a missing one.
alter table event drop constraint event_program_id_fkey;
alter table identity drop constraint identity_program_id_fkey;
alter table attribution drop constraint attribution_event_id_fkey;
alter table commission drop constraint commission_event_id_fkey;
alter table commission drop constraint commission_attribution_id_fkey;

-- An event's day was noted twice: once by the attribution rows' statement trigger, once by its
-- commissions'. A commission whose attribution row of the same event this transaction wrote (the
-- rule-made commissions, written beside their attribution) is already noted by that row's trigger;
-- only the others (refund reversals, re-derivation adjustments, any row written some other way)
-- note their event here. A savepoint's attribution has another xmin: then the day is noted twice,
-- which costs a row, never a missed change.
create or replace function stats_note_money_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' and tg_table_name = 'commission' then
        insert into stats_change (program_id, day)
        select distinct e.program_id, cast((e.ts at time zone 'UTC') as date)
        from (select distinct n.event_id from new_rows n
               where not exists (select 1 from attribution a
                                  where a.id = n.attribution_id and a.event_id = n.event_id
                                    and a.xmin = pg_current_xact_id()::xid)) changed
        join event e on e.id = changed.event_id;
    elsif tg_op = 'INSERT' then
        insert into stats_change (program_id, day)
        select distinct e.program_id, cast((e.ts at time zone 'UTC') as date)
        from (select distinct event_id from new_rows) changed join event e on e.id = changed.event_id;
    elsif tg_op = 'DELETE' then
        insert into stats_change (program_id, day)
        select distinct e.program_id, cast((e.ts at time zone 'UTC') as date)
        from (select distinct event_id from old_rows) changed join event e on e.id = changed.event_id;
    elsif tg_table_name = 'event' then
        insert into stats_change (program_id, day)
        select distinct changed.program_id, cast((changed.ts at time zone 'UTC') as date)
        from old_rows o join new_rows n on n.id = o.id
        cross join lateral (values (o.program_id, o.ts), (n.program_id, n.ts)) as changed (program_id, ts)
        where (o.attribution_status, o.refund_of, o.value_minor, o.ts, o.program_id)
              is distinct from (n.attribution_status, n.refund_of, n.value_minor, n.ts, n.program_id);
    elsif tg_table_name = 'attribution' then
        insert into stats_change (program_id, day)
        select distinct e.program_id, cast((e.ts at time zone 'UTC') as date)
        from old_rows o join new_rows n on n.id = o.id
        cross join lateral (values (o.event_id), (n.event_id)) as changed (event_id)
        join event e on e.id = changed.event_id
        where (o.event_id, o.partner_id, o.link_id, o.value_minor)
              is distinct from (n.event_id, n.partner_id, n.link_id, n.value_minor);
    else
        insert into stats_change (program_id, day)
        select distinct e.program_id, cast((e.ts at time zone 'UTC') as date)
        from old_rows o join new_rows n on n.id = o.id
        cross join lateral (values (o.event_id), (n.event_id)) as changed (event_id)
        join event e on e.id = changed.event_id
        where (o.event_id, o.attribution_id, o.partner_id, o.amount_minor, o.status in ('rejected', 'reversed'))
              is distinct from (n.event_id, n.attribution_id, n.partner_id, n.amount_minor, n.status in ('rejected', 'reversed'));
    end if;
    return null;
end;
$$;

-- reverses_id is set on reversals and adjustments only, a few rows in a hundred; every query by it
-- compares it with a value (which implies it is not null), so a partial index serves them all and
-- a rule-made commission writes no entry.
drop index commission_reverses_idx;
create index commission_reverses_idx on commission (reverses_id) where reverses_id is not null;
/* [jooq ignore stop] */
