-- Every index on click is written by every redirect, inside the commit the visitor waits for.
-- Two of V1's serve no query: stats come from the rollups, and the live count of a stats request
-- (clicks after the last rollup, seconds to a minute of them) filters on program and time with
-- click_program_ts_idx, adding a partner or link condition on the few rows it finds. Attribution
-- and identify read clicks by id (the primary key). Dropping them took the router from 24-29k to
-- 34-39k redirects/s at 256 connections on the 2-core bench box (docs/decisions/0002, "Revisions").
drop index if exists click_link_ts_idx;
drop index if exists click_partner_ts_idx;
