#!/usr/bin/env bash
# The database's work per event and per identify (issue 17, docs/decisions/0028): what each
# POST /v1/events and POST /v1/identify costs PostgreSQL, statement by statement. Per-request
# figures, so they mean something on a busy box too (unlike a rate).
#
# Starts a throwaway PostgreSQL 15 with pg_stat_statements (track = all, so the statements run by
# triggers count too), the api, seeds scenario 6's data at a small size, warms the api up, then
# for each of events and identify: resets the statistics, runs wrk for PROFILE_SECONDS, and prints
# per request the statements (calls, mean ms, rows, WAL records and bytes), the WAL (pg_stat_wal
# and the LSN delta), WAL syncs and PostgreSQL's CPU (utime + stime of every server process), and the
# api's CPU beside it (its JVM's utime + stime, by thread kind: request threads, the event group
# commit's writers, GC, JIT, the rest), and the transactions committed per request.
# PROFILE_JFR=1 also records the api with JDK Flight Recorder during each measured run
# (jdk.ExecutionSample every 10 ms, 64 frames) and prints where its samples are, by layer
# (bench/jfr-layers.sh). PROFILE_PERF=1 samples PostgreSQL's processes with perf (99 Hz per CPU,
# no call graphs) during each measured run and prints its 25 hottest functions.
#
#   PROFILE_CLICKS=300000 PROFILE_USERS=20000 PROFILE_SECONDS=20 PROFILE_WARMUP=30 PROFILE_CLIENTS=100
#   PROFILE_ONLY=events|identify PROFILE_SQL=file.sql (run after the migrations) PROFILE_OUT=dir (copies the reports)
#   API_JAR=file.jar (another build of the api, for a before/after with one schema and one script)
#   bash bench/profile-sdk.sh            (builds nothing: run ./mvnw -B -q package -DskipTests -pl api,bench -am first)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export ROOT
# shellcheck source=bench/lib.sh
source bench/lib.sh

readonly CLICKS=${PROFILE_CLICKS:-300000}
readonly USERS=${PROFILE_USERS:-20000}
readonly SECONDS_PER_RUN=${PROFILE_SECONDS:-20}
readonly WARMUP=${PROFILE_WARMUP:-30}
readonly CLIENTS=${PROFILE_CLIENTS:-100}

JAVA_HOME=$(scripts/find-jdk.sh)
export JAVA_HOME JAVA=$JAVA_HOME/bin/java
export PG_TOOLS=/usr/lib/postgresql/15/bin BENCH_PG_VERSION=15
[[ -f ${API_JAR:-api/target/api.jar} && -f bench/target/bench.jar ]] || die "build the jars first"
BENCH_DIR=$(mktemp -d /tmp/clickledger-profile.XXXXXX)
chmod 755 "$BENCH_DIR"
export BENCH_DIR
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
pg_server_binaries
PGPORT=$(free_port)
API_PORT=$(free_port)
export PGPORT API_PORT
export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/clickledger
export API_URL=http://127.0.0.1:$API_PORT ROUTER_URL=http://127.0.0.1:1
ADMIN_API_KEY=profile-$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
SECRETS_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64)
export ADMIN_API_KEY SECRETS_ENCRYPTION_KEY BENCH_STATS_ROLLUP_SECONDS=86400 BENCH_DURATION=$SECONDS_PER_RUN
export BENCH_PG_CONF="shared_preload_libraries = 'pg_stat_statements';pg_stat_statements.track = all;pg_stat_statements.max = 2000;pg_stat_statements.track_planning = on;track_io_timing = on${PROFILE_PG_CONF:+;$PROFILE_PG_CONF}"
pg_init
pg_start
psql_bench -d postgres -c "create database clickledger" >/dev/null
psql_bench -c "create extension pg_stat_statements" >/dev/null
say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $PGPORT; starting the api"
api_start
# PROFILE_SQL: a file of SQL run once the api has migrated (bench/profile-before-v70-v71.sql puts back
# what V70 took away, for a before/after with one jar).
if [[ -n ${PROFILE_SQL:-} ]]; then
    say "running $PROFILE_SQL"
    psql_bench -f "$PROFILE_SQL" >/dev/null
