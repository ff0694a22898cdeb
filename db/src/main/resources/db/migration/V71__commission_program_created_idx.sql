-- Issue 17 (docs/decisions/0028-event-write-cost.md): every rule-made commission wrote an entry in
-- seven indexes, about 30 of an event's 48 index entries (pg_waldump: Btree/INSERT_LEAF). V2's
-- (program_id, created_at) serves no query: commissions are listed by id (keyset on id, newest
-- first), payouts read commission_program_status_idx (program_id, status, …) for the approved
-- ones, and nothing else filters or sorts commissions by created_at. pg_stat_user_indexes showed
-- no scan of it over a profile of the event path.
drop index commission_program_created_idx;
