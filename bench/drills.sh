#!/usr/bin/env bash
# `make drills`: the survival drills of issue 5, on a real router and PostgreSQL under load.
#
# The project's load client (bench.jar load) keeps 64 connections busy and records the cref of
# every 302 it gets; after each drill every one of them is checked in PostgreSQL: present exactly
# once. The drills:
#   outage   PostgreSQL stopped (immediate shutdown) for 30 s under load
#   crash    the router killed with SIGKILL under load, once with PostgreSQL up and once while it is
#            down (so clicks sit in the spool when the router dies), and restarted
#   full     the spool on an 8 MB tmpfs that fills while PostgreSQL is down (needs root for mount)
#   slow     an ACCESS EXCLUSIVE lock held on this month's click partition for 10 s
#   frozen   PostgreSQL frozen with SIGSTOP (postmaster and every backend) for 20 s under load: a
#            hung server with open sockets, not a stopped one; then frozen before the router
#            starts, which must come up from its link snapshot
# Results go to bench/results/drill-*.json and the drills' section of docs/PERFORMANCE.md.
#
# None of these drills tests fsync: kill -9 and an immediate stop leave the kernel's page cache in
# place, so a spool or a PostgreSQL that skipped fdatasync would pass them. That the spool forces
# each batch before its 302s leave is proved by SpoolForcesBeforeTheRedirectTest instead.
#
#   DRILLS="outage crash"   run only these
#   BENCH_KEEP=1            keep the scratch directory afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export ROOT
# shellcheck source=bench/lib.sh
source bench/lib.sh

started=$SECONDS
DRILLS=${DRILLS:-outage crash full slow frozen}
bench_setup

# load NAME SECONDS [CONNECTIONS]: starts the load client in the background; its pid in load_pid.
load() {
    bench_java load --port "$ROUTER_PORT" --paths /r/bench- --path-count 100 --connections "${3:-64}" \
        --threads 1 --duration "${2}s" --timeout 10s --crefs "$BENCH_DIR/$1.crefs" >"$BENCH_DIR/$1.load.json" &
    load_pid=$!
}

# verify NAME: every cref of the drill in PostgreSQL exactly once (waits up to 60 s for replay).
verify() {
    bench_java verify --crefs "$BENCH_DIR/$1.crefs" --database-url "$DATABASE_URL" --wait 60s >"$BENCH_DIR/$1.verify.json"
    say "  crefs received $(json "$BENCH_DIR/$1.verify.json" .received), missing $(json "$BENCH_DIR/$1.verify.json" .missing), duplicated $(json "$BENCH_DIR/$1.verify.json" '.duplicated + .receivedTwice')"
}

# Seconds until the router's spool is empty again (at most 90).
await_spool_empty() {
    local from=$SECONDS
    while (($(router_metric clickledger_spool_records) > 0)); do
        ((SECONDS - from < 90)) || break
        sleep 0.25
    done
    echo $((SECONDS - from))
}

exactly_once_rows() {
    local id=$1 name=$2 command=$3 missing duplicated
    missing=$(json "$BENCH_DIR/$name.verify.json" .missing)
    duplicated=$(json "$BENCH_DIR/$name.verify.json" '.duplicated + .receivedTwice')
    bench_row "$id" "$4" "crefs received by the client" "" "$command" "" "" "$(json "$BENCH_DIR/$name.verify.json" .received)"
    bench_row "$id" "$4" "of them not in PostgreSQL afterwards" "" "$command" "0" "$([[ $missing == 0 ]] && echo true || echo false)" "$missing"
    bench_row "$id" "$4" "of them stored more than once" "" "$command" "0" "$([[ $duplicated == 0 ]] && echo true || echo false)" "$duplicated"
}

