-- Issue 17 (docs/decisions/0003-webhook-delivery.md, "The slow drain: a plan flip"): the claim counts
-- each endpoint's deliveries in flight. It did so through either of two indexes (the due index over
-- next_attempt_at, or the leased index over endpoint_id), and which one, or a BitmapAnd of both, was
-- the planner's choice after each autoanalyze. A bitmap scan never marks the dead entries it meets
-- (only a plain index scan does), and every claim and outcome leaves one behind, so under the
-- BitmapAnd each claim read every lease the drain had taken since the last vacuum: 40,000 index
-- entries per claim at the end of a drain of 100,000, and that drain took twice as long.
--
-- One index now answers the count exactly: the rows in flight of one endpoint, by lease end. Its
-- entries come and go with the leases, a plain index scan marks the dead ones, and the page that
-- the next leases go into drops those before it splits, so it stays a page or two per endpoint.
/* [jooq ignore start] */
create index webhook_delivery_in_flight_idx on webhook_delivery (endpoint_id, next_attempt_at)
    where lease_token is not null and status = 'pending';
drop index webhook_delivery_leased_idx;
-- Its only reader was the count; the claim's due scan uses webhook_delivery_endpoint_due_idx. Every
-- index here costs each delivery two entries (the claim and the outcome each write a new row
-- version: both change indexed columns, so neither can be a HOT update).
drop index webhook_delivery_due_idx;

-- A busy queue leaves two dead row versions per delivery. The default (vacuum once a fifth of the
-- table is dead) waits for a million dead versions on a table of five million, and the claim's due
-- scan steps over the entries of every delivery claimed since the last vacuum. Vacuum after 1 % of
-- the table plus 10,000 instead; analyze stays at the default, since the claim no longer depends
-- on what it finds.
alter table webhook_delivery set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 10000);
/* [jooq ignore stop] */