fi
say "seeding $CLICKS clicks, $USERS users"
bench_java seed-attribution --database-url "$DATABASE_URL" --out-dir "$BENCH_DIR/data" --clicks "$CLICKS" \
    --users "$USERS" --max-touches 5 --replay-users 200 --replay-events 1000 --identify-crefs 200000 \
    >"$BENCH_DIR/seed.json"
program=$(json "$BENCH_DIR/seed.json" .programId)
psql_bench -c "vacuum analyze" >/dev/null
key=$(curl -s -X POST "$API_URL/v1/api-keys" -H "Authorization: Bearer $ADMIN_API_KEY" -H 'Content-Type: application/json' \
    -d "{\"kind\":\"secret\",\"programId\":\"$program\",\"name\":\"profile\"}" | jq -r .key)
cat >"$BENCH_DIR/events.lua" <<LUA
local prefix = "p-" .. os.time() .. "-" .. math.random(1000000) .. "-"
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

mkdir -p "${PROFILE_OUT:-/tmp}"
readonly ROW_TABLES="event attribution commission stats_change webhook_delivery identity"
readonly ROW_COUNTS="select (select count(*) from event) || '|' || (select count(*) from attribution) || '|' ||
    (select count(*) from commission) || '|' || (select count(*) from stats_change) || '|' ||
    (select count(*) from webhook_delivery) || '|' || (select count(*) from identity)"

