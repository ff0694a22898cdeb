-- Issue 15: whether a program's partners may choose their links' slugs (POST /v1/me/links with a
-- slug). True keeps the behaviour every program had before; false gives partners generated slugs.
alter table program add column allow_custom_slugs boolean not null default true;
