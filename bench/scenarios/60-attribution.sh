#!/usr/bin/env bash
# Scenario 6 (issues 5 and 17): the SDK path at checkout speed. A merchant's servers call
# POST /v1/events (attribution and commissions) and POST /v1/identify with a secret key, 100 at a
# time, over 10 million clicks in three monthly partitions; users have 1 to 5 touches. Then a
# merchant migrating replays 1,000,000 historical purchases through the api, and a dry-run
# re-derivation of them must find nothing to change.
#
# Floors (issue 17, worst run): events and identify >= 2,500/s with p99 <= 100 ms; the replay within
# 10 minutes; the re-derivation finds 0 differences. The load is wrk with one thread (as for the
# router: a second thread, or a JVM client, takes CPU from the server it measures on two cores); the
# replay is bench.jar's client, which keeps each user's events in order and shows its progress.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=60-attribution
readonly CLICKS=${BENCH_ATTRIBUTION_CLICKS:-10000000}
readonly USERS=100000
readonly REPLAY_EVENTS=${BENCH_REPLAY_EVENTS:-1000000}
# Crefs for identify: the warm-up and each measured run take a segment of their own, so every
# request stitches a new user to a new cref; a segment must outlast 15 s (warm-up) or 10 s at the
# fastest rate seen (9.5k/s on 7 Dec overran the old 100,000 a segment and the file's end).
readonly CREFS=800000
readonly CLIENTS=100
# The replay goes through POST /v1/events/batch, BENCH_REPLAY_BATCH events a request, from a few
# clients (decision 0029); BENCH_REPLAY_BATCH=0 posts them one by one to POST /v1/events from 100.
readonly REPLAY_BATCH=${BENCH_REPLAY_BATCH:-500}
if ((REPLAY_BATCH > 0)); then readonly REPLAY_CLIENTS=${BENCH_REPLAY_CLIENTS:-4}; else readonly REPLAY_CLIENTS=${BENCH_REPLAY_CLIENTS:-100}; fi
data=$BENCH_DIR/attribution

say "seeding $CLICKS clicks over three monthly partitions, $USERS users with 1–5 touches, $REPLAY_EVENTS purchases to replay (COPY)"
bench_java seed-attribution --database-url "$DATABASE_URL" --out-dir "$data" --clicks "$CLICKS" --users $USERS \
    --max-touches 5 --replay-users $((REPLAY_EVENTS / 5)) --replay-events "$REPLAY_EVENTS" --identify-crefs $CREFS \
    >"$BENCH_DIR/seed-attribution.json"
seed=$BENCH_DIR/seed-attribution.json
program=$(json "$seed" .programId)
replay_program=$(json "$seed" .replayProgramId)
say "  $(json "$seed" .clicks) clicks ($(json "$seed" '.partitions | to_entries | map("\(.key) \(.value)") | join(", ")')) in $(json "$seed" .seconds) s"

# The seed wrote gigabytes of WAL since bench_setup's checkpoint: a checkpoint now recycles those
# segments (pg_wal_warm says why that matters) and starts the next one's distance from here, so no
# checkpoint and no new WAL segment falls inside the measured runs.
psql_bench -c checkpoint >/dev/null

# The api's stats job would roll these clicks up at its next run, in the middle of a measurement:
# a fresh api makes that run at start, and is measured once it is done.
say "restarting the api; its first stats rollup run takes in the seeded clicks"
api_start STATS_ROLLUP_SECONDS=86400
rollup_wait_started=$SECONDS
for _ in $(seq 1 1200); do
    curl -s "$API_URL/metrics" | grep -Eq '^clickledger_click_rollup_seconds_count(\{[^}]*\})? [1-9]' && break
    sleep 1
done
# A finished run is not enough: a run that found the rollup's advisory lock taken (by a backend of
# the api before the restart, still working) returns at once. Measure only once PostgreSQL has had
# no other statement running for 5 s in a row, so no rollup, vacuum or index build shares the box.
idle=0
for _ in $(seq 1 1200); do
    busy=$(psql_bench -At -c "select count(*) from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and backend_type in ('client backend', 'autovacuum worker', 'parallel worker')")
    if ((busy == 0)); then idle=$((idle + 1)); else idle=0; fi
    ((idle >= 5)) && break
    sleep 1
done
rollup_seconds=$(curl -s "$API_URL/metrics" | awk '/^clickledger_click_rollup_seconds_sum/ && !found { print $2; found = 1 }')
say "  the first rollup run took ${rollup_seconds:-?} s; PostgreSQL idle after $((SECONDS - rollup_wait_started)) s"

