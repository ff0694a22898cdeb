-- STAND-IN, tests only (testkit's classpath): the click columns of CONTRACT-19 that H19C's V60
-- adds on its branch (device, browser, os, referrer_domain), so H19S's stats by dimension can be
-- built and tested before the two branches meet. At merge, delete this file: Flyway then finds
-- H19C's real V60 in db/ (two V60s would stop every test with "more than one migration with
-- version 60", so it cannot be forgotten). Idempotent on purpose.
alter table click add column if not exists device varchar;
alter table click add column if not exists browser varchar;
alter table click add column if not exists os varchar;
alter table click add column if not exists referrer_domain varchar;
