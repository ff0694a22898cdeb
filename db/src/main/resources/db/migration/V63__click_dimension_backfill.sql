-- Issue 19 (docs/decisions/0023-stats-dimensions.md): the days rolled up before V62 have no rows in
-- click_daily_dimension. Noting each as late makes the next runs of the click rollup count them
-- again from scratch (V8's click_late_day, a thousand notes a run), which now fills the dimension
-- rows too and leaves V4's rollups as they are (a rebuild only rewrites rows whose figures
-- changed). Oldest first, so a dashboard's older months fill in before today's are touched.
/* [jooq ignore start] */
insert into click_late_day (day)
select day from click_rollup_day order by day;
/* [jooq ignore stop] */
