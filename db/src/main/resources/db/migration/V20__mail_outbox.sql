-- Issue 15: the mail outbox (docs/decisions/0020-mail-outbox-and-partner-accounts.md). A change that is worth a mail
-- writes its row here in the same transaction; a worker in every api replica claims due rows with
-- FOR UPDATE SKIP LOCKED and a lease, as webhook deliveries are claimed, and retries with backoff.
-- Numbered 20 so that the numbers below stay free for branches in flight at the same time.

-- One row per message and recipient. The body (text, HTML and the links in it) is sealed with
-- SECRETS_ENCRYPTION_KEY, because it carries single-use links whose tokens are stored elsewhere
-- only as hashes; it is dropped once the message is sent or can no longer be (sent, expired).
create table mail_message (
    id              uuid primary key,
    kind            varchar not null,
    recipient       varchar not null,
    subject         varchar not null,
    body_enc        bytea,
    status          varchar not null default 'pending' check (status in ('pending', 'sent', 'dead', 'expired')),
    attempts        integer not null default 0,
    -- When a pending message is due; while leased (lease_token set), when the lease ends.
    next_attempt_at timestamptz not null,
    lease_token     uuid,
    last_error      varchar,
    -- The links in it stop working then (a password reset after an hour): not sent after that.
    expires_at      timestamptz,
    created_at      timestamptz not null,
    sent_at         timestamptz
);
/* [jooq ignore start] */
-- The claim walks the due rows in due order.
create index mail_message_due_idx on mail_message (next_attempt_at) where status = 'pending';
-- The log's filter by recipient, ignoring case.
create index mail_message_recipient_idx on mail_message (lower(recipient), id);
/* [jooq ignore stop] */
-- The log filters by status and pages newest first by id (UUIDv7: id order is creation order).
create index mail_message_status_idx on mail_message (status, id);

-- Commissions approved since the partner's last digest. Written by the approval's transaction (the
-- commission listener); the daily digest turns each partner's rows into one mail and marks them
-- with it. No foreign key to commission: re-derivation deletes and rewrites commissions, and the
-- digest skips the rows whose commission is gone or no longer approved.
create table commission_digest_item (
    commission_id uuid primary key,
    partner_id    uuid not null,
    approved_at   timestamptz not null,
    mail_id       uuid
);
/* [jooq ignore start] */
create index commission_digest_item_due_idx on commission_digest_item (approved_at) where mail_id is null;
/* [jooq ignore stop] */