pg_cpu_ticks() {
    local total=0 pid
    for pid in $(pg_pids); do
        [[ -r /proc/$pid/stat ]] || continue
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# profile NAME TABLE WARMUP_SCRIPT SCRIPT: warm-up, reset, measured run, report per row added to TABLE.
profile() {
    local name=$1 table=$2 warmup_script=$3 script=$4 before after rows lsn0 cpu0 cpu1 api0 api1 perf_pid out
    say "$name: warming up $WARMUP s"
    BENCH_DURATION=$WARMUP wrk_run "$CLIENTS" "$API_URL/" -s "$warmup_script" >/dev/null
    # Plans as a steady state has them: the tables grew from nothing during the warm-up, and a
    # plan made while they were empty (until autovacuum's next ANALYZE) may scan the wrong index.
    psql_bench -c "analyze event, attribution, commission, identity, stats_change" >/dev/null
    sleep 2
    psql_bench -c "select pg_stat_statements_reset(), pg_stat_reset_shared('wal'), pg_stat_reset()" >/dev/null
    before=$(psql_bench -At -c "select count(*) from $table")
    counts0=$(psql_bench -At -c "$ROW_COUNTS")
    lsn0=$(psql_bench -At -c "select pg_current_wal_lsn()")
    cpu0=$(pg_cpu_ticks)
    api0=$(api_cpu_ticks)
    if [[ -n ${PROFILE_JFR:-} ]]; then
        "$JAVA_HOME/bin/jcmd" "$(api_pid)" JFR.start name=profile settings=profile \
            filename="$BENCH_DIR/profile-$name.jfr" >/dev/null
    fi
    if [[ -n ${PROFILE_PERF:-} ]]; then
        perf record -q -F 99 -o "$BENCH_DIR/perf-$name.data" -p "$(pg_pids | paste -sd,)" -- sleep "$SECONDS_PER_RUN" \
            >/dev/null 2>&1 &
        perf_pid=$!
    fi
    out=$(wrk_run "$CLIENTS" "$API_URL/" -s "$script")
    [[ -z ${PROFILE_PERF:-} ]] || wait "$perf_pid" || true
    cpu1=$(pg_cpu_ticks)
    api1=$(api_cpu_ticks)
    if [[ -n ${PROFILE_JFR:-} ]]; then
        "$JAVA_HOME/bin/jcmd" "$(api_pid)" JFR.stop name=profile >/dev/null
    fi
    after=$(psql_bench -At -c "select count(*) from $table")
    counts1=$(psql_bench -At -c "$ROW_COUNTS")
    lsn1=$(psql_bench -At -c "select pg_current_wal_lsn()")
    rows=$((after - before))
    out_file=$BENCH_DIR/profile-$name.txt
    {
        echo "## $name: $rows new $table rows in $SECONDS_PER_RUN s (wrk: rate p50 p99 errors = $out), $CLIENTS clients"
        echo "PostgreSQL CPU (utime + stime of its processes): $(awk -v t=$((cpu1 - cpu0)) -v n="$rows" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f ms per %s", t * 1000 / hz / n, "request" }')"
        echo "api CPU (utime + stime of its JVM's threads), ms per request: $(join -a1 -a2 -e0 -o 0,1.2,2.2 \
            <(sort <<<"$api0") <(sort <<<"$api1") |
            awk -v n="$rows" -v hz="$(getconf CLK_TCK)" '{ printf "%s%s %.2f", (NR > 1 ? ", " : ""), $1, ($3 - $2) * 1000 / hz / n }')"
        if [[ -n ${PROFILE_JFR:-} ]]; then
            echo "api JFR execution samples by layer (bench/jfr-layers.sh):"
            bash "$ROOT/bench/jfr-layers.sh" "$BENCH_DIR/profile-$name.jfr" | sed 's/^/  /'
            cp "$BENCH_DIR/profile-$name.jfr" "${PROFILE_OUT:-/tmp}/" 2>/dev/null || true
        fi
        if [[ -n ${PROFILE_PERF:-} ]]; then
            echo "PostgreSQL's hottest functions (perf, % of its samples):"
            perf report -q -i "$BENCH_DIR/perf-$name.data" --no-children --sort dso,sym --stdio 2>/dev/null |
                grep -v '^$' | head -25 | sed 's/^/  /' || true
        fi
        # Transactions per request: with the group commit (decision 0030) many events share one.
        psql_bench -c "select round(xact_commit::numeric / $rows, 3) as commits_per_req,
                              round(xact_rollback::numeric / $rows, 3) as rollbacks_per_req,
                              (select round(sum(calls)::numeric / $rows, 2) from pg_stat_statements
                                where toplevel and query not like '%pg_stat_statements%') as statements_per_req
                         from pg_stat_database where datname = current_database()"
        psql_bench -c "select round(wal_records::numeric / $rows, 1) as wal_records_per_req,
                              round(wal_bytes::numeric / $rows) as wal_bytes_per_req,
                              round(wal_fpi::numeric / $rows, 2) as fpi_per_req,
                              round(wal_sync::numeric / $rows, 2) as wal_syncs_per_req,
                              round(wal_write::numeric / $rows, 2) as wal_writes_per_req,
                              round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')::numeric / $rows) as lsn_bytes_per_req
                         from pg_stat_wal"
        # Transactions per request: 1 when each request commits its own, less with group commit (0031).
        psql_bench -c "select round(xact_commit::numeric / $rows, 3) as commits_per_req,
                              round(xact_rollback::numeric / $rows, 3) as rollbacks_per_req
                         from pg_stat_database where datname = current_database()"
        echo "Rows written per request ($ROW_TABLES): $(paste -d' ' <(tr '|' '\n' <<<"$counts0") <(tr '|' '\n' <<<"$counts1") |
            awk -v n="$rows" '{ printf "%s%.2f", (NR > 1 ? " " : ""), ($2 - $1) / n }')"
        # Every WAL record of the run by resource manager and kind (pg_waldump --stats=record), per request.
        echo "WAL records per request by kind (pg_waldump --stats=record), the 15 largest by count:"
        "$PG_BIN/pg_waldump" -p "$BENCH_DIR/pg/pg_wal" -s "$lsn0" -e "$lsn1" --stats=record 2>/dev/null |
            awk -v n="$rows" 'NR > 2 && $1 !~ /^Total/ && $2 ~ /^[0-9]+$/ { printf "  %-28s %8.2f\n", $1, $2 / n }' |
            sort -k2 -g -r | head -15
        psql_bench -c "select round(calls::numeric / $rows, 2) as per_req, round(mean_exec_time::numeric, 3) as mean_ms,
                              round(rows::numeric / greatest(calls, 1), 1) as rows_per_call,
                              round(plans::numeric / greatest(calls, 1), 2) as plans_per_call,
                              round(mean_plan_time::numeric, 3) as plan_ms,
                              round(wal_records::numeric / $rows, 1) as wal_rec_per_req,
                              round(wal_bytes::numeric / $rows) as wal_b_per_req,
                              toplevel as top, left(regexp_replace(query, '\s+', ' ', 'g'), 150) as query
                         from pg_stat_statements
                        where calls >= $rows / 400 and query not like '%pg_stat_statements%'
                        order by toplevel desc, calls desc, total_exec_time desc"
        psql_bench -c "select s.relname, s.indexrelname, s.idx_scan from pg_stat_user_indexes s
                        where s.relname in ('event','attribution','commission','identity','webhook_delivery','stats_change','audit_log','commission_digest_item')
                        order by 1, 2"
    } | tee "$out_file"
}

