-- Issue 15: partners' own accounts (docs/partners-and-mail.md). Partner people are rows of V10's
-- person table (role 'partner'), invited through its invitation table; this adds the single-use
-- links of people (password reset, email change), public applications to programs, and the
-- partners' payout details.

-- Single-use links sent to a person: a password reset (1 hour) or the confirmation of a new email
-- address (24 hours, new_email set). Like every token, only its SHA-256 is kept; used_at makes it
-- single use (set by the one update that may use it), revoked_at retires it when a newer one is sent.
create table person_token (
    id         uuid primary key,
    purpose    varchar not null check (purpose in ('password_reset', 'email_change')),
    person_id  uuid not null references person (id),
    token_hash bytea not null,
    new_email  varchar,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at    timestamptz,
    revoked_at timestamptz,
    check ((purpose = 'email_change') = (new_email is not null))
);
/* [jooq ignore start] */
create unique index person_token_hash_key on person_token (token_hash);
-- A person's live links of one purpose: retired when a newer one is sent, shown as pendingEmail.
create index person_token_live_idx on person_token (person_id, purpose) where used_at is null and revoked_at is null;
/* [jooq ignore stop] */

-- A program's public application page (PORTAL_URL/apply/{slug}): off until an admin switches it on
-- with the terms applicants accept.
create table application_form (
    program_id uuid primary key references program (id),
    enabled    boolean not null,
    terms      varchar not null,
    updated_at timestamptz not null
);

-- Applications from that page. The terms are copied as accepted, so a later edit of the program's
-- terms does not change what an applicant agreed to.
create table partner_application (
    id         uuid primary key,
    program_id uuid not null references program (id),
    name       varchar not null,
    email      varchar not null,
    website    varchar,
    promotion  varchar not null,
    terms      varchar not null,
    status     varchar not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
    created_at timestamptz not null,
    decided_at timestamptz,
    decided_by varchar,
    reason     varchar,
    partner_id uuid references partner (id)
);
-- The admins' list: by program or by status, newest first by id.
create index partner_application_program_idx on partner_application (program_id, id);
create index partner_application_status_idx on partner_application (status, id);
/* [jooq ignore start] */
-- One pending application per address and program: applying again while one waits stores nothing.
create unique index partner_application_pending_key on partner_application (program_id, lower(email))
    where status = 'pending';
/* [jooq ignore stop] */

-- Where a partner is paid: a PayPal address or bank details (free text, for Wise), sealed with
-- SECRETS_ENCRYPTION_KEY under the partner's id; masked is what the partner's pages show, kept so
-- that reading it needs no decryption.
create table payout_details (
    partner_id  uuid primary key references partner (id),
    method      varchar not null check (method in ('paypal', 'wise')),
    details_enc bytea not null,
    masked      varchar not null,
    updated_at  timestamptz not null
);
