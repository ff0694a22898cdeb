-- Issue 3, item 8: dashboard stats (docs/decisions/0004-stats-rollups.md).
--
-- Daily rollups at the three grains a dashboard shows: link (click_daily, from V2), partner and
-- program. Each row holds a day's clicks, billable clicks and distinct visitors at its grain (a
-- visitor who clicks two links of one partner on one day is one visitor of that partner that
-- day), and the day's conversions, revenue and net commissions there (money counts on the day of
-- its event). Monthly sums of the link and partner grains serve the whole months of long ranges:
-- a year by link reads 12 rows per link instead of 365. (Visitors and conversions are per day, so
-- their monthly sums are exact.)
--
-- Clicks never change: ClickRollup rebuilds today and yesterday from click, and click_rollup_day
-- records how far, so a stats query counts only the clicks after that point live. Money does
-- change (refunds, rejections, re-derivation): triggers on attribution, commission and event note
-- the days each change touches in stats_change; MoneyRollup recomputes those days, and until it
-- has, a stats query reads them live from the ledger tables.

alter table click_daily add column conversions bigint not null default 0;
alter table click_daily add column revenue_minor bigint not null default 0;
alter table click_daily add column commissions_minor bigint not null default 0;

create table click_daily_partner (
    day               date not null,
    program_id        uuid not null,
    partner_id        uuid not null,
    clicks            bigint not null default 0,
    billable          bigint not null default 0,
    visitors          bigint not null default 0,
    conversions       bigint not null default 0,
    revenue_minor     bigint not null default 0,
    commissions_minor bigint not null default 0,
    primary key (program_id, day, partner_id)
);
create index click_daily_partner_partner_idx on click_daily_partner (partner_id, day);

create table click_daily_program (
    day               date not null,
    program_id        uuid not null,
    clicks            bigint not null default 0,
    billable          bigint not null default 0,
    visitors          bigint not null default 0,
    conversions       bigint not null default 0,
    revenue_minor     bigint not null default 0,
    commissions_minor bigint not null default 0,
    primary key (program_id, day)
);

create table click_monthly (
    month             date not null,
    link_id           uuid not null,
    program_id        uuid not null,
    partner_id        uuid not null,
    clicks            bigint not null default 0,
    billable          bigint not null default 0,
    visitors          bigint not null default 0,
    conversions       bigint not null default 0,
    revenue_minor     bigint not null default 0,
    commissions_minor bigint not null default 0,
    primary key (month, link_id)
);
create index click_monthly_partner_idx on click_monthly (partner_id, month);
create index click_monthly_link_idx on click_monthly (link_id, month);

create table click_monthly_partner (
    month             date not null,
    program_id        uuid not null,
    partner_id        uuid not null,
    clicks            bigint not null default 0,
    billable          bigint not null default 0,
    visitors          bigint not null default 0,
    conversions       bigint not null default 0,
    revenue_minor     bigint not null default 0,
    commissions_minor bigint not null default 0,
    primary key (program_id, month, partner_id)
);
create index click_monthly_partner_partner_idx on click_monthly_partner (partner_id, month);

-- through: clicks with ts before it are in the rollups of that day; the end of the day once the
-- day is complete. A stats query counts the clicks of today and yesterday from there on live.
create table click_rollup_day (
    day       date primary key,
    through   timestamptz not null,
    rolled_at timestamptz not null
);

-- Days whose money changed since MoneyRollup last recomputed them. Append-only, so concurrent
-- events never wait on each other here; MoneyRollup deletes the rows it has applied, by id.
create table stats_change (
    id         bigint generated always as identity primary key,
    program_id uuid not null,
    day        date not null
);
create index stats_change_program_day_idx on stats_change (program_id, day);

-- Stats for one link over a date range.
create index click_daily_link_idx on click_daily (link_id, day);

-- Money of one link: attribution already has (event_id) and (partner_id, created_at); a
-- commission finds its link through its attribution.
create index attribution_link_idx on attribution (link_id);
create index commission_attribution_idx on commission (attribution_id);

/* [jooq ignore start] */
-- A dashboard sums a program's rollup rows over a range of days: with the figures in the index,
-- PostgreSQL reads the index alone (index-only scans; a 30-day by-link read measured 53 ms from the
-- heap, 38 ms from the index, at 10 million clicks). V2's click_daily_program_idx becomes this.
drop index click_daily_program_idx;
create index click_daily_program_idx on click_daily (program_id, day)
    include (link_id, clicks, billable, visitors, conversions, revenue_minor, commissions_minor);
alter table click_daily_partner drop constraint click_daily_partner_pkey,
    add primary key (program_id, day, partner_id)
    include (clicks, billable, visitors, conversions, revenue_minor, commissions_minor);
create index click_monthly_program_idx on click_monthly (program_id, month)
    include (link_id, clicks, billable, visitors, conversions, revenue_minor, commissions_minor);
alter table click_monthly_partner drop constraint click_monthly_partner_pkey,
    add primary key (program_id, month, partner_id)
    include (clicks, billable, visitors, conversions, revenue_minor, commissions_minor);

-- The rollup reads clicks by time across every program. Clicks arrive in time order, so a BRIN
-- index (a few pages per month, next to no cost per insert on the redirect path) narrows a day to
-- its blocks, where a b-tree on ts would add a write per click.
create index click_ts_brin_idx on click using brin (ts);

-- Money counts on the day of its event, so money queries start from the program's events of a
-- day. Conversions: an index-only scan of just the attributed, non-refund events.
create index event_conversion_idx on event (program_id, ts) include (id, value_minor)
    where refund_of is null and attribution_status = 'attributed';
-- Each event's touches and commissions, read from the index alone (the visibility map allowing).
create index attribution_event_stats_idx on attribution (event_id) include (partner_id, link_id, value_minor);
create index commission_event_stats_idx on commission (event_id) include (status, amount_minor, partner_id, attribution_id);

-- Note the (program, day) of every event whose touches, commissions or conversion status a
-- statement changed. Statement-level with transition tables: one insert per statement, however
-- many rows it changed (a re-derivation rewrites thousands at once). Updates that leave the
-- figures alone (approving, paying, a payout id) are not noted.
create function stats_note_money_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
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

create trigger attribution_stats_insert after insert on attribution
    referencing new table as new_rows for each statement execute function stats_note_money_change();
create trigger attribution_stats_update after update on attribution
    referencing old table as old_rows new table as new_rows for each statement execute function stats_note_money_change();
create trigger attribution_stats_delete after delete on attribution
    referencing old table as old_rows for each statement execute function stats_note_money_change();
create trigger commission_stats_insert after insert on commission
    referencing new table as new_rows for each statement execute function stats_note_money_change();
create trigger commission_stats_update after update on commission
    referencing old table as old_rows new table as new_rows for each statement execute function stats_note_money_change();
create trigger commission_stats_delete after delete on commission
    referencing old table as old_rows for each statement execute function stats_note_money_change();
create trigger event_stats_update after update on event
    referencing old table as old_rows new table as new_rows for each statement execute function stats_note_money_change();

-- Money that exists before this migration is rolled up by the first runs of the job, oldest first.
insert into stats_change (program_id, day)
select program_id, day from (select distinct program_id, cast((ts at time zone 'UTC') as date) as day from event) days
order by day, program_id;
/* [jooq ignore stop] */