secret_key() {
    curl -s -X POST "$API_URL/v1/api-keys" -H "Authorization: Bearer $ADMIN_API_KEY" -H 'Content-Type: application/json' \
        -d "{\"kind\":\"secret\",\"programId\":\"$1\",\"name\":\"bench\"}" | jq -r .key
}
key=$(secret_key "$program")
replay_key=$(secret_key "$replay_program")

# wrk scripts: a new eventId per request for a random seeded user; a new user per request stitched
# to the next cref nobody is stitched to yet (from FROM on, so every run has fresh ones).
events_lua() {
    cat >"$BENCH_DIR/events.lua" <<LUA
local prefix = "bench-" .. os.time() .. "-" .. math.random(1000000) .. "-"
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
request = function()
    n = n + 1
    return wrk.format(nil, "/v1/events", nil, '{"eventId":"' .. prefix .. n .. '","userId":"user-' ..
        math.random($USERS) .. '","type":"purchase","value":"' .. math.random(10, 199) .. '.00","currency":"USD"}')
end
LUA
    echo "$BENCH_DIR/events.lua"
}

# measure NAME WARMUP SCRIPT...: BENCH_RUNS runs after WARMUP seconds of the first script; fills the
# rate/p50/p99/bad arrays. The api was restarted just before (above), and for its first minute under
# load the JIT's C2 compiler threads take close to half of its CPU (perf: 44.6 % of the api's samples
# in a C2 thread 60 s after start): a start-up cost, not the event path's, so the events' warm-up
# lasts until it is over. Identify shares most of that code; its warm-up stays short enough not to
# reach the crefs of its first run (a segment further on, see CREFS).
measure() {
    local name=$1 warmup=$2 script
    shift 2
    say "  warming the api up for $warmup s ($name)"
    BENCH_DURATION=$warmup wrk_run $CLIENTS "$API_URL/" -s "$1" >/dev/null
    shift
    rate=() p50=() p99=() bad=()
    for run in $(seq 1 "$BENCH_RUNS"); do
        script=$1
        shift
        read -r r5 r50 r99 rbad < <(wrk_run $CLIENTS "$API_URL/" -s "$script")
        rate+=("$r5") p50+=("$r50") p99+=("$r99") bad+=("$rbad")
        say "  $name run $run/$BENCH_RUNS: $r5/s, p50 $r50 ms, p99 $r99 ms, non-2xx or socket errors $rbad"
    done
}
# at_least FLOOR VALUE… / at_most FLOOR VALUE…: true when every run meets the floor.
at_least() { local floor=$1; shift; printf '%s\n' "$@" | awk -v f="$floor" '$1 < f { bad = 1 } END { print bad ? "false" : "true" }'; }
at_most() { local floor=$1; shift; printf '%s\n' "$@" | awk -v f="$floor" '$1 > f { bad = 1 } END { print bad ? "false" : "true" }'; }

rows() {
    local scenario=$1 unit=$2 command=$3
    bench_row $ID "$scenario" "$unit (201 Created)" "/s" "$command" "≥ 2,500/s" "$(at_least 2500 "${rate[@]}")" "${rate[@]}"
    bench_row $ID "$scenario" "p99" "ms" "$command" "≤ 100 ms" "$(at_most 100 "${p99[@]}")" "${p99[@]}"
    bench_row $ID "$scenario" "p50" "ms" "$command" "" "" "${p50[@]}"
    bench_row $ID "$scenario" "answers other than 2xx, and socket errors" "" "$command" "0" "$(at_most 0 "${bad[@]}")" "${bad[@]}"
}

say "POST /v1/events, $CLIENTS clients"
events_script=$(events_lua)
scripts=()
for _ in $(seq 1 "$BENCH_RUNS"); do scripts+=("$events_script"); done
measure events "${BENCH_ATTRIBUTION_WARMUP:-60}" "$events_script" "${scripts[@]}"
rows "Events, $CLIENTS clients" "events/s" "wrk -t1 -c$CLIENTS -d${BENCH_DURATION}s --latency -s events.lua URL/v1/events"
attributed=$(psql_bench -At -c "select count(*) filter (where attribution_status = 'attributed') || ' of ' || count(*) from event where program_id = '$program'")

say "POST /v1/identify, $CLIENTS clients"
scripts=()
segment=$(($(wc -l <"$data/identify-crefs.txt") / (BENCH_RUNS + 1)))
for run in $(seq 1 "$BENCH_RUNS"); do scripts+=("$(identify_lua $((run * segment)) "$data/identify-crefs.txt" "$key")"); done
measure identify 15 "$(identify_lua 0 "$data/identify-crefs.txt" "$key")" "${scripts[@]}"
rows "Identify, $CLIENTS clients" "new stitches/s" "wrk -t1 -c$CLIENTS -d${BENCH_DURATION}s --latency -s identify.lua URL/v1/identify"