drill_outage() {
    local id=drill-outage stopped replay redirects requests share
    say "--- outage: PostgreSQL stopped for 30 s under load"
    load outage 75
    sleep 10
    say "stopping PostgreSQL (immediate)"
    pg_stop immediate
    stopped=$SECONDS
    sleep 20
    say "  30 s down: ready=$(curl -s -o /dev/null -w '%{http_code}' "$ROUTER_URL/readyz"), spool holds $(router_metric clickledger_spool_records) clicks"
    sleep $((30 - (SECONDS - stopped)))
    say "starting PostgreSQL again"
    pg_start
    replay=$(await_spool_empty)
    say "  spool empty ${replay} s after PostgreSQL came back"
    wait "$load_pid"
    verify outage
    requests=$(json "$BENCH_DIR/outage.load.json" .requests)
    redirects=$(json "$BENCH_DIR/outage.load.json" .crefs)
    share=$(awk -v r="$redirects" -v n="$requests" 'BEGIN { printf "%.3f", (n > 0 ? 100 * r / n : 0) }')
    local command="bench.jar load --connections 64 --duration 75s; pg_ctl stop -m immediate at 10 s, start at 40 s; bench.jar verify"
    local scenario="PostgreSQL down 30 s"
    bench_row $id "$scenario" "answers that were a 302 with a cref" "%" "$command" "≥ 99.9 %" "$(awk -v s="$share" 'BEGIN { print (s >= 99.9) ? "true" : "false" }')" "$share"
    bench_row $id "$scenario" "requests answered" "" "$command" "" "" "$requests"
    bench_row $id "$scenario" "clicks that went to the spool" "" "$command" "" "" "$(router_metric clickledger_click_fallbacks_total)"
    bench_row $id "$scenario" "seconds from PostgreSQL's return to an empty spool" "s" "$command" "≤ 60 s" "$(((replay <= 60)) && echo true || echo false)" "$replay"
    bench_row $id "$scenario" "p99 over the whole run" "ms" "$command" "" "" "$(json "$BENCH_DIR/outage.load.json" .p99Ms)"
    bench_row $id "$scenario" "slowest answer" "ms" "$command" "" "" "$(json "$BENCH_DIR/outage.load.json" .maxMs)"
    exactly_once_rows $id outage "$command" "$scenario"
    bench_note $id "While PostgreSQL is down the router answers from the spool (CLICK_SPOOL_DIR, fsync'd per batch) and stays ready; the first batch waits out CLICK_DB_BUDGET_MS, later ones go straight to the spool."
    bench_note $id "An immediate stop is not a power cut: the page cache survives it, so this drill does not test fsync (see the crash drill's note)."
    bench_write $id "Drill: database outage" 900
}

drill_crash() {
    local id=drill-crash first second replayed
    say "--- crash: kill -9 of the router under load"
    load crash 60
    sleep 8
    say "kill -9 with PostgreSQL up"
    service_stop router KILL
    first=$(router_start)
    say "  router back and ready in $first s"
    sleep 8
    say "PostgreSQL down, clicks spooling; then kill -9"
    pg_stop immediate
    sleep 6
    local spooled
    spooled=$(router_metric clickledger_spool_records)
    service_stop router KILL
    say "  killed with $spooled clicks in the spool; PostgreSQL back, router restarted"
    pg_start
    second=$(router_start)
    replayed=$(router_metric clickledger_clicks_replayed_total)
    say "  ready in $second s, replayed $replayed clicks so far"
    wait "$load_pid"
    verify crash
    local command="bench.jar load --connections 64 --duration 60s; kill -9 the router at 8 s (database up) and at 30 s (database down since 24 s); restart; bench.jar verify"
    local scenario="Router killed with SIGKILL, twice"
    bench_row $id "$scenario" "restart to ready, database up" "s" "$command" "" "" "$first"
    bench_row $id "$scenario" "clicks in the spool when killed (database down)" "" "$command" "" "" "$spooled"
    bench_row $id "$scenario" "restart to ready, replaying the spool" "s" "$command" "" "" "$second"
    bench_row $id "$scenario" "connection errors seen by the client (router gone)" "" "$command" "" "" "$(json "$BENCH_DIR/crash.load.json" '.connectErrors + .readErrors')"
    exactly_once_rows $id crash "$command" "$scenario"
    bench_note $id "A 302 leaves only after its batch is committed or fsync'd to the spool, so a kill at any moment loses only clicks whose visitors got no 302; a torn record at the end of a segment is skipped by length and CRC32C (SpoolTest, DrillCrashTest)."
    bench_note $id "This drill does not test fsync: the kernel's page cache survives a kill -9 (and PostgreSQL's immediate stop), so it would pass with fsync off. SpoolForcesBeforeTheRedirectTest proves the spool forces (fdatasync) each batch before its 302s leave."
    bench_write $id "Drill: router crash (kill -9)" 910
}

