-- Issue 14: people who sign in (admins now, partners' people in issue 15), their sessions, and
-- invitations (docs/decisions/0014-sessions-and-passwords.md). V1's admin_user and session tables
-- were never written by any code, so they are replaced rather than altered.
-- Numbered 10 so V6 to V9 stay free for branches in flight at the same time.

drop table session;
drop table admin_user;

-- One table for every person who signs in, whatever their role, so one login route, one password
-- rule and one session table serve both. A partner person belongs to exactly one partner; an
-- admin to none. Removing a person keeps the row (removed_at), so the audit log's actor
-- "admin_user:<id>" still names someone and the email can be invited again.
create table person (
    id            uuid primary key,
    role          varchar not null check (role in ('admin', 'partner')),
    partner_id    uuid references partner (id),
    email         varchar not null,
    name          varchar not null,
    -- PHC string: $argon2id$v=19$m=…,t=…,p=…$salt$hash; the parameters travel with the hash, so
    -- they can be raised later and old hashes still verify.
    password_hash varchar not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    last_login_at timestamptz,
    removed_at    timestamptz,
    check ((role = 'partner') = (partner_id is not null))
);
create index person_partner_idx on person (partner_id);
/* [jooq ignore start] */
-- Sign-in is by email, case-insensitive, among people not removed.
create unique index person_email_key on person (lower(email)) where removed_at is null;
/* [jooq ignore stop] */

-- A session is found by the SHA-256 of its token (the token itself is never stored). Idle expiry
-- is last_seen_at + SESSION_IDLE_MINUTES, absolute expiry expires_at; last_seen_at is written at
-- most once a minute per session, so a signed-in person's reads do not each cost a write.
create table session (
    id           uuid primary key,
    token_hash   bytea not null,
    person_id    uuid not null references person (id),
    created_at   timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at   timestamptz not null,
    revoked_at   timestamptz,
    -- signed_out, password_changed, person_removed
    revoked_reason varchar,
    user_agent   varchar,
    check (expires_at > created_at)
);
/* [jooq ignore start] */
-- Fenced because jOOQ's DDL simulation cannot index bytea.
create unique index session_token_hash_key on session (token_hash);
-- Revoking every live session of a person (password change, removal) reads only the live ones.
create index session_person_live_idx on session (person_id) where revoked_at is null;
/* [jooq ignore stop] */

-- Invitations to become a person of a role: admin now, partner people in issue 15 (partner_id set).
-- The token is shown once, in the create response; only its SHA-256 is kept. Single use: the
-- accept sets accepted_at in the same transaction that creates the person.
create table invitation (
    id          uuid primary key,
    role        varchar not null check (role in ('admin', 'partner')),
    partner_id  uuid references partner (id),
    email       varchar not null,
    token_hash  bytea not null,
    invited_by  varchar not null,
    created_at  timestamptz not null,
    expires_at  timestamptz not null,
    accepted_at timestamptz,
    person_id   uuid references person (id),
    revoked_at  timestamptz,
    check ((role = 'partner') = (partner_id is not null))
);
create index invitation_created_idx on invitation (role, id);
/* [jooq ignore start] */
create unique index invitation_token_hash_key on invitation (token_hash);
/* [jooq ignore stop] */

-- The install wizard may run once. The primary key admits one row ever, so two concurrent installs
-- cannot both insert it: the second waits on the first's uncommitted key, then inserts nothing.
-- The row is the install's first write, before the admin exists, hence no foreign key on admin_id.
create table installation (
    singleton    boolean primary key default true check (singleton),
    installed_at timestamptz not null,
    admin_id     uuid not null
);

-- The audit log page filters by actor and action and pages newest first by id.
create index audit_log_actor_idx on audit_log (actor, id);
create index audit_log_action_idx on audit_log (action, id);
