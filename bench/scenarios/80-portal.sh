#!/usr/bin/env bash
# Scenario 8: the portal at 10 million clicks (issue 14). On scenario 5's database (10,000,000
# clicks over 12 months; filled here by bench/stats.sh when this runs alone) it starts an api and a
# portal of its own, signs an admin in through the api, and measures:
#   - the dashboard page (GET /?programId=…, last 30 days, as a signed-in admin) over HTTP on
#     loopback, sequential requests: floor p95 ≤ 150 ms;
#   - what 100 open live click counters (the dashboard's event stream) add to PostgreSQL: the
#     database's transactions per second (xact_commit + xact_rollback in pg_stat_database, which
#     every autocommit query of the api adds to) with the 100 streams open, minus the mean of the
#     same count over equal windows just before and just after without them: floor ≤ 1 query/s.
#     A backend reports its counts when idle for a while, so each window starts after a pause of
#     SETTLE seconds, long enough for the counts of what came before to have landed.
# Settings: BENCH_PORTAL_SAMPLES (100 dashboard requests per run, after 10 to warm up),
# BENCH_PORTAL_STREAMS (100), BENCH_PORTAL_WINDOW (30 s per count).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=80-portal
readonly DB=clickledger_stats
readonly SAMPLES=${BENCH_PORTAL_SAMPLES:-100}
readonly WARMUP=10
readonly STREAMS=${BENCH_PORTAL_STREAMS:-100}
readonly WINDOW=${BENCH_PORTAL_WINDOW:-30}
# PostgreSQL 15 backends flush their statistics within 10 s of going idle (PGSTAT_IDLE_INTERVAL).
readonly SETTLE=12
readonly DB_URL="postgres://postgres@127.0.0.1:$PGPORT/$DB"

if [[ -z $(psql_bench -d postgres -tA -c "select 1 from pg_database where datname = '$DB'") ]]; then
    say "no 10-million-click database from scenario 5 in this run: filling one (bench/stats.sh, BENCH_WRITE=false)"
    psql_bench -d postgres -c "create database $DB" >/dev/null
    BENCH_DATABASE_URL=$DB_URL BENCH_WRITE=false BENCH_RUNS=1 BENCH_SAMPLES=1 BENCH_WARMUP=0 \
        prio bash "$ROOT/bench/stats.sh" 2>&1 | grep -v '^WARNING' | sed 's/^/  /' >&2
fi
clicks=$(psql_bench -d "$DB" -tA -c "select count(*) from click")
say "portal over $clicks clicks"

portal_api_port=$(free_port)
portal_port=$(free_port)
readonly PORTAL_API=http://127.0.0.1:$portal_api_port
readonly PORTAL=http://127.0.0.1:$portal_port
started=$SECONDS
service_start portal-api "$BENCH_DIR/portal-api.log" env \
    DATABASE_URL="$DB_URL" API_PORT="$portal_api_port" ADMIN_API_KEY="$ADMIN_API_KEY" \
    SECRETS_ENCRYPTION_KEY="$SECRETS_ENCRYPTION_KEY" PUBLIC_ROUTER_URL="$ROUTER_URL" PORTAL_URL="$PORTAL" \
    STATS_ROLLUP_SECONDS="$BENCH_STATS_ROLLUP_SECONDS" TRUSTED_PROXIES=127.0.0.1/32 \
    LOG_FORMAT=text LOG_LEVEL=WARN "$JAVA" ${API_JAVA_OPTS:-} -jar "$ROOT/api/target/api.jar"
await_ready portal-api "$PORTAL_API" "$BENCH_DIR/portal-api.log" "$started"
started=$SECONDS
service_start portal "$BENCH_DIR/portal.log" env \
    PORTAL_PORT="$portal_port" PORTAL_URL="$PORTAL" API_URL="$PORTAL_API" PUBLIC_API_URL="$PORTAL_API" \
    PUBLIC_ROUTER_URL="$ROUTER_URL" LOG_FORMAT=text LOG_LEVEL=WARN \
    "$JAVA" ${PORTAL_JAVA_OPTS:-} -jar "$ROOT/portal/target/portal.jar"
