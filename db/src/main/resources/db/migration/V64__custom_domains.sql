-- Issue 19: custom short domains (docs/decisions/0024). A program owns its domains; a link may
-- live on one of them (domain_id) or, with domain_id null, on the router's own default host(s)
-- as every link did before. A slug is unique per domain, no longer across the whole install.
-- hostname is stored the way the router compares it: lower case, punycode (ASCII), no trailing
-- dot, no port; the api normalises before it inserts. (short_domain, not domain: DOMAIN is an
-- SQL keyword that the jOOQ generator's DDL parser would trip on.)
create table short_domain (
    id            uuid primary key,
    program_id    uuid not null references program (id),
    hostname      varchar not null unique check (length(hostname) between 1 and 253),
    -- true: the bare go.shop.example/{slug} redirects too (the domain serves nothing else)
    dedicated     boolean not null default false,
    -- the program's default: links created without a domain get this one
    is_primary    boolean not null default false,
    -- the Domain= attribute of the _cref cookie set on this host; null: a host-only cookie
    cookie_domain varchar,
    created_at    timestamptz not null default now()
);
create index short_domain_program_idx on short_domain (program_id, id);

alter table link add column domain_id uuid references short_domain (id);

/* [jooq ignore start] */
-- At most one primary domain per program.
create unique index short_domain_program_primary_key on short_domain (program_id) where is_primary;

-- Slugs unique per domain; the default host counts as the all-zero id (an expression index
-- rather than NULLS NOT DISTINCT, so that it reads the same on every supported version).
alter table link drop constraint link_slug_key;
create unique index link_domain_slug_key
    on link (coalesce(domain_id, '00000000-0000-0000-0000-000000000000'::uuid), slug);
-- Whether a domain still has links (refusing its removal) without a scan.
create index link_domain_idx on link (domain_id) where domain_id is not null;

-- Routers keep every domain in memory next to the links; a change reloads their domain table.
create function notify_domain_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform pg_notify('clickledger_links', 'domain:' || old.id::text);
    else
        perform pg_notify('clickledger_links', 'domain:' || new.id::text);
    end if;
    return null;
end;
$$;

create trigger short_domain_notify after insert or update or delete on short_domain
    for each row execute function notify_domain_change();
/* [jooq ignore stop] */
