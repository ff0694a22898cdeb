-- clickledger data model (SPEC.md "Data"). Raw facts (click, identity, event) are immutable;
-- attribution and commission are derived and can be recomputed. Money is bigint minor units next
-- to an ISO 4217 code. Ids are UUIDv7 made by the application, so they sort by creation time and
-- serve as pagination cursors. Strings are unbounded varchar (the same as text in PostgreSQL) because
-- jOOQ's DDL simulation cannot index text. PostgreSQL-only DDL that jOOQ's DDL parser cannot read is fenced
-- between [jooq ignore start] / [jooq ignore stop] markers.

create table setting (
    key        varchar primary key,
    value      varchar not null,
    updated_at timestamptz not null default now()
);

create table program (
    id                uuid primary key,
    slug              varchar not null unique check (slug ~ '^[A-Za-z0-9_-]{1,64}$'),
    name              varchar not null,
    destination_url   varchar not null,
    currency          char(3) not null,
    attribution_model varchar not null default 'last_click'
        check (attribution_model in ('last_click', 'first_click', 'linear', 'position', 'time_decay')),
    lookback_days     integer not null default 60 check (lookback_days between 1 and 3650),
    holdback_days     integer not null default 30 check (holdback_days between 0 and 3650),
    cookie_days       integer not null default 90 check (cookie_days between 1 and 3650),
    commission_rules  jsonb not null default '[]',
    starts_at         timestamptz,
    ends_at           timestamptz,
    status            varchar not null default 'active' check (status in ('active', 'paused', 'ended')),
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);

