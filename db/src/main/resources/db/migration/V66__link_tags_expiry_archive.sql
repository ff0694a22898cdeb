-- Issue 19, links (docs/decisions/0025-link-tags-expiry-deep-links.md): tags, an optional expiry
-- with an optional URL for after it, archiving, and deleting links that never had a click.

-- After expires_at the router sends visitors to expired_url, else to the program's destination,
-- and hands out no cref (like a paused link). Both are read into the router's link cache, so the
-- router decides expiry from memory with its own clock.
alter table link add column expires_at timestamptz;
alter table link add column expired_url varchar;
-- Archived links are left out of lists unless asked for, and still redirect.
alter table link add column archived boolean not null default false;

-- A link's tags, normalised by the api (trimmed, inner spaces collapsed, lower case, at most 10
-- a link, 1-40 characters). program_id is the link's, copied so a filter by tag within a program
-- reads link_tag_program_tag_idx alone: the stats' tag filter and the link lists' both start
-- from (program_id, tag).
create table link_tag (
    link_id    uuid not null references link (id) on delete cascade,
    program_id uuid not null,
    tag        varchar not null check (length(tag) between 1 and 40),
    primary key (link_id, tag)
);
create index link_tag_program_tag_idx on link_tag (program_id, tag, link_id);
-- A partner's or every program's lists filter by tag without a program.
create index link_tag_tag_idx on link_tag (tag, link_id);
