-- The database side as it was before V70 and V71 (docs/decisions/0028), for a before/after with one jar:
--   PROFILE_SQL=bench/profile-before-v70-v71.sql bash bench/profile-sdk.sh
-- Run after the api migrated an empty database.
alter table event add constraint event_program_id_fkey foreign key (program_id) references program (id);
alter table identity add constraint identity_program_id_fkey foreign key (program_id) references program (id);
alter table attribution add constraint attribution_event_id_fkey foreign key (event_id) references event (id);
alter table commission add constraint commission_event_id_fkey foreign key (event_id) references event (id);
alter table commission add constraint commission_attribution_id_fkey foreign key (attribution_id) references attribution (id);
drop index commission_reverses_idx;
create index commission_reverses_idx on commission (reverses_id);
create index commission_program_created_idx on commission (program_id, created_at);
create or replace function stats_note_money_change() returns trigger language plpgsql as $$
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