await_ready portal "$PORTAL" "$BENCH_DIR/portal.log" "$started"

# An admin signed in, through the api as the portal does it: the install wizard's call on a fresh
# database, an invitation made with the admin key otherwise.
password="bench portal password $RANDOM$RANDOM"
if [[ $(curl -s "$PORTAL_API/v1/install") == *'"needed":true'* ]]; then
    token=$(curl -s -X POST "$PORTAL_API/v1/install" -H 'Content-Type: application/json' -d "$(jq -n -c \
        --arg password "$password" '{admin: {name: "Bench", email: "bench-admin@example.com", password: $password},
        program: {slug: "portal-bench", name: "Portal bench", currency: "USD", destinationUrl: "https://shop.example.com/"}}')" |
        jq -r '.session.token')
else
    invitation=$(curl -s -X POST "$PORTAL_API/v1/admin-invitations" -H "Authorization: Bearer $ADMIN_API_KEY" \
        -H 'Content-Type: application/json' -d "{\"email\":\"bench-$(date +%s%N)@example.com\"}" | jq -r '.token')
    token=$(curl -s -X POST "$PORTAL_API/v1/admin-invitations/accept" -H 'Content-Type: application/json' \
        -d "$(jq -n -c --arg token "$invitation" --arg password "$password" '{token: $token, name: "Bench", password: $password}')" |
        jq -r '.token')
fi
[[ $token == ck_sess_* ]] || die "could not sign an admin in (see $BENCH_DIR/portal-api.log)"
program=$(curl -s "$PORTAL_API/v1/programs?limit=100" -H "Authorization: Bearer $ADMIN_API_KEY" |
    jq -r '.items[] | select(.slug == "bench") | .id')
[[ -n $program ]] || die "the bench program is missing from $DB"
readonly COOKIE="cl_session=$token"
readonly DASHBOARD="$PORTAL/?programId=$program"

# percentile P FILE: the P-th percentile (nearest rank) of the numbers in FILE, one per line.
percentile() {
    sort -n "$2" | awk -v p="$1" '{ v[NR] = $1 } END { i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; printf "%.1f\n", v[i] }'
}

# portal_metric NAME: the portal's Prometheus sample of that name (summed over labels).
portal_metric() {
    curl -s --max-time 2 "$PORTAL/metrics" |
        awk -v name="$1" '$1 !~ /^#/ && (index($1, name "{") == 1 || $1 == name) { sum += $2 } END { printf "%.0f\n", sum }'
}

# transactions: every transaction the database has seen (the api's autocommit queries included).
transactions() {
    psql_bench -d postgres -tA -c "select xact_commit + xact_rollback from pg_stat_database where datname = '$DB'"
}

