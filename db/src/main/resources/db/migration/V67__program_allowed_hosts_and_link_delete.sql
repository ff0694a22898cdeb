-- Issue 19, deep links (docs/decisions/0025-link-tags-expiry-deep-links.md): /r/{slug}?to= may send
-- a visitor to a path on the program's destination host or to one of these hosts, nowhere else.
-- Lower-case host[:port] entries separated by single spaces, sorted and unique (the api writes
-- them so), null for none: the router reads them into its link cache with the program's
-- destination, one string a program, with no JSON to parse on a full load of a million links.
alter table program add column allowed_hosts varchar;

/* [jooq ignore start] */
-- A link without clicks can now be deleted; routers must drop it from their caches. V1's trigger
-- function reads NEW, which a delete has not, so deletes get a function of their own.
create function notify_link_delete() returns trigger language plpgsql as $$
begin
    perform pg_notify('clickledger_links', 'link:' || old.id::text);
    return null;
end;
$$;

create trigger link_delete_notify after delete on link
    for each row execute function notify_link_delete();
/* [jooq ignore stop] */
