#!/usr/bin/env bash
# Scenario 4: the link cache at 1,000,000 active links. The router (-Xmx512m) must be ready within
# 15 s of its start, keep its heap under 512 MB, and redirect within 10 % of its small-cache rate.
# Both rates use the same wrk script (a random slug per request), first over the 100 bench links
# with only those loaded, then over the million with all of them loaded.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=40-link-cache
readonly LINKS=1000000

lua() {
    cat >"$BENCH_DIR/random-$1.lua" <<EOF
math.randomseed(os.time())
request = function()
    return wrk.format("GET", "/r/$1" .. math.random(1, $2))
end
EOF
    echo "$BENCH_DIR/random-$1.lua"
}
small_script=$(lua bench- 100)
large_script=$(lua m- $LINKS)

# Live heap after a full collection, in MB.
heap_mb() {
    local pid
    pid=$(service_pid router)
    "$JAVA_HOME/bin/jcmd" "$pid" GC.run >/dev/null
    "$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | awk '/heap/ && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); printf "%.0f\n", v / 1024; exit } }'
}

rates() {
    local script=$1 label=$2 rps=() p99=()
    for run in $(seq 1 "$BENCH_RUNS"); do
        say "$label, run $run/$BENCH_RUNS"
        read -r r _ p _ < <(wrk_run 256 "$ROUTER_URL/" -s "$script")
        rps+=("$r") p99+=("$p")
        say "  $r req/s, p99 $p ms"
    done
    echo "${rps[*]}|${p99[*]}"
}

say "small cache: $(curl -s "$ROUTER_URL/metrics" | awk '/^clickledger_link_cache_size/ { print $2 }') links"
BENCH_DURATION=3 wrk_run 256 "$ROUTER_URL/" -s "$small_script" >/dev/null
IFS='|' read -r small_rps small_p99 < <(rates "$small_script" "small cache (100 links), random slug")
small_heap=$(heap_mb)

router_stop
say "seeding $LINKS links with COPY"
bench_java seed-links --database-url "$DATABASE_URL" --prefix m- --count $LINKS >"$BENCH_DIR/seed-links.json"
say "  $(json "$BENCH_DIR/seed-links.json" .seconds) s"
psql_bench -c "vacuum analyze link" >/dev/null

ready=()
for run in $(seq 1 "$BENCH_RUNS"); do
    seconds=$(router_start)
    ready+=("$seconds")
    say "router with $(curl -s "$ROUTER_URL/metrics" | awk '/^clickledger_link_cache_size/ { printf "%d", $2 }') links ready in $seconds s (start $run/$BENCH_RUNS)"
done
ready_heap=$(heap_mb)
BENCH_DURATION=3 wrk_run 256 "$ROUTER_URL/" -s "$large_script" >/dev/null
IFS='|' read -r large_rps large_p99 < <(rates "$large_script" "large cache ($LINKS links), random slug")
large_heap=$(heap_mb)

read -r -a small_runs <<<"$small_rps"
read -r -a large_runs <<<"$large_rps"
ratio=()
for i in "${!large_runs[@]}"; do
    ratio+=("$(awk -v l="${large_runs[$i]}" -v s="${small_runs[$i]:-${small_runs[0]}}" 'BEGIN { printf "%.1f", 100 * l / s }')")
done
ratio_met=$(awk -v m="$(median "${ratio[@]}")" 'BEGIN { print (m >= 90) ? "true" : "false" }')
ready_met=$(awk -v m="$(median "${ready[@]}")" 'BEGIN { print (m <= 15) ? "true" : "false" }')
heap_met=$(awk -v h="$large_heap" 'BEGIN { print (h < 512) ? "true" : "false" }')
command="wrk -t1 -c256 -d${BENCH_DURATION}s --latency -s random-slug.lua URL"
bench_row $ID "1,000,000 links" "router ready after start (process start to /readyz 200)" "s" "java -Xmx512m -jar router/target/router.jar; poll /readyz" "≤ 15 s" "$ready_met" "${ready[@]}"
bench_row $ID "1,000,000 links" "live heap after a full GC, after the load runs" "MB" "jcmd PID GC.run; jcmd PID GC.heap_info" "< 512 MB" "$heap_met" "$large_heap"
bench_row $ID "1,000,000 links" "live heap after a full GC, just ready" "MB" "jcmd PID GC.run; jcmd PID GC.heap_info" "" "" "$ready_heap"
bench_row $ID "100 links" "live heap after a full GC" "MB" "jcmd PID GC.run; jcmd PID GC.heap_info" "" "" "$small_heap"
# shellcheck disable=SC2086
bench_row $ID "100 links" "redirects/s, random slug" "req/s" "$command" "" "" $small_rps
# shellcheck disable=SC2086
bench_row $ID "1,000,000 links" "redirects/s, random slug" "req/s" "$command" "" "" $large_rps
bench_row $ID "1,000,000 links" "÷ small-cache redirects/s" "%" "per run pair" "≥ 90 % (within 10 %)" "$ratio_met" "${ratio[@]}"
# shellcheck disable=SC2086
bench_row $ID "100 links" "p99, random slug" "ms" "$command" "" "" $small_p99
# shellcheck disable=SC2086
bench_row $ID "1,000,000 links" "p99, random slug" "ms" "$command" "" "" $large_p99
bench_note $ID "The router runs with -Xmx512m throughout, so the heap can never pass 512 MB; the figure that matters is the live heap after a full collection. Links are seeded with COPY (bench.jar seed-links) while the router is stopped; each start loads all of them in one streamed query."
bench_write $ID "4. Link cache at 1,000,000 active links" 40
