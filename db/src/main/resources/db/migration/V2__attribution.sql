-- Issue 3: what the SDK api derives from raw facts. Everything here can be recomputed from
-- click, identity, event and the program's settings (POST /v1/attribution/rederive).

-- Why an event has (or lacks) attribution: attributed, no_identity, no_click, outside_window,
-- or refund for events that reverse another. Backfill on identify picks up no_identity events.
alter table event add column attribution_status varchar;
alter table event add column model varchar;
create index event_unattributed_idx on event (program_id, user_id) where attribution_status = 'no_identity';

-- The share of the event's value credited to this touch, in minor units; the shares of one event
-- add up exactly to its value (largest remainder).
alter table attribution add column value_minor bigint not null default 0;
alter table attribution add column currency char(3);

-- kind: commission (from a rule), reversal (a refund against an unpaid or paid commission),
-- adjustment (re-derivation against a paid one). reverses_id points at the commission it offsets.
alter table commission add column kind varchar not null default 'commission'
    check (kind in ('commission', 'reversal', 'adjustment'));
alter table commission add column reverses_id uuid references commission (id);
alter table commission add column rule_index integer;
alter table commission add column user_id varchar;
create index commission_reverses_idx on commission (reverses_id);
create index commission_program_created_idx on commission (program_id, created_at);

-- Daily click rollup for dashboards: one row per day and link, rebuilt for recent days by a job,
-- so stats over months read thousands of rows instead of millions of clicks.
create table click_daily (
    day        date not null,
    link_id    uuid not null,
    program_id uuid not null,
    partner_id uuid not null,
    clicks     bigint not null,
    billable   bigint not null,
    visitors   bigint not null,
    primary key (day, link_id)
);
create index click_daily_program_idx on click_daily (program_id, day);
create index click_daily_partner_idx on click_daily (partner_id, day);
