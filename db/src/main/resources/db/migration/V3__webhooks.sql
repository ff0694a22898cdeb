-- Webhook delivery (issue 4, docs/decisions/0003-webhook-delivery.md). V1 created the endpoint,
-- outbox and attempt tables; this adds what the delivery worker and the admin routes need.

-- Circuit breaker and automatic disabling, kept in the database so every api replica sees them.
-- consecutive_failures counts failed attempts since the last success; breaker_open_until, while
-- in the future, keeps the endpoint's deliveries out of the claim without spending their attempts.
alter table webhook_endpoint add column consecutive_failures integer not null default 0;
alter table webhook_endpoint add column breaker_open_until timestamptz;
-- Why the endpoint is disabled when the system did it (failing for days); null when an admin did.
alter table webhook_endpoint add column disabled_reason varchar;
-- DELETE keeps the row, so the delivery log and audit trail still resolve; it only hides it.
alter table webhook_endpoint add column deleted_at timestamptz;

-- Set by the claim that leased the row (next_attempt_at is then the lease's end) and cleared when
-- the attempt's outcome is written. A worker writes an outcome only while its token is still
-- there, so a worker that outlived its lease cannot overwrite the next worker's result.
alter table webhook_delivery add column lease_token uuid;

-- The delivery log of one endpoint, newest first by id (UUIDv7, so id order is creation order).
create index webhook_delivery_endpoint_id_idx on webhook_delivery (endpoint_id, id);

/* [jooq ignore start] */
-- The claim walks each endpoint's due rows in due order.
create index webhook_delivery_endpoint_due_idx on webhook_delivery (endpoint_id, next_attempt_at)
    where status = 'pending';
-- Rows in flight (or leased by a worker that died), counted per endpoint for its concurrency limit;
-- small because the lease is cleared with every outcome.
create index webhook_delivery_leased_idx on webhook_delivery (endpoint_id) where lease_token is not null;
/* [jooq ignore stop] */
