-- Issue 17 (docs/decisions/0016-sdk-path-at-checkout-speed.md): the click rollup counts only the
-- clicks since its last run instead of rescanning today and yesterday every run.
--
-- A run counts the clicks with watermark <= ts < its new watermark. Clicks are found by time, so
-- the watermark must never pass a click that is not yet visible: it stays behind the oldest
-- transaction still open (click_rollup_mark), and a click written long after its time (a router's
-- spool replayed after an outage) notes its day instead (click_late_day), and that day is counted
-- again from scratch. Distinct visitors do not add up across runs, so the visitors a day has
-- already counted are kept (click_visitor) until the watermark leaves the day.

-- Clicks with ts before it are in the rollups.
create table click_rollup_state (
    id        boolean primary key default true check (id),
    watermark timestamptz not null
);

-- Before each run, in a transaction of its own: that transaction's id, and a time before it got
-- it, so every later transaction id was assigned after `at`. A run whose snapshot has no
-- transaction older than mark_xid still open knows that every click written without a late note
-- since then has ts >= at - the lateness bound, and may move its watermark up to there.
create table click_rollup_mark (
    mark_xid bigint primary key,
    at       timestamptz not null
);

-- Days that got clicks more than the lateness bound after their time; the next run counts them
-- again from scratch and deletes the notes it read.
create table click_late_day (
    id  bigint generated always as identity primary key,
    day date not null
);

-- Who was counted as a visitor of the day at each grain (entity: a link, partner or program id;
-- they are UUIDv7s of different rows, so they never collide), for the days from the watermark's on.
create table click_visitor (
    day     date not null,
    entity  uuid not null,
    ip_hash bytea not null
);

/* [jooq ignore start] */
-- (jOOQ's schema simulation cannot index bytea.)
alter table click_visitor add primary key (day, entity, ip_hash);

-- Every router batch evaluates this WHEN per row (a comparison with the clock); only a click
-- written more than 10 seconds after its time calls the function, which notes its day once per
-- transaction, so a replayed batch of thousands of old clicks writes one note per day it spans.
create function click_note_late() returns trigger language plpgsql as $$
declare
    late_day constant date := cast((new.ts at time zone 'UTC') as date);
begin
    if current_setting('clickledger.late_click_day', true) is distinct from late_day::text then
        insert into click_late_day (day) values (late_day);
        perform set_config('clickledger.late_click_day', late_day::text, true);
    end if;
    return null;
end;
$$;

create trigger click_note_late after insert on click
    for each row when (new.ts < clock_timestamp() - interval '10 seconds') execute function click_note_late();
/* [jooq ignore stop] */
