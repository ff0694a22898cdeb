#!/usr/bin/env bash
# Scenario 5b (issue 17): the stats rollup's cost per run. bench/rollup fills a database of its own
# with 10 million clicks of today (COPY), lets the job make its first run over them, then times a
# full rescan of today and yesterday (what every run of the job cost before) and a run of the job
# after 1,000 new clicks, each BENCH_ROLLUP_RUNS times (5), and checks that the runs counted
# exactly what a count from scratch counts. Floor: a run at 1,000 new clicks costs at most 1 % of a
# full rescan (every run against the median rescan).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=55-rollup
readonly CLICKS=${BENCH_ROLLUP_CLICKS:-10000000}
readonly RUNS=${BENCH_ROLLUP_RUNS:-5}

psql_bench -d postgres -c "drop database if exists clickledger_rollup" -c "create database clickledger_rollup" >/dev/null
out=$BENCH_DIR/rollup.json
say "$CLICKS clicks of today, a full rescan and a run after 1,000 new clicks, $RUNS times each (bench/rollup)"
TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/clickledger_rollup" \
    prio bash "$ROOT/bench/rollup" --clicks "$CLICKS" --new-clicks 1000 --runs "$RUNS" --out "$out" \
    2>&1 | grep -v -e '^WARNING' -e '^[0-9:. ]*\[' | sed 's/^/  /' >&2
[[ -f $out ]] || die "bench/rollup wrote no $out"
command="bench/rollup --clicks $CLICKS --new-clicks 1000 --runs $RUNS"
scenario="Stats rollup, $(printf "%'d" "$CLICKS") clicks today"
within=$(jq '[.runPercentOfMedianRescan[]] | max <= 1' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "a run of the job after 1,000 new clicks, % of a full rescan" "%" "$command" "≤ 1 %" "$within" $(jq -r '.runPercentOfMedianRescan[]' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "a run of the job after 1,000 new clicks" "ms" "$command" "" "" $(jq -r '.runMillis[]' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "full rescan of today and yesterday (what every run did before)" "ms" "$command" "" "" $(jq -r '.rescanMillis[]' "$out")
bench_row $ID "$scenario" "rollup rows differing from a count from scratch" "" "$command" "0" "$(jq '.rowsDiffering == 0' "$out")" "$(jq -r .rowsDiffering "$out")"
bench_note $ID "$(jq -r '"Data: \(.clicks) clicks of today by COPY in \(.seedSeconds | floor) s (1,000 partners, 2,000 links, a million visitors, 5 % bots, 2 % flagged, country, device, browser, OS, referrer and utm values spread as in the stats benchmark). The first run of the job over them (today counted from scratch, its visitors recorded) took \(.firstRunSeconds * 10 | floor / 10) s. Each measured run follows 1,000 new clicks written by COPY with the triggers on, as a router writes them, and waits 16 s so the watermark (15 s behind the newest mark) passes them."' "$out")"
bench_note $ID "A run: the mark, the new clicks counted per program through click_program_ts_idx and their new visitors, the late-click notes, the look for missed days and the money changes (none here); the rescan is the REBUILD statement over today and yesterday and their months' sums, in a transaction rolled back. Plans: docs/decisions/0016."
bench_write $ID "5b. Stats rollup: the cost of a run" 55
psql_bench -d postgres -c "drop database if exists clickledger_rollup" >/dev/null
