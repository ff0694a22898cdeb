-- Issue 19 (docs/decisions/0023-stats-dimensions.md): the days rolled up before V72 have no rows in
-- click_daily_partner_dimension. As V63 did for V62: noting each as late makes the next runs of the
-- click rollup count them again from scratch (a thousand notes a run, oldest first), which fills
-- the partner rows and leaves every other rollup as it is (a rebuild only rewrites rows whose
-- figures changed). A day already noted (V63's notes not yet read) is not noted twice.
/* [jooq ignore start] */
insert into click_late_day (day)
select r.day from click_rollup_day r
 where not exists (select 1 from click_late_day l where l.day = r.day)
 order by r.day;
/* [jooq ignore stop] */
