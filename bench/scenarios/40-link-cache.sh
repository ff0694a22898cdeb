#!/usr/bin/env bash
# Scenario 4: the link cache at 1,000,000 active links. The router (-Xms512m -Xmx512m) must be
# ready within 15 s of its start, keep its heap under 512 MB, and redirect within 10 % of its
# small-cache rate. Both rates use the same wrk script shape (a random slug per request): one over
# 100 links, one over a million, each on a router and a database of its own.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=40-link-cache
readonly LINKS=1000000

lua() {
    cat >"$BENCH_DIR/random-$1.lua" <<LUA
math.randomseed(os.time())
request = function()
    return wrk.format("GET", "/r/$1" .. math.random(1, $2))
end
LUA
    echo "$BENCH_DIR/random-$1.lua"
}
small_script=$(lua bench- 100)
large_script=$(lua m- $LINKS)

# Live heap of router NAME after a full collection, in MB.
heap_mb() {
    local pid
    pid=$(service_pid "$1")
    "$JAVA_HOME/bin/jcmd" "$pid" GC.run >/dev/null
    "$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | awk '/heap/ && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); printf "%.0f\n", v / 1024; exit } }'
}

# Each cache has a router and a database of its own, both fresh: 100 links in one, a million in
# the other. Their runs alternate, so noise on this shared box lands on both figures alike, and
# both write their clicks into an empty click table (the main database holds millions by now,
# which cost the main router a fifth of its rate in the first run after scenario 3).
readonly SMALL_DB=links_100 LARGE_DB=links_1m
SMALL_DATABASE_URL=${DATABASE_URL%/*}/$SMALL_DB
LARGE_DATABASE_URL=${DATABASE_URL%/*}/$LARGE_DB
SMALL_PORT=$(free_port)
SMALL_URL=http://127.0.0.1:$SMALL_PORT
LARGE_PORT=$(free_port)
LARGE_URL=http://127.0.0.1:$LARGE_PORT
for db in $SMALL_DB $LARGE_DB; do
    psql_bench -d postgres -c "drop database if exists $db" -c "create database $db" >/dev/null
done
say "migrating two databases for the caches (the api applies the migrations)"
api_start DATABASE_URL="$SMALL_DATABASE_URL"
api_start DATABASE_URL="$LARGE_DATABASE_URL"
api_start
bench_java seed-links --database-url "$SMALL_DATABASE_URL" --prefix bench- --count 100 >/dev/null
say "seeding $LINKS links with COPY"
bench_java seed-links --database-url "$LARGE_DATABASE_URL" --prefix m- --count $LINKS >"$BENCH_DIR/seed-links.json"
say "  $(json "$BENCH_DIR/seed-links.json" .seconds) s"
psql_bench -d $LARGE_DB -c "vacuum analyze link" >/dev/null

ready=()
for run in $(seq 1 "$BENCH_RUNS"); do
    # Every start loads from PostgreSQL: the link snapshot the previous start wrote would make the
    # next one ready from disk (decision 0011), which is not what this figure measures.
    rm -f "$BENCH_DIR/spool-router-large/links.snapshot"
    seconds=$(router_start_as router-large "$LARGE_PORT" DATABASE_URL="$LARGE_DATABASE_URL")
    ready+=("$seconds")
    say "router with $(router_metric clickledger_link_cache_size "$LARGE_URL") links ready in $seconds s (start $run/$BENCH_RUNS)"
done
ready_heap=$(heap_mb router-large)
router_start_as router-small "$SMALL_PORT" DATABASE_URL="$SMALL_DATABASE_URL" >/dev/null
say "small cache: $(router_metric clickledger_link_cache_size "$SMALL_URL") links"
BENCH_DURATION=3 wrk_run 256 "$SMALL_URL/" -s "$small_script" >/dev/null
BENCH_DURATION=3 wrk_run 256 "$LARGE_URL/" -s "$large_script" >/dev/null

small_runs=() small_p99=() large_runs=() large_p99=() ratio=()
for run in $(seq 1 "$BENCH_RUNS"); do
    read -r small _ p _ < <(wrk_run 256 "$SMALL_URL/" -s "$small_script")
    small_runs+=("$small") small_p99+=("$p")
    say "small cache (100 links), random slug, run $run/$BENCH_RUNS: $small req/s, p99 $p ms"
    read -r large _ p _ < <(wrk_run 256 "$LARGE_URL/" -s "$large_script")
    large_runs+=("$large") large_p99+=("$p")
    ratio+=("$(awk -v l="$large" -v s="$small" 'BEGIN { printf "%.1f", 100 * l / s }')")
    say "large cache ($LINKS links), random slug, run $run/$BENCH_RUNS: $large req/s, p99 $p ms (${ratio[-1]} %)"
done
small_heap=$(heap_mb router-small)
large_heap=$(heap_mb router-large)
checks=$(router_metric clickledger_link_checks_total "$LARGE_URL")
reloads=$(router_metric clickledger_link_reload_seconds_count "$LARGE_URL")
service_stop router-small
service_stop router-large
psql_bench -d postgres -c "drop database $SMALL_DB" -c "drop database $LARGE_DB" >/dev/null

ratio_met=$(awk -v m="$(median "${ratio[@]}")" 'BEGIN { print (m >= 90) ? "true" : "false" }')
ready_met=$(awk -v m="$(median "${ready[@]}")" 'BEGIN { print (m <= 15) ? "true" : "false" }')
heap_met=$(awk -v h="$large_heap" 'BEGIN { print (h < 512) ? "true" : "false" }')
command="wrk -t1 -c256 -d${BENCH_DURATION}s --latency -s random-slug.lua URL"
bench_row $ID "1,000,000 links" "router ready after start (process start to /readyz 200)" "s" "java -Xms512m -Xmx512m -jar router/target/router.jar; poll /readyz" "≤ 15 s" "$ready_met" "${ready[@]}"
bench_row $ID "1,000,000 links" "live heap after a full GC, after the load runs" "MB" "jcmd PID GC.run; jcmd PID GC.heap_info" "< 512 MB" "$heap_met" "$large_heap"
bench_row $ID "1,000,000 links" "live heap after a full GC, just ready" "MB" "jcmd PID GC.run; jcmd PID GC.heap_info" "" "" "$ready_heap"
bench_row $ID "100 links" "live heap after a full GC" "MB" "jcmd PID GC.run; jcmd PID GC.heap_info" "" "" "$small_heap"
bench_row $ID "100 links" "redirects/s, random slug" "req/s" "$command" "" "" "${small_runs[@]}"
bench_row $ID "1,000,000 links" "redirects/s, random slug" "req/s" "$command" "" "" "${large_runs[@]}"
bench_row $ID "1,000,000 links" "÷ small-cache redirects/s" "%" "per run pair, runs alternating" "≥ 90 % (within 10 %)" "$ratio_met" "${ratio[@]}"
bench_row $ID "100 links" "p99, random slug" "ms" "$command" "" "" "${small_p99[@]}"
bench_row $ID "1,000,000 links" "p99, random slug" "ms" "$command" "" "" "${large_p99[@]}"
bench_note $ID "Two fresh routers, both -Xms512m -Xmx512m, each over a fresh database of its own: one with 100 links, one with the million (seeded with COPY by bench.jar seed-links before it starts; each start loads them all in one streamed query). Their runs alternate, so noise on this shared box lands on both, and both write into an empty click table. The heap can never pass 512 MB; the figure that matters is the live heap after a full collection."
bench_note $ID "While the runs went on, the large router checked its cache against PostgreSQL (one checksum query a check, every LINK_RELOAD_SECONDS=60) $checks time(s) and loaded the million links $reloads time(s), the load at start included: a full reload happens only when the cache and the database differ."
bench_write $ID "4. Link cache at 1,000,000 active links" 40
