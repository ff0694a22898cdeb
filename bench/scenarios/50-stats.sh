#!/usr/bin/env bash
# Scenario 5: dashboard stats at 10 million clicks. bench/stats.sh fills a database of its own in
# the bench's PostgreSQL by COPY (10,000,000 clicks over 12 monthly partitions, 1,000 partners),
# rolls it up along the api's own code path, starts the real api on it and times GET /v1/stats
# over HTTP. Floor: p95 ≤ 100 ms for each dashboard request, in the worst run. Issue 19: the
# generated clicks carry country, device, browser, OS, referrer domain and utm values in realistic
# shares (api/src/test/java/clickledger/api/stats/ClickTraits.java), and the requests include
# groupBy=country|device|browser|os|referrer|utmSource|utmCampaign (30 days and 12 months). Its detailed section of
# docs/PERFORMANCE.md (data, rollup timings, index scans) is written by the benchmark itself; the
# table here carries the same figures next to the others.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=50-stats

psql_bench -d postgres -c "drop database if exists clickledger_stats" -c "create database clickledger_stats" >/dev/null
say "10 million clicks, rollups and the stats requests (bench/stats.sh; the data takes most of it)"
# The api of the other scenarios would roll up those clicks too; this database is the benchmark's.
BENCH_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/clickledger_stats" BENCH_RUNS=$BENCH_RUNS \
    prio bash "$ROOT/bench/stats.sh" 2>&1 | grep -v '^WARNING' | sed 's/^/  /' >&2
results=$ROOT/bench/results/stats.json
[[ -f $results ]] || die "bench/stats.sh wrote no $results"
command="bench/stats.sh (BENCH_RUNS=$BENCH_RUNS; $(json "$results" .samplesPerRun) sequential requests per run)"
while IFS=$'\t' read -r request p50s p95s; do
    # A floor is met only if the worst run meets it (DEVELOPERS.md).
    met=$(jq -n --argjson p "$p95s" '($p | max) <= 100')
    # shellcheck disable=SC2046
    bench_row $ID "Stats, $request" "p95" "ms" "$command" "≤ 100 ms" "$met" $(jq -r '.[]' <<<"$p95s")
    # shellcheck disable=SC2046
    bench_row $ID "Stats, $request" "p50" "ms" "$command" "" "" $(jq -r '.[]' <<<"$p50s")
done < <(jq -r '.scenarios[] | [.request, ([.runs[].p50Millis] | tojson), ([.runs[].p95Millis] | tojson)] | @tsv' "$results")
bench_note $ID "$(jq -r '"Data: \(.data | tostring)"' "$results" | cut -c1-400)"
bench_note $ID "The data, the rollup timings and the index scans of each request are in the section \"Dashboard stats at 10 million clicks\" below and in bench/results/stats.json."
bench_write $ID "5. Dashboard stats at 10 million clicks" 50
# Kept for the export (57-export.sh) and the portal's dashboard (80-portal.sh, which drops it
# afterwards) at the same 10 million clicks, unless this run leaves both out.
if ! bench_selected 57-export && ! bench_selected 80-portal; then
    psql_bench -d postgres -c "drop database if exists clickledger_stats" >/dev/null
fi