drill_full() {
    local id=drill-full spool=$BENCH_DIR/spool-full unready=-1 from status statuses
    say "--- full disk: an 8 MB spool fills while PostgreSQL is down"
    mkdir -p "$spool"
    if ! mount -t tmpfs -o size=8m tmpfs "$spool" 2>/dev/null; then
        say "  cannot mount a tmpfs here (needs root); skipping the full-disk drill"
        bench_note $id "Skipped: mounting an 8 MB tmpfs needs root. SpoolTest and DrillTest cover an unwritable spool."
        bench_write $id "Drill: spool disk full while the database is down" 920
        return 0
    fi
    router_start CLICK_SPOOL_DIR="$spool" >/dev/null
    load full 50 32
    sleep 5
    say "stopping PostgreSQL; the spool fills"
    pg_stop immediate
    from=$SECONDS
    while ((SECONDS - from < 30)); do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ROUTER_URL/readyz" || true)
        if [[ $status == 503 && $unready -lt 0 ]]; then
            unready=$((SECONDS - from))
            say "  /readyz 503 after $unready s (spool $(df -h "$spool" | awk 'NR == 2 { print $5 }') full)"
        fi
        sleep 0.5
    done
    say "starting PostgreSQL again"
    pg_start
    wait_http "$ROUTER_URL/readyz" 60 || true
    await_spool_empty >/dev/null
    wait "$load_pid"
    verify full
    statuses=$(json "$BENCH_DIR/full.load.json" '.statuses | to_entries | map("\(.key): \(.value)") | join(", ")')
    local command="spool on an 8 MB tmpfs; bench.jar load --connections 32 --duration 50s; pg_ctl stop -m immediate at 5 s, start at 35 s; bench.jar verify"
    local scenario="Spool full, database down"
    bench_row $id "$scenario" "seconds until /readyz answered 503" "s" "$command" "unready while no store can take a click" "$(((unready >= 0)) && echo true || echo false)" "$unready"
    bench_row $id "$scenario" "answers 503 (no cref)" "" "$command" "" "" "$(json "$BENCH_DIR/full.load.json" '.statuses["503"] // 0')"
    exactly_once_rows $id full "$command" "$scenario"
    bench_note $id "Answers during the drill: $statuses. Every 302 carried a click that was committed or spooled (none missing afterwards); the rest got 503 with Retry-After and no cref."
    bench_write $id "Drill: spool disk full while the database is down" 920
    router_start >/dev/null
    umount "$spool" || true
}

drill_slow() {
    local id=drill-slow partition fallbacks before
    say "--- slow database: a lock held on this month's click partition for 10 s"
    partition=click_$(date -u +y%Ym%m)
    before=$(router_metric clickledger_click_fallbacks_total)
    load slow 30
    sleep 8
    say "locking $partition in ACCESS EXCLUSIVE mode for 10 s"
    psql_bench -c "begin; lock table $partition in access exclusive mode; select pg_sleep(10); commit;" >/dev/null
    say "  lock released"
    wait "$load_pid"
    fallbacks=$(($(router_metric clickledger_click_fallbacks_total) - before))
    verify slow
    local command="bench.jar load --connections 64 --duration 30s; at 8 s: lock table $partition in access exclusive mode for 10 s; bench.jar verify"
    local scenario="Partition locked 10 s"
    bench_row $id "$scenario" "slowest answer (budget 250 ms)" "ms" "$command" "falls back within the budget" "$(awk -v m="$(json "$BENCH_DIR/slow.load.json" .maxMs)" 'BEGIN { print (m < 1000) ? "true" : "false" }')" "$(json "$BENCH_DIR/slow.load.json" .maxMs)"
    bench_row $id "$scenario" "p99 over the whole run" "ms" "$command" "" "" "$(json "$BENCH_DIR/slow.load.json" .p99Ms)"
    bench_row $id "$scenario" "clicks answered from the spool during the drill" "" "$command" "" "" "$fallbacks"
    exactly_once_rows $id slow "$command" "$scenario"
    bench_note $id "A batch still in PostgreSQL after CLICK_DB_BUDGET_MS (250 ms) is taken over by the writer's watchdog: spooled, answered, and later batches go straight to the spool until the replay commits again. Without the fallback every visitor would have waited the full 10 s."
    bench_write $id "Drill: slow database" 930
}

# readyz_watch SECONDS FILE: polls /readyz every half second; writes how many answers were not 200.
readyz_watch() {
    local until=$((SECONDS + $1)) bad=0 status
    while ((SECONDS < until)); do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ROUTER_URL/readyz" || true)
        [[ $status == 200 ]] || bad=$((bad + 1))
        sleep 0.5
    done
    echo "$bad" >"$2"
}

