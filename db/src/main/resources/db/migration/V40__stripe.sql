-- Issue 20: Stripe webhooks attribute payments, subscriptions, refunds and disputes.
-- docs/decisions/0017-stripe.md explains the tables below.

-- One Stripe account per program. The endpoint's signing secret (whsec_…) is sealed with
-- SECRETS_ENCRYPTION_KEY like webhook secrets (AES-256-GCM, the program id as associated data);
-- only its last four characters are kept readable, to show it masked.
create table stripe_integration (
    program_id    uuid primary key references program (id),
    secret_enc    bytea not null,
    secret_last4  varchar not null,
    event_type    varchar not null,
    last_error    varchar,
    last_error_at timestamptz,
    last_error_event varchar,
    connected_at  timestamptz not null,
    updated_at    timestamptz not null
);

-- Every verified Stripe event, stored raw (the exact body Stripe signed) before anything is derived
-- from it, in the same transaction. (program_id, stripe_id) is the exactly-once guard: a redelivery
-- finds its row and changes nothing. outcome says what became of it; a held event waits for one of
-- waiting_for (a payment it refunds or disputes, the first invoice of its subscription) and is
-- replayed when that arrives.
create table stripe_event (
    id           uuid primary key,
    program_id   uuid not null references program (id),
    stripe_id    varchar not null,
    type         varchar not null,
    livemode     boolean not null,
    created      timestamptz not null,
    received_at  timestamptz not null,
    body         text not null,
    outcome      varchar not null check (outcome in ('processed', 'ignored', 'held', 'failed', 'test')),
    detail       varchar,
    waiting_for  varchar[],
    event_key    varchar,
    processed_at timestamptz,
    unique (program_id, stripe_id)
);
/* [jooq ignore start] */
-- The events list of the portal: newest first per program, by id (UUIDv7, so arrival order).
create index stripe_event_program_idx on stripe_event (program_id, id desc);
-- Held events are few; replay looks them up per program on every payment it records.
create index stripe_event_held_idx on stripe_event (program_id) where outcome = 'held';
/* [jooq ignore stop] */

-- The Stripe objects (in_, pi_, ch_, cs_) that stand for one recorded payment, so a refund or a
-- dispute, which names a charge or a payment intent, finds the event it reverses, and a payment
-- reported twice (a Checkout payment that also creates an invoice) is recorded once.
create table stripe_payment (
    program_id uuid not null references program (id),
    ref        varchar not null,
    event_key  varchar not null,
    primary key (program_id, ref)
);

-- What Stripe has said was refunded from a payment, per source: a refund (re_…, its amount), a
-- charge (ch_…, its cumulative amount_refunded) or a lost dispute (dp_…, its amount). Each source
-- keeps the largest figure seen, so a redelivered or late event can only confirm what is known.
create table stripe_refund (
    program_id uuid not null references program (id),
    event_key  varchar not null,
    source     varchar not null,
    amount     bigint not null check (amount >= 0),
    primary key (program_id, event_key, source)
);

-- Disputes: open ones hold their payment's commissions; a closed one is never reopened, so a
-- charge.dispute.created that arrives after its charge.dispute.closed changes nothing.
create table stripe_dispute (
    program_id uuid not null references program (id),
    id         varchar not null,
    event_key  varchar,
    status     varchar not null check (status in ('open', 'won', 'lost')),
    primary key (program_id, id)
);

-- Subscriptions started by a Checkout this program saw: until their first invoice arrives, a
-- renewal waits, so the first paid invoice is the partner's first conversion whatever the order.
create table stripe_subscription (
    program_id         uuid not null references program (id),
    id                 varchar not null,
    first_invoice_seen boolean not null,
    primary key (program_id, id)
);
