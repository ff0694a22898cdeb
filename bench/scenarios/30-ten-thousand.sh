#!/usr/bin/env bash
# Scenario 3: 10,000 concurrent keep-alive connections, each sending redirects back to back. The
# load client is the project's own (bench.jar load, a separate process): it counts every socket
# error and every request unanswered within 10 s, and records the cref of every 302, which are then
# checked in PostgreSQL: each present exactly once. Floor: zero errors and timeouts, every answer a
# 302 with a cref (a 503 or any other answer is a failure, and only 302s with a cref count as
# redirects/s), every click stored exactly once, in every run.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=30-ten-thousand
readonly CONNECTIONS=10000

[[ $(ulimit -n) -ge 12000 ]] || ulimit -n 20000 2>/dev/null || die "ulimit -n is $(ulimit -n); 10,000 connections need more"
duration=$((BENCH_DURATION + 5))
rps=() p50=() p99=() errors=() timeouts=() missing=() duplicated=() opened=() other=()
for run in $(seq 1 "$BENCH_RUNS"); do
    say "10,000 connections for ${duration}s, run $run/$BENCH_RUNS"
    out=$BENCH_DIR/ten-thousand-$run.json
    crefs=$BENCH_DIR/ten-thousand-$run.crefs
    bench_java load --port "$ROUTER_PORT" --paths /r/bench- --path-count 100 --connections $CONNECTIONS \
        --threads 2 --duration "${duration}s" --timeout 10s --crefs "$crefs" >"$out"
    rps+=("$(json "$out" .crefsPerSecond)")
    other+=("$(json "$out" .notARedirectWithCref)")
    p50+=("$(json "$out" .p50Ms)")
    p99+=("$(json "$out" .p99Ms)")
    errors+=("$(json "$out" '.connectErrors + .readErrors')")
    timeouts+=("$(json "$out" .timeouts)")
    opened+=("$(json "$out" .maxOpenConnections)")
    check=$BENCH_DIR/ten-thousand-$run.verify.json
    bench_java verify --crefs "$crefs" --database-url "$DATABASE_URL" --wait 30s >"$check"
    missing+=("$(json "$check" .missing)")
    duplicated+=("$(json "$check" '.duplicated + .receivedTwice')")
    say "  ${rps[-1]} redirects/s (302 with a cref), other answers ${other[-1]} ($(json "$out" '.statuses | tostring')), p99 ${p99[-1]} ms," \
        "open ${opened[-1]}, socket errors ${errors[-1]}, timeouts ${timeouts[-1]};" \
        "crefs $(json "$check" .received): missing ${missing[-1]}, duplicated ${duplicated[-1]}"
done
command="java -jar bench/target/bench.jar load --connections $CONNECTIONS --threads 2 --duration ${duration}s --timeout 10s --crefs FILE, then verify --crefs FILE"
all_zero() { for v in "$@"; do [[ $v == 0 ]] || { echo false; return; }; done; echo true; }
scenario="10,000 connections"
bench_row $ID "$scenario" "connections open at once (most)" "" "$command" "≥ 10,000" "$(awk -v m="$(printf "%s\n" "${opened[@]}" | sort -n | head -1)" 'BEGIN { print (m >= 10000) ? "true" : "false" }')" "${opened[@]}"
bench_row $ID "$scenario" "redirects/s (only 302s with a cref)" "req/s" "$command" "" "" "${rps[@]}"
bench_row $ID "$scenario" "answers other than a 302 with a cref (503s included)" "" "$command" "0" "$(all_zero "${other[@]}")" "${other[@]}"
bench_row $ID "$scenario" "p50" "ms" "$command" "" "" "${p50[@]}"
bench_row $ID "$scenario" "p99" "ms" "$command" "" "" "${p99[@]}"
bench_row $ID "$scenario" "socket errors (connect + read)" "" "$command" "0" "$(all_zero "${errors[@]}")" "${errors[@]}"
bench_row $ID "$scenario" "timeouts (no answer within 10 s)" "" "$command" "0" "$(all_zero "${timeouts[@]}")" "${timeouts[@]}"
bench_row $ID "$scenario" "crefs received but not in PostgreSQL" "" "$command" "0" "$(all_zero "${missing[@]}")" "${missing[@]}"
bench_row $ID "$scenario" "crefs stored more than once" "" "$command" "0" "$(all_zero "${duplicated[@]}")" "${duplicated[@]}"
bench_note $ID "Closed loop: each of the 10,000 connections sends its next request as soon as the 302 arrives, so the router is saturated and the latency is mostly queueing (10,000 requests in flight ÷ the redirect rate)."
bench_write $ID "3. 10,000 concurrent connections, every click stored" 30