drill_frozen() {
    local id=drill-frozen requests crefs other share slowest ready_start command scenario
    say "--- frozen: PostgreSQL SIGSTOPped for 20 s under load"
    load frozen 50
    sleep 10
    pg_freeze
    readyz_watch 20 "$BENCH_DIR/frozen.readyz"
    say "  20 s frozen: /readyz non-200 answers $(<"$BENCH_DIR/frozen.readyz"), spool holds $(router_metric clickledger_spool_records) clicks"
    pg_thaw
    say "  thawed"
    wait "$load_pid"
    await_spool_empty >/dev/null
    verify frozen
    requests=$(json "$BENCH_DIR/frozen.load.json" .requests)
    crefs=$(json "$BENCH_DIR/frozen.load.json" .crefs)
    other=$(json "$BENCH_DIR/frozen.load.json" .notARedirectWithCref)
    share=$(awk -v r="$crefs" -v n="$requests" 'BEGIN { printf "%.3f", (n > 0 ? 100 * r / n : 0) }')
    slowest=$(json "$BENCH_DIR/frozen.load.json" .maxMs)
    command="bench.jar load --connections 64 --duration 50s; kill -STOP postmaster and backends at 10 s, -CONT at 30 s; bench.jar verify"
    scenario="PostgreSQL frozen 20 s (SIGSTOP)"
    bench_row $id "$scenario" "answers that were a 302 with a cref" "%" "$command" "" "" "$share"
    bench_row $id "$scenario" "answers other than a 302 with a cref" "" "$command" "0" "" "$other"
    bench_row $id "$scenario" "slowest answer" "ms" "$command" "< 1000 ms" "" "$slowest"
    bench_row $id "$scenario" "p99 over the whole run" "ms" "$command" "" "" "$(json "$BENCH_DIR/frozen.load.json" .p99Ms)"
    bench_row $id "$scenario" "/readyz answers other than 200 while frozen (every 0.5 s)" "" "$command" "0" "" "$(<"$BENCH_DIR/frozen.readyz")"
    bench_row $id "$scenario" "writer connections aborted over the budget" "" "$command" "" "" "$(router_metric clickledger_click_writer_aborts_total)"
    exactly_once_rows $id frozen "$command" "$scenario"

    say "--- frozen before the router starts: it must come up from its link snapshot"
    router_stop
    pg_freeze
    ready_start=$(router_start)
    say "  router ready in $ready_start s with PostgreSQL frozen: $(curl -s --max-time 2 "$ROUTER_URL/readyz")"
    load frozen-start 30
    sleep 15
    pg_thaw
    say "  thawed"
    wait "$load_pid"
    await_spool_empty >/dev/null
    verify frozen-start
    requests=$(json "$BENCH_DIR/frozen-start.load.json" .requests)
    crefs=$(json "$BENCH_DIR/frozen-start.load.json" .crefs)
    share=$(awk -v r="$crefs" -v n="$requests" 'BEGIN { printf "%.3f", (n > 0 ? 100 * r / n : 0) }')
    command="router stopped; kill -STOP PostgreSQL; router started (ready from CLICK_SPOOL_DIR/links.snapshot); bench.jar load --connections 64 --duration 30s; kill -CONT at 15 s; bench.jar verify"
    scenario="Router started while PostgreSQL is frozen"
    bench_row $id "$scenario" "process start to /readyz 200" "s" "$command" "" "" "$ready_start"
    bench_row $id "$scenario" "answers that were a 302 with a cref" "%" "$command" "" "" "$share"
    bench_row $id "$scenario" "answers other than a 302 with a cref" "" "$command" "0" "" "$(json "$BENCH_DIR/frozen-start.load.json" .notARedirectWithCref)"
    bench_row $id "$scenario" "slowest answer" "ms" "$command" "< 1000 ms" "" "$(json "$BENCH_DIR/frozen-start.load.json" .maxMs)"
    exactly_once_rows $id frozen-start "$command" "$scenario"
    bench_note $id "SIGSTOP on the postmaster and every backend freezes PostgreSQL with its sockets open: connects complete from the listen backlog and then hang, queries hang. The writer's watchdog spools a batch that overruns CLICK_DB_BUDGET_MS (250 ms) and aborts its connection; every later batch goes straight to the spool until a writer commits again (docs/decisions/0011)."
    bench_note $id "Started while frozen, the router waits for PostgreSQL at most a few seconds (its login timeout), then redirects from the link snapshot in its data directory and spools every click until PostgreSQL answers."
    bench_write $id "Drill: PostgreSQL frozen (SIGSTOP)" 940
}

for drill in $DRILLS; do
    "drill_$drill"
done

header=$BENCH_RESULTS/environment.md
[[ -f $header ]] || echo "Drills run by \`make drills\` on $(date -u '+%Y-%m-%d %H:%M UTC')." >"$header"
bench_java report --results "$BENCH_RESULTS" --out docs/PERFORMANCE.md --header "$header" >/dev/null
say "drills done in $((SECONDS - started)) s; wrote bench/results/drill-*.json and docs/PERFORMANCE.md"