create table partner (
    id         uuid primary key,
    email      varchar not null,
    name       varchar not null,
    status     varchar not null default 'active' check (status in ('invited', 'active', 'revoked')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
/* [jooq ignore start] */
create unique index partner_email_key on partner (lower(email));
/* [jooq ignore stop] */

create table partner_program (
    partner_id          uuid not null references partner (id),
    program_id          uuid not null references program (id),
    status              varchar not null default 'approved' check (status in ('pending', 'approved', 'rejected', 'revoked')),
    commission_override jsonb,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    primary key (partner_id, program_id)
);
create index partner_program_program_idx on partner_program (program_id);

create table link (
    id              uuid primary key,
    slug            varchar not null unique check (slug ~ '^[A-Za-z0-9_-]{1,64}$'),
    program_id      uuid not null references program (id),
    partner_id      uuid not null references partner (id),
    destination_url varchar,
    status          varchar not null default 'active' check (status in ('active', 'paused')),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
create index link_program_idx on link (program_id, id);
create index link_partner_idx on link (partner_id, id);

-- The hot table. No foreign keys: each would cost an index probe per inserted row on the
-- redirect path, and links, partners and programs are never deleted (they are paused/revoked).
-- ts is the millisecond inside the UUIDv7 id, so a lookup by cref derives ts and prunes to one
-- partition. Partitions are created ahead by PartitionMaintenance; click_default catches any
-- timestamp outside them so an insert never fails on its time.
create table click (
    id           uuid not null,
    ts           timestamptz not null,
    link_id      uuid not null,
    program_id   uuid not null,
    partner_id   uuid not null,
    ip_hash      bytea,
    user_agent   varchar,
    referer      varchar,
    landing_url  varchar,
    country      varchar,
    utm_source   varchar,
    utm_medium   varchar,
    utm_campaign varchar,
    utm_term     varchar,
    utm_content  varchar,
    is_bot       boolean not null default false,
    bot_reason   varchar,
    fraud_flag   varchar,
    primary key (id, ts)
)
/* [jooq ignore start] */ partition by range (ts) /* [jooq ignore stop] */;

/* [jooq ignore start] */
create table click_default partition of click default;
/* [jooq ignore stop] */

create index click_link_ts_idx on click (link_id, ts);
create index click_partner_ts_idx on click (partner_id, ts);
create index click_program_ts_idx on click (program_id, ts);

create table identity (
    id         uuid primary key,
    program_id uuid not null references program (id),
    click_id   uuid not null,
    click_ts   timestamptz not null,
    user_id    varchar not null,
    ts         timestamptz not null,
    created_at timestamptz not null default now(),
    unique (program_id, user_id, click_id)
);
create index identity_click_idx on identity (click_id);

create table event (
    id           uuid primary key,
    program_id   uuid not null references program (id),
    event_key    varchar,
    request_hash varchar,
    user_id      varchar not null,
    type         varchar not null,
    value_minor  bigint,
    currency     char(3),
    refund_of    uuid references event (id),
    metadata     jsonb,
    ts           timestamptz not null,
    created_at   timestamptz not null default now(),
    unique (program_id, event_key)
);
create index event_program_user_idx on event (program_id, user_id, ts);
create index event_program_ts_idx on event (program_id, ts);

create table attribution (
    id         uuid primary key,
    event_id   uuid not null references event (id),
    click_id   uuid not null,
    click_ts   timestamptz not null,
    link_id    uuid not null references link (id),
    partner_id uuid not null references partner (id),
    program_id uuid not null references program (id),
    model      varchar not null,
    weight     numeric(12, 10) not null check (weight >= 0 and weight <= 1),
    created_at timestamptz not null default now()
);
create index attribution_event_idx on attribution (event_id);
create index attribution_partner_idx on attribution (partner_id, created_at);

create table payout (
    id           uuid primary key,
    partner_id   uuid not null references partner (id),
    program_id   uuid not null references program (id),
    amount_minor bigint not null,
    currency     char(3) not null,
    status       varchar not null default 'pending' check (status in ('pending', 'paid')),
    period_start timestamptz,
    period_end   timestamptz,
    created_at   timestamptz not null default now(),
    paid_at      timestamptz
);
create index payout_partner_idx on payout (partner_id, created_at);

create table commission (
    id             uuid primary key,
    event_id       uuid not null references event (id),
    attribution_id uuid references attribution (id),
    partner_id     uuid not null references partner (id),
    program_id     uuid not null references program (id),
    rule           jsonb,
    amount_minor   bigint not null,
    currency       char(3) not null,
    status         varchar not null default 'pending'
        check (status in ('pending', 'approved', 'paid', 'rejected', 'reversed')),
    hold_until     timestamptz not null,
    payout_id      uuid references payout (id),
    fraud_flag     varchar,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create index commission_event_idx on commission (event_id);
create index commission_partner_status_idx on commission (partner_id, status, created_at);
create index commission_program_status_idx on commission (program_id, status, hold_until);

create table webhook_endpoint (
    id                   uuid primary key,
    url                  varchar not null,
    event_types          varchar[] not null default '{}',
    secret_enc           bytea not null,
    previous_secret_enc  bytea,
    previous_valid_until timestamptz,
    enabled              boolean not null default true,
    description          varchar,
    failing_since        timestamptz,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);

-- The outbox: rows are written in the same transaction as the change they announce.
create table webhook_delivery (
    id               uuid primary key,
    endpoint_id      uuid not null references webhook_endpoint (id),
    event_type       varchar not null,
    payload          jsonb not null,
    status           varchar not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null default now(),
    last_status_code integer,
    last_error       varchar,
    created_at       timestamptz not null default now(),
    delivered_at     timestamptz
);
/* [jooq ignore start] */
create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at) where status = 'pending';
/* [jooq ignore stop] */
create index webhook_delivery_endpoint_idx on webhook_delivery (endpoint_id, created_at);

create table webhook_attempt (
    id            uuid primary key,
    delivery_id   uuid not null references webhook_delivery (id),
    attempted_at  timestamptz not null,
    status_code   integer,
    latency_ms    integer,
    error         varchar,
    response_body varchar
);
create index webhook_attempt_delivery_idx on webhook_attempt (delivery_id, attempted_at);

create table api_key (
    id           uuid primary key,
    kind         varchar not null check (kind in ('secret', 'publishable', 'admin', 'partner')),
    prefix       varchar not null unique,
    hash         bytea not null,
    name         varchar not null,
    program_id   uuid references program (id),
    partner_id   uuid references partner (id),
    created_at   timestamptz not null default now(),
    revoked_at   timestamptz,
    last_used_at timestamptz
);

create table admin_user (
    id            uuid primary key,
    email         varchar not null,
    name          varchar,
    password_hash varchar not null,
    created_at    timestamptz not null default now()
);
/* [jooq ignore start] */
create unique index admin_user_email_key on admin_user (lower(email));
/* [jooq ignore stop] */

create table session (
    id_hash    varchar primary key, -- hex SHA-256 of the session token; the token itself is never stored
    admin_id   uuid references admin_user (id),
    partner_id uuid references partner (id),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
);

create table audit_log (
    id          bigint generated always as identity primary key,
    ts          timestamptz not null default now(),
    actor       varchar not null,
    action      varchar not null,
    entity      varchar not null,
    entity_id   varchar,
    details     jsonb
);
create index audit_log_entity_idx on audit_log (entity, entity_id);

/* [jooq ignore start] */
-- Routers keep every link in memory; these notifications tell them what to reload
-- (SPEC "Router contract": a change reaches the router within one second).
create function notify_link_change() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'link' then
        perform pg_notify('clickledger_links', 'link:' || new.id::text);
    elsif tg_table_name = 'program' then
        perform pg_notify('clickledger_links', 'program:' || new.id::text);
    elsif tg_table_name = 'partner' then
        perform pg_notify('clickledger_links', 'partner:' || new.id::text);
    elsif tg_table_name = 'partner_program' then
        perform pg_notify('clickledger_links', 'partner:' || new.partner_id::text);
    end if;
    return null;
end;
$$;

create trigger link_notify after insert or update on link
    for each row execute function notify_link_change();
create trigger program_notify after update on program
    for each row execute function notify_link_change();
create trigger partner_notify after update on partner
    for each row execute function notify_link_change();
create trigger partner_program_notify after insert or update on partner_program
    for each row execute function notify_link_change();
/* [jooq ignore stop] */