p95s=() p50s=() added=() upstream=() events_min=()
for run in $(seq 1 "$BENCH_RUNS"); do
    say "run $run of $BENCH_RUNS: the dashboard, $SAMPLES requests after $WARMUP"
    times=$BENCH_DIR/portal-dashboard-$run.txt
    : >"$times"
    for i in $(seq 1 $((WARMUP + SAMPLES))); do
        read -r status seconds < <(curl -s -o "$BENCH_DIR/portal-dashboard.html" --max-time 10 \
            -w '%{http_code} %{time_total}\n' -b "$COOKIE" "$DASHBOARD")
        [[ $status == 200 ]] || die "the dashboard answered $status (see $BENCH_DIR/portal.log)"
        ((i > WARMUP)) && awk -v s="$seconds" 'BEGIN { printf "%.2f\n", s * 1000 }' >>"$times"
    done
    grep -q 'id="total-clicks"' "$BENCH_DIR/portal-dashboard.html" || die "the dashboard shows no totals"
    p95s+=("$(percentile 95 "$times")")
    p50s+=("$(percentile 50 "$times")")
    say "  dashboard p50 ${p50s[-1]} ms, p95 ${p95s[-1]} ms"

    say "run $run of $BENCH_RUNS: database transactions over ${WINDOW} s without live counters, with $STREAMS open, and without again"
    sleep "$SETTLE"
    before=$(transactions)
    sleep "$WINDOW"
    idle_before=$(($(transactions) - before))
    pids=()
    for i in $(seq 1 "$STREAMS"); do
        curl -s -N --max-time $((SETTLE + WINDOW + 20)) -H 'Accept: text/event-stream' -b "$COOKIE" \
            "$PORTAL/programs/$program/live" >"$BENCH_DIR/portal-live-$i.txt" 2>/dev/null &
        pids+=($!)
    done
    sleep "$SETTLE"
    open=$(portal_metric portal_live_streams)
    ((open == STREAMS)) || say "  only $open of $STREAMS streams are open"
    calls_before=$(portal_metric portal_live_upstream_calls_total)
    before=$(transactions)
    sleep "$WINDOW"
    live=$(($(transactions) - before))
    calls_after=$(portal_metric portal_live_upstream_calls_total)
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    sleep "$SETTLE"
    before=$(transactions)
    sleep "$WINDOW"
    idle_after=$(($(transactions) - before))
    fewest=$(for i in $(seq 1 "$STREAMS"); do grep -c '^event: *clicks' "$BENCH_DIR/portal-live-$i.txt" || true; done | sort -n | head -1)
    added+=("$(awk -v l="$live" -v a="$idle_before" -v b="$idle_after" -v w="$WINDOW" 'BEGIN { printf "%.2f\n", (l - (a + b) / 2) / w }')")
    upstream+=("$(awk -v a="$calls_after" -v b="$calls_before" -v w="$WINDOW" 'BEGIN { printf "%.2f\n", (a - b) / w }')")
    events_min+=("$fewest")
    say "  $idle_before and $idle_after transactions without streams, $live with $open open: ${added[-1]} added per second; the portal asked the api ${upstream[-1]} times a second; every stream got at least $fewest updates"
    ((fewest > 0)) || die "a live counter stream received no update"
done

command="BENCH_ONLY=portal bench/run.sh (bench/scenarios/80-portal.sh; BENCH_RUNS=$BENCH_RUNS)"
met=$(printf '%s\n' "${p95s[@]}" | sort -n | tail -1 | awk '{ print ($1 <= 150) ? "true" : "false" }')
bench_row $ID "Portal dashboard at $clicks clicks, last 30 days" "p95" "ms" "$command, $SAMPLES sequential requests per run" "≤ 150 ms" "$met" "${p95s[@]}"
bench_row $ID "Portal dashboard at $clicks clicks, last 30 days" "p50" "ms" "$command" "" "" "${p50s[@]}"
met=$(printf '%s\n' "${added[@]}" | sort -n | tail -1 | awk '{ print ($1 <= 1) ? "true" : "false" }')
bench_row $ID "$STREAMS open live counters" "queries added" "per s" "$command, ${WINDOW} s windows" "≤ 1 /s" "$met" "${added[@]}"
bench_row $ID "$STREAMS open live counters" "portal's calls to /v1/stats/live" "per s" "$command" "" "" "${upstream[@]}"
bench_note $ID "Dashboard: GET /?programId=<the 10-million-click program> as a signed-in admin (the default range, the last 30 days), timed by curl on loopback (time_total, so the server's time plus a loopback round trip): the page waits for /v1/stats by day, by partner and by link and the live value side by side, then the names of the top partners and links."
bench_note $ID "Live counters: $STREAMS event streams (curl -N) on one program's dashboard counter. Queries are the database's transactions (pg_stat_database xact_commit + xact_rollback; the api runs its queries in autocommit) over ${WINDOW} s with the streams open, minus the mean of ${WINDOW} s just before and just after without them (each window ${SETTLE} s after the last change, so late statistics land in the right one), so the api's own jobs cancel out. The portal polls the api once per program per PORTAL_LIVE_SECONDS (5) however many streams are open; the api reads the database at most once per LIVE_STATS_SECONDS (2). Every stream got at least ${events_min[*]} updates per run."
bench_write $ID "8. Portal at 10 million clicks" 80

service_stop portal
service_stop portal-api
psql_bench -d postgres -c "drop database if exists $DB" >/dev/null