# The api's JVM: the pid service_start recorded (setsid, nice and env exec it).
api_pid() { service_pid api; }

# api_cpu_ticks: utime + stime of every thread of the api's JVM, as "kind ticks" lines: request
# (Jetty's and Javalin's threads), writers (group commit's, events and identify), gc, jit, other; and total.
api_cpu_ticks() {
    local pid task
    pid=$(api_pid) || return 0
    for task in /proc/"$pid"/task/*; do
        # comm may contain spaces ("GC Thread#0", "C2 CompilerThre"): fields after the ")" are fixed.
        sed -e 's/^[0-9]* (\(.*\)) /\1\t/' "$task/stat" 2>/dev/null
    done | awk -F'\t' '{
        split($2, f, " "); ticks = f[12] + f[13]; name = $1
        kind = "other"
        if (name ~ /^(qtp|JettyVirtual|VirtualThread|ForkJoinPool|Javalin|jetty)/) kind = "request"
        else if (name ~ /^(GC |G1 |VM Periodic|VM Thread)/) kind = "gc+vm"
        else if (name ~ /^C[12] Compiler/) kind = "jit"
        # the writer threads of group commit (event-writer-N, identify-writer-N, their comm cut to 15
        # characters; decisions 0030, 0031) do the requests' database work
        else if (name ~ /-writer/) kind = "writers"
        sum[kind] += ticks; total += ticks
    } END { for (k in sum) print k, sum[k]; print "total", total }'
}

# PROFILE_ONLY=events or identify: just that one.
if [[ ${PROFILE_ONLY:-events} == events* ]]; then profile events event "$BENCH_DIR/events.lua" "$BENCH_DIR/events.lua"; fi
# Identify: the measured run's crefs are ones the warm-up did not reach, so every request stitches
# (the warm-up goes round the first 100,000: a long PROFILE_WARMUP used to run into the measured ones).
if [[ ${PROFILE_ONLY:-identify} == identify* ]]; then profile identify identity "$(identify_lua 0 "$BENCH_DIR/data/identify-crefs.txt" "$key" 100000)" "$(identify_lua 100000 "$BENCH_DIR/data/identify-crefs.txt" "$key")"; fi
mkdir -p "${PROFILE_OUT:-/tmp}"
cp "$BENCH_DIR"/profile-*.txt "${PROFILE_OUT:-/tmp}/"
say "reports: ${PROFILE_OUT:-/tmp}/profile-events.txt, profile-identify.txt"
