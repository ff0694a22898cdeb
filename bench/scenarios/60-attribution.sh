#!/usr/bin/env bash
# Scenario 6: attribution. 100 concurrent clients post purchase events through the api
# (POST /v1/events, admin key, programId in the body) for users who each have between 1 and 100
# clicks in the lookback window; every event is attributed and earns a 10 % commission.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=60-attribution
readonly USERS=5000

say "seeding $USERS users with 1–100 clicks each (COPY)"
bench_java seed-attribution --database-url "$DATABASE_URL" --users $USERS --max-clicks 100 >"$BENCH_DIR/seed-attribution.json"
program=$(json "$BENCH_DIR/seed-attribution.json" .programId)
say "  $(json "$BENCH_DIR/seed-attribution.json" .clicks) clicks in $(json "$BENCH_DIR/seed-attribution.json" .seconds) s"
# The api caches nothing about programs it has not seen; a short warm-up lets its JIT settle.
bench_java events --api-url "$API_URL" --admin-key "$ADMIN_API_KEY" --program-id "$program" --users $USERS \
    --clients 100 --duration 3s >/dev/null

rate=() p50=() p99=() bad=()
for run in $(seq 1 "$BENCH_RUNS"); do
    say "100 clients, run $run/$BENCH_RUNS"
    out=$BENCH_DIR/events-$run.json
    bench_java events --api-url "$API_URL" --admin-key "$ADMIN_API_KEY" --program-id "$program" --users $USERS \
        --clients 100 --duration "${BENCH_DURATION}s" >"$out"
    rate+=("$(json "$out" .eventsPerSecond)")
    p50+=("$(json "$out" .p50Ms)")
    p99+=("$(json "$out" .p99Ms)")
    bad+=("$(json "$out" '.errors + ([.statuses | to_entries[] | select(.key != "201") | .value] | add // 0)')")
    say "  ${rate[-1]} events/s, p50 ${p50[-1]} ms, p99 ${p99[-1]} ms, non-201 or errors ${bad[-1]}"
done
attributed=$(psql_bench -At -c "select count(*) filter (where exists (select 1 from attribution a where a.event_id = e.id)) || ' of ' || count(*) from event e")
command="java -jar bench/target/bench.jar events --clients 100 --duration ${BENCH_DURATION}s --users $USERS"
bench_row $ID "Attribution, 100 clients" "events/s (201 Created)" "events/s" "$command" "" "" "${rate[@]}"
bench_row $ID "Attribution, 100 clients" "p50" "ms" "$command" "" "" "${p50[@]}"
bench_row $ID "Attribution, 100 clients" "p99" "ms" "$command" "" "" "${p99[@]}"
bench_row $ID "Attribution, 100 clients" "answers other than 201, and errors" "" "$command" "" "" "${bad[@]}"
bench_note $ID "$USERS users, each stitched (identity rows) to 1–100 non-bot clicks over the last 50 days of a last-click program with a 10 % rule; events attributed: $attributed."
bench_write $ID "6. Attribution through POST /v1/events" 60
