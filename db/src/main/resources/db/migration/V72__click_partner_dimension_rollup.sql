-- Issue 19, one partner's clicks by country, device, browser, OS, referrer domain, utm_source and
-- utm_campaign (docs/decisions/0023-stats-dimensions.md, "A partner grain"). V62's rollup is per
-- program; a partner's breakdown counted the partner's clicks from click, and with no click index
-- by partner (V5 dropped it for the redirect's write path) that read every click of the program in
-- the range: ~850,000 for 30 days at 10 million clicks, p95 ~200 ms. This is the same rollup per
-- partner, written by the click rollup in the transactions that write V62's rows (so both grains
-- always add up to the day's clicks), and read by GET /v1/stats?partnerId=&groupBy=... and
-- GET /v1/me/stats?groupBy=... as one range scan of its key.
--
-- Bounded more tightly than V62, since a partner has far fewer clicks a day than its program: per
-- program, partner, day and dimension at most GroupBy's partner cap of named values (10, the rows
-- a dashboard shows; all 20 device classes); the clicks of any further value of that day go to one
-- 'o' (other) row, clicks without a value to the 'u' (unknown) row, values cut to 200 characters.
create table click_daily_partner_dimension (
    program_id uuid not null,
    partner_id uuid not null,
    dimension  varchar not null
        check (dimension in ('country', 'device', 'browser', 'os', 'referrer', 'utm_source', 'utm_campaign')),
    day        date not null,
    -- 'v' a named value, 'u' no value (value ''), 'o' the values beyond the day's cap (value '')
    bucket     varchar not null check (bucket in ('v', 'u', 'o')),
    value      varchar not null default '',
    clicks     bigint not null default 0,
    billable   bigint not null default 0,
    primary key (program_id, partner_id, dimension, day, bucket, value)
);

/* [jooq ignore start] */
-- Unlike V62, the counters are not in the key's index (no include): every run of the rollup adds
-- to a few thousand of these rows (at most seven per new click), and an update that changes no
-- indexed column, with room left on its page, is a HOT update that writes no index entry at all.
-- A partner's dashboard reads at most ~22 rows per day of one dimension by the key and fetches
-- them from the table, a few hundred rows for 30 days. (Measured in 0023: with the counters in
-- the index the partner rows' upserts were the largest part of a run.)
alter table click_daily_partner_dimension set (fillfactor = 80);
-- A rebuild replaces whole days across programs and partners.
create index click_daily_partner_dimension_day_idx on click_daily_partner_dimension (day);
/* [jooq ignore stop] */
