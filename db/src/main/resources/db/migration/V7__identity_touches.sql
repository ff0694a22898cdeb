-- Issue 17 (docs/decisions/0016-sdk-path-at-checkout-speed.md): an event reads its user's touches
-- from identity alone. A click never changes once written (no statement updates click), so what
-- attribution needs of it, its link, partner and whether it can earn credit (not a bot, not
-- flagged), is copied onto the identity row when the user is stitched to it. The event path then
-- never joins the partitioned click table, whose plan over every monthly partition cost more than
-- the whole rest of the event (EXPLAIN in the decision record).
alter table identity add column link_id uuid;
alter table identity add column partner_id uuid;
alter table identity add column billable boolean;

/* [jooq ignore start] */
update identity i
   set link_id = c.link_id, partner_id = c.partner_id, billable = not c.is_bot and c.fraud_flag is null
  from click c
 where c.id = i.click_id and c.ts = i.click_ts;

-- POST /v1/identify copies the columns itself; any other writer (an import, a test, a bench seed)
-- gets them filled here, so no identity row can miss its touch. An identity whose click does not
-- exist keeps nulls and is no touch, as the join it replaces would have had it.
create function identity_fill_touch() returns trigger language plpgsql as $$
begin
    select c.link_id, c.partner_id, not c.is_bot and c.fraud_flag is null
      into new.link_id, new.partner_id, new.billable
      from click c
     where c.id = new.click_id and c.ts = new.click_ts;
    return new;
end;
$$;

create trigger identity_fill_touch before insert on identity
    for each row when (new.partner_id is null) execute function identity_fill_touch();
/* [jooq ignore stop] */

-- What an event writes besides itself: a few attribution and commission rows, each checked and
-- indexed. Measured on the bench data (docs/decisions/0016): the write statement of an event took
-- 1.69 ms with these foreign keys and 1.23 ms without them. They check ids the api copies from rows
-- that exist (a click's link and partner, the event's program), of tables whose rows are never
-- deleted (links, partners and programs are paused, revoked or ended), as click has none for the
-- same reason. The keys that tie the derived rows to their event and to each other stay.
/* [jooq ignore start] */
alter table attribution drop constraint attribution_link_id_fkey;
alter table attribution drop constraint attribution_partner_id_fkey;
alter table attribution drop constraint attribution_program_id_fkey;
alter table commission drop constraint commission_partner_id_fkey;
alter table commission drop constraint commission_program_id_fkey;
-- Each is the leading column of a covering index V4 added (attribution_event_stats_idx,
-- commission_event_stats_idx), which serves every lookup by event id as well.
drop index attribution_event_idx;
drop index commission_event_idx;
/* [jooq ignore stop] */