if ((REPLAY_BATCH > 0)); then replay_via="POST /v1/events/batch, $REPLAY_BATCH a request"; else replay_via="POST /v1/events, one a request"; fi
say "replaying $REPLAY_EVENTS historical purchases through $replay_via, $REPLAY_CLIENTS clients, each user's in order"
bench_java replay --api-url "$API_URL" --key "$replay_key" --file "$data/replay-events.tsv" --clients $REPLAY_CLIENTS \
    --batch "$REPLAY_BATCH" >"$BENCH_DIR/replay.json"
replay=$BENCH_DIR/replay.json
minutes=$(jq '.seconds / 60' "$replay")
say "  $(json "$replay" .events) events in $(json "$replay" .seconds) s ($(json "$replay" .perSecond)/s), statuses $(json "$replay" .statuses | tr -d ' \n')"
replay_command="java -jar bench/target/bench.jar replay --batch $REPLAY_BATCH --clients $REPLAY_CLIENTS --file replay-events.tsv ($REPLAY_EVENTS events)"
scenario="Replay of $REPLAY_EVENTS historical purchases, $replay_via, $REPLAY_CLIENTS clients"
bench_row $ID "$scenario" "minutes to replay them all" "min" "$replay_command" "≤ 10 min" "$(at_most 10 "$minutes")" "$minutes"
bench_row $ID "$scenario" "events/s (201 Created)" "/s" "$replay_command" "" "" "$(json "$replay" .perSecond)"
bench_row $ID "$scenario" "p99 of a request" "ms" "$replay_command" "" "" "$(json "$replay" .p99Ms)"
replay_bad=$(json "$replay" '.errors + ([.statuses | to_entries[] | select(.key != "201") | .value] | add // 0)')
bench_row $ID "$scenario" "answers other than 201, and errors" "" "$replay_command" "0" "$(at_most 0 "$replay_bad")" "$replay_bad"

say "dry-run re-derivation of the replayed program: it must find nothing to change"
bench_java rederive-check --api-url "$API_URL" --admin-key "$ADMIN_API_KEY" --program-id "$replay_program" \
    >"$BENCH_DIR/rederive.json"
check=$BENCH_DIR/rederive.json
say "  $(json "$check" .events) events re-derived in $(json "$check" .seconds) s: $(json "$check" .differences) differences"
check_command="java -jar bench/target/bench.jar rederive-check (POST /v1/attribution/rederive, dryRun)"
bench_row $ID "$scenario" "commissions re-derivation would change" "" "$check_command" "0" "$(at_most 0 "$(json "$check" .differences)")" "$(json "$check" .differences)"
bench_row $ID "$scenario" "seconds of the dry-run re-derivation" "s" "$check_command" "" "" "$(json "$check" .seconds)"
commissions=$(psql_bench -At -c "select count(*) || ' commissions (' || count(*) filter (where rule->>'trigger' = 'first') || ' first-conversion bounties) on ' || (select count(*) from event where program_id = '$replay_program' and attribution_status = 'attributed') || ' attributed events' from commission where program_id = '$replay_program'")

bench_note $ID "Data: $(json "$seed" .clicks) clicks in three monthly partitions ($(json "$seed" '.partitions | to_entries | map("\(.key) \(.value)") | join(", ")')), seeded by COPY in $(json "$seed" .clickSeconds) s. Two programs, each linear attribution with a 10 % rule and a 5.00 first-conversion bounty per partner (so every event reads the partner's history), 50 partners each. Events: $USERS users with 1–5 touches each ($(json "$seed" .touches) in all) over the last 58 days; events attributed: $attributed. Identify: a new user per request on a billable click nobody was stitched to."
bench_note $ID "Replay: $(json "$seed" .replayUsers) users with 1–5 clicks each over the three months (one in twenty a bot or flagged), $REPLAY_EVENTS purchases from $(json "$seed" .replayFrom) to $(json "$seed" .replayTo), posted with their historical ts ($replay_via), each user's by one client in time order; $commissions. Progress is printed every 5 s. The re-derivation dry run recomputes every replayed event from the raw facts and compares with what the replay stored."
bench_note $ID "The api runs with its defaults (DB_POOL_SIZE 10 unless set); PostgreSQL fsync and synchronous_commit on, so every answer waits for its WAL flush. Query plans before and after: docs/decisions/0016."
bench_write $ID "6. The SDK path: events, identify, replay" 60

# The next scenarios get the api as bench_setup started it.
api_start >/dev/null
