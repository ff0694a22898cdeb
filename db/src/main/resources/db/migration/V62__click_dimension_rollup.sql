-- Issue 19, stats by country, device, browser, OS, referrer domain, utm_source and utm_campaign
-- (docs/decisions/0023-stats-dimensions.md). One daily rollup at the program grain for all seven
-- dimensions, written by the click rollup in the transactions that write V4's rollups (so a day's
-- rows always add up to that day's clicks in click_daily_program), and read by GET /v1/stats
-- ?groupBy=country|device|browser|os|referrer|utmSource|utmCampaign.
--
-- Bounded: per program, day and dimension at most a cap of named values (GroupBy's caps: 300
-- countries, so every ISO code fits; 20 device classes; 100 browsers, OS, referrer domains, utm
-- sources or campaigns); the clicks of any further value of that day go to one 'o' (other) row.
-- Clicks without a value (null or empty: clicks recorded before the columns existed, no Referer,
-- no utm) are the 'u' (unknown) row. Values are cut to 200 characters (an index key must stay
-- small; a longer utm_campaign is noise).
--
-- The rollup (DimensionRollup) reads the click columns H19C's V60 adds; this migration itself does
-- not depend on them.
create table click_daily_dimension (
    program_id uuid not null,
    dimension  varchar not null
        check (dimension in ('country', 'device', 'browser', 'os', 'referrer', 'utm_source', 'utm_campaign')),
    day        date not null,
    -- 'v' a named value, 'u' no value (value ''), 'o' the values beyond the day's cap (value '')
    bucket     varchar not null check (bucket in ('v', 'u', 'o')),
    value      varchar not null default '',
    clicks     bigint not null default 0,
    billable   bigint not null default 0,
    primary key (program_id, dimension, day, bucket, value)
);

/* [jooq ignore start] */
-- A dashboard sums one dimension of a program over a range of days: an index-only range scan.
alter table click_daily_dimension drop constraint click_daily_dimension_pkey,
    add primary key (program_id, dimension, day, bucket, value) include (clicks, billable);
-- The late-day rebuild (and any rebuild) replaces whole days across programs.
create index click_daily_dimension_day_idx on click_daily_dimension (day);
/* [jooq ignore stop] */
