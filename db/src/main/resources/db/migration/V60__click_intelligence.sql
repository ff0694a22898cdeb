-- Issue 19 (docs/decisions/0022-click-intelligence.md): what the router learns about a click
-- besides its country. The router fills them from the User-Agent (a parser and the maintained
-- crawler list) and the Referer; clicks recorded before this migration keep null, which the stats
-- show as "unknown". Nullable columns without a default: adding them rewrites no partition.
--   device:          desktop, phone, tablet, bot or other
--   browser, os:     the family as the parser names it (Chrome, Safari, Samsung Internet; Windows,
--                    macOS, iOS, Android), else Other
--   referrer_domain: the Referer's host, lower case, without a leading www.; null when absent or
--                    unparsable (the full referer column stays)
alter table click
    add column device varchar,
    add column browser varchar,
    add column os varchar,
    add column referrer_domain varchar;
