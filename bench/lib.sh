# shellcheck shell=bash
# Helpers shared by bench/run.sh (`make bench`), bench/drills.sh (`make drills`) and every
# bench/scenarios/*.sh. A scenario script sources this file and finds, in its environment:
#
#   ROOT            the repository                      JAVA         the JDK's java
#   BENCH_DIR       scratch space of this run            BENCH_RESULTS  where result JSON goes
#   BENCH_RUNS      runs per figure (3)                 BENCH_DURATION seconds per load run (10)
#   DATABASE_URL    postgres://… of the bench database   PG_BIN       PostgreSQL server binaries (17)
#   PG_TOOLS        PostgreSQL client tools: psql, pg_isready, pgbench (Debian's 15)
#   ROUTER_PORT / ROUTER_URL, API_PORT / API_URL, ADMIN_API_KEY, SECRETS_ENCRYPTION_KEY
#   router_start / api_start [NAME=VALUE …] (re)start a service with extra settings
#
# It writes its figures with bench_row … and bench_write …, which the report turns into a table
# in docs/PERFORMANCE.md (median of the runs, min–max, the command). Every load loop is bounded in
# count and time, and only loopback addresses are ever load-tested.

# Everything the bench starts runs at this niceness (-10 as root): the machines this is built on
# are shared with builds, and a compile job should not decide the figures. nginx, wrk, PostgreSQL
# and the router all get the same, so the comparison stays fair. BENCH_NICE=0 turns it off.
BENCH_NICE=${BENCH_NICE:-$([[ $(id -u) -eq 0 ]] && echo -10 || echo 0)}
export BENCH_NICE
prio() { nice -n "$BENCH_NICE" "$@"; }

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    say "FAILED: $*"
    exit 1
}

# A script that set -e stops says which command failed, and where: a failing $(curl … | awk …)
# in an assignment once ended scenario 6 with only "FAILED after 369 s (see above)" and nothing
# above. -E carries the trap into functions; commands tested by if, && or || never fire it.
set -E
trap 'say "stopped: \"$BASH_COMMAND\" failed with status $? at ${BASH_SOURCE[0]}:$LINENO"' ERR

bench_java() { prio "$JAVA" -jar "$ROOT/bench/target/bench.jar" "$@"; }

# PostgreSQL refuses to run as root; the Debian package made a postgres user for it.
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        prio runuser -u postgres -- "$@"
    else
        prio "$@"
    fi
}

# A TCP port nothing listens on, from a range the kernel does not hand out to clients.
free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}

# wait_http URL SECONDS [STATUS]: true once URL answers STATUS (200) within SECONDS.
wait_http() {
    local url=$1 seconds=$2 want=${3:-200} deadline
    deadline=$((SECONDS + seconds))
    while ((SECONDS < deadline)); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null) == "$want" ]] && return 0
        sleep 0.1
    done
    return 1
}

# ---------------------------------------------------------------------------------------------
# Processes, tracked by pid files in BENCH_DIR so any script of the run can stop what another began

service_start() {
    local name=$1 log=$2
    shift 2
    setsid nice -n "$BENCH_NICE" "$@" >>"$log" 2>&1 </dev/null &
    echo $! >"$BENCH_DIR/$name.pid"
}

service_pid() {
    local file=$BENCH_DIR/$1.pid pid
    [[ -f $file ]] || return 1
    pid=$(<"$file")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

# service_stop NAME [SIGNAL]: TERM (or SIGNAL), then KILL after 20 s.
service_stop() {
    local name=$1 signal=${2:-TERM} pid
    pid=$(service_pid "$name") || {
        rm -f "$BENCH_DIR/$name.pid"
        return 0
    }
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$BENCH_DIR/$name.pid"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster tuned for this box (shared_buffers, WAL sized so no checkpoint
# falls inside a run), durable like production: fsync and synchronous_commit stay on.

pg_init() {
    local data=$BENCH_DIR/pg
    mkdir -p "$data"
    touch "$BENCH_DIR/pg.log"
    chown postgres: "$data" "$BENCH_DIR/pg.log" 2>/dev/null || true
    chmod 700 "$data"
    as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$data'
max_connections = 300
shared_buffers = 1GB
effective_cache_size = 4GB
maintenance_work_mem = 256MB
work_mem = 16MB
wal_buffers = 64MB
max_wal_size = 8GB
min_wal_size = 1GB
checkpoint_timeout = 30min
checkpoint_completion_target = 0.9
synchronous_commit = on
fsync = on
full_page_writes = on
random_page_cost = 1.1
jit = off
log_min_messages = warning
log_checkpoints = on
EOF
    # BENCH_PG_CONF: more settings for a diagnosis run, ';'-separated
    # (BENCH_PG_CONF='backend_flush_after=256kB;wal_init_zero=off'); the report's header names them.
    if [[ -n ${BENCH_PG_CONF:-} ]]; then
        tr ';' '\n' <<<"$BENCH_PG_CONF" >>"$data/postgresql.conf"
    fi
}

pg_start() {
    as_postgres "$PG_BIN/pg_ctl" -D "$BENCH_DIR/pg" -l "$BENCH_DIR/pg.log" -w -t 60 start >/dev/null
}

# pg_wal_warm: a PostgreSQL that has run for a while recycles its WAL segments at each checkpoint;
# a new cluster creates every segment it writes, zero-filled (wal_init_zero) and fsync'd at the
# switch, and every commit waits behind that for 50-130 ms, about once a second at the api's event
# rate (docs/decisions/0030, "A new cluster's WAL"). The bench measures the cluster as it runs in
# production: BENCH_WAL_WARM_MB (default max_wal_size, 8192) of WAL written as logical messages
# (no table), then a checkpoint, so that many segments exist and are recycled. 0 skips it.
pg_wal_warm() {
    local mb=${BENCH_WAL_WARM_MB:-8192} started=$SECONDS
    ((mb > 0)) || return 0
    psql_bench -At -c "select count(pg_logical_emit_message(false, 'bench-wal-warm', repeat('x', 1048576))) from generate_series(1, $mb)" >/dev/null
    psql_bench -c checkpoint >/dev/null
    say "  $mb MB of WAL segments created and recycled in $((SECONDS - started)) s ($(find "$BENCH_DIR/pg/pg_wal" -maxdepth 1 -type f -size +1M | wc -l) segments)"
}

# pg_stop [MODE]: fast (default) rolls back and checkpoints; immediate is a crash.
pg_stop() {
    as_postgres "$PG_BIN/pg_ctl" -D "$BENCH_DIR/pg" -m "${1:-fast}" -w -t 60 stop >/dev/null 2>&1 || true
}

# PostgreSQL's processes: the postmaster (first line of postmaster.pid) and all its children.
pg_pids() {
    local postmaster
    [[ -f $BENCH_DIR/pg/postmaster.pid ]] || return 0
    postmaster=$(head -1 "$BENCH_DIR/pg/postmaster.pid")
    echo "$postmaster"
    pgrep -P "$postmaster" || true
}

# pg_freeze / pg_thaw: SIGSTOP / SIGCONT to every PostgreSQL process, the postmaster first, so it
# forks no new backend meanwhile. Sockets stay open: connections hang instead of failing (the
# frozen drill). bench_cleanup thaws, so an interrupted drill never leaves it frozen.
pg_freeze() {
    # shellcheck disable=SC2046
    kill -STOP $(pg_pids)
    say "  PostgreSQL frozen (SIGSTOP to $(pg_pids | wc -l) processes)"
}

pg_thaw() {
    # shellcheck disable=SC2046
    kill -CONT $(pg_pids) 2>/dev/null || true
}

# pg_server_binaries: sets PG_BIN to the server's initdb, pg_ctl and postgres. PG_BIN when given;
# else BENCH_PG_VERSION=17 (the default, the project's major): the binaries the tests embed,
# unpacked by scripts/postgres-server.sh (Debian 12 packages only 15; docs/decisions/0012);
# BENCH_PG_VERSION=15: Debian's postgresql-15, the oldest major the project supports.
pg_server_binaries() {
    if [[ -n ${PG_BIN:-} ]]; then
        export PG_BIN
        return 0
    fi
    case ${BENCH_PG_VERSION:-17} in
        17)
            PG_BIN=$(scripts/postgres-server.sh) || die "cannot unpack the PostgreSQL 17 server binaries"
            export PG_BIN
            ;;
        15)
            export PG_BIN=/usr/lib/postgresql/15/bin
            [[ -x $PG_BIN/postgres ]] || need /usr/lib/postgresql/15/bin/postgres postgresql-15
            ;;
        *) die "BENCH_PG_VERSION ${BENCH_PG_VERSION} is not 17 or 15" ;;
    esac
}

psql_bench() { "$PG_TOOLS/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d clickledger "$@"; }

# ---------------------------------------------------------------------------------------------
# The services, from the jars `make build` makes

# router_start [NAME=VALUE …]: (re)starts the router with the bench settings plus overrides and
# waits for /readyz; prints how many seconds it took to be ready.
# await_ready NAME URL LOG STARTED: polls URL/readyz until 200; dies (with the log's tail) when the
# service exits first or is not ready 120 s after STARTED ($SECONDS then).
await_ready() {
    local name=$1 url=$2 log=$3 started=$4
    while ! [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/readyz" 2>/dev/null) == 200 ]]; do
        service_pid "$name" >/dev/null || {
            tail -n 30 "$log" >&2
            die "the $name exited before it was ready"
        }
        ((SECONDS - started < 120)) || die "the $name was not ready within 120 s"
        sleep 0.05
    done
}

# router_start_as NAME PORT [NAME=VALUE …]: (re)starts a router under its own name and port (the
# main one is "router"; scenario 4 runs a second beside it), with extra settings; prints the
# seconds from process start to /readyz 200.
router_start_as() {
    local name=$1 port=$2 started=$SECONDS log=$BENCH_DIR/$1.log spool=$BENCH_DIR/spool start_ns end_ns
    shift 2
    [[ $name == router ]] || spool+=-$name
    service_stop "$name"
    start_ns=$(date +%s%N)
    service_start "$name" "$log" env \
        DATABASE_URL="$DATABASE_URL" ROUTER_PORT="$port" CLICK_SPOOL_DIR="$spool" \
        LOG_FORMAT=text LOG_LEVEL=WARN "$@" \
        "$JAVA" ${ROUTER_JAVA_OPTS:-} -jar "${ROUTER_JAR:-$ROOT/router/target/router.jar}"
    await_ready "$name" "http://127.0.0.1:$port" "$log" "$started"
    end_ns=$(date +%s%N)
    awk -v ns=$((end_ns - start_ns)) 'BEGIN { printf "%.2f\n", ns / 1e9 }'
}

# bench_selected NAME: true when this run takes the scenario NAME (a file name without .sh): every
# one without BENCH_ONLY, else those whose name contains one of its comma-separated parts.
bench_selected() {
    local part
    [[ -z ${BENCH_ONLY:-} ]] && return 0
    IFS=, read -r -a parts <<<"$BENCH_ONLY"
    for part in "${parts[@]}"; do
        [[ -n $part && $1 == *"$part"* ]] && return 0
    done
    return 1
}

router_start() { router_start_as router "$ROUTER_PORT" "$@"; }

router_stop() { service_stop router; }

api_start() {
    local started=$SECONDS
    service_stop api
    service_start api "$BENCH_DIR/api.log" env \
        DATABASE_URL="$DATABASE_URL" API_PORT="$API_PORT" ADMIN_API_KEY="$ADMIN_API_KEY" \
        SECRETS_ENCRYPTION_KEY="$SECRETS_ENCRYPTION_KEY" PUBLIC_ROUTER_URL="$ROUTER_URL" \
        STATS_ROLLUP_SECONDS="$BENCH_STATS_ROLLUP_SECONDS" LOG_FORMAT=text LOG_LEVEL=WARN "$@" \
        "$JAVA" ${API_JAVA_OPTS:-} -jar "${API_JAR:-$ROOT/api/target/api.jar}"
    await_ready api "$API_URL" "$BENCH_DIR/api.log" "$started"
}

api_stop() { service_stop api; }

# router_metric PREFIX [URL]: the sum of the router's (at URL, else the main one's) Prometheus
# samples whose name and labels start with PREFIX (clickledger_spool_records, or
# clickledger_click_fallbacks_total{reason="slow"); 0 when there are none.
router_metric() {
    router_metrics "${2:-$ROUTER_URL}" |
        awk -v name="$1" '$1 !~ /^#/ && index($1, name) == 1 { sum += $2; found = 1 } END { printf "%.0f\n", found ? sum : 0 }'
}

# router_metrics URL: the router's /metrics text. Right after a 1,000-connection run the router
# may still be closing wrk's connections and answer late: three tries of 5 s, then nothing (the
# callers read a missing metric as 0 rather than failing the scenario under pipefail).
router_metrics() {
    local try body
    for try in 1 2 3; do
        if body=$(curl -sf --max-time 5 "$1/metrics" 2>/dev/null); then
            printf '%s\n' "$body"
            return 0
        fi
        sleep 1
    done
    return 0
}

# ---------------------------------------------------------------------------------------------
# wrk

# wrk_run CONNECTIONS URL [wrk args…]: one run with one wrk thread (on two cores a second wrk
# thread takes CPU from the server it measures); prints "requests/s p50_ms p99_ms errors".
wrk_run() {
    local connections=$1 url=$2 out
    shift 2
    out=$(prio wrk -t1 -c"$connections" -d"${BENCH_DURATION}s" --timeout 10s --latency \
        -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36 clickledger-bench' \
        "$@" "$url")
    printf '%s\n' "$out" >>"$BENCH_DIR/wrk.log"
    printf '%s\n' "$out" | awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2 }
        /Socket errors:/ { gsub(",", ""); errors = $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { errors += $5 }
        END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, errors }'
}

# ---------------------------------------------------------------------------------------------
# A real-size GeoIP country database for the capture scenario (and `bench agents --geoip`): the
# pinned ip-location-db geo-whois-asn-country file (7.8 MB, IPv4 and IPv6; data CC BY 4.0 by the
# NRO, docs/operations.md), fetched once with npm and cached; never fetched during a measurement.
# BENCH_GEOIP_DB=FILE.mmdb uses a file of your own instead.
GEOIP_PACKAGE=@ip-location-db/geo-whois-asn-country-mmdb
GEOIP_VERSION=2.3.2026061719
GEOIP_SHA1=d83ce8ab70533e271d7e96bc50d8d816cf4f4470

# geoip_database: prints the path of the database, fetching it first when it is not cached.
geoip_database() {
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/clickledger/geoip tarball work file
    if [[ -n ${BENCH_GEOIP_DB:-} ]]; then
        [[ -f $BENCH_GEOIP_DB ]] || die "BENCH_GEOIP_DB=$BENCH_GEOIP_DB is not a file"
        echo "$BENCH_GEOIP_DB"
        return 0
    fi
    file=$cache/geo-whois-asn-country-$GEOIP_VERSION.mmdb
    if [[ ! -s $file ]]; then
        command -v npm >/dev/null 2>&1 ||
            die "the GeoIP database $file is not cached and npm is missing to fetch it; install npm, or set BENCH_GEOIP_DB to a country .mmdb"
        mkdir -p "$cache"
        work=$(mktemp -d "$cache/fetch.XXXXXX")
        say "fetching the GeoIP database once: npm pack $GEOIP_PACKAGE@$GEOIP_VERSION (cached in $cache)"
        if ! tarball=$(cd "$work" && npm pack --silent "$GEOIP_PACKAGE@$GEOIP_VERSION" 2>"$work/npm.log" | tail -1) ||
            [[ ! -f $work/$tarball ]]; then
            cat "$work/npm.log" >&2
            rm -rf "$work"
            die "could not fetch $GEOIP_PACKAGE@$GEOIP_VERSION with npm (no network or registry?); set BENCH_GEOIP_DB to a country .mmdb to run without it"
        fi
        if [[ $(sha1sum "$work/$tarball" | cut -d' ' -f1) != "$GEOIP_SHA1" ]]; then
            rm -rf "$work"
            die "$GEOIP_PACKAGE@$GEOIP_VERSION does not have the pinned SHA-1 $GEOIP_SHA1"
        fi
        tar -xzf "$work/$tarball" -C "$work" package/geo-whois-asn-country.mmdb ||
            die "$tarball holds no package/geo-whois-asn-country.mmdb"
        mv "$work/package/geo-whois-asn-country.mmdb" "$file"
        rm -rf "$work"
    fi
    echo "$file"
}

# ---------------------------------------------------------------------------------------------
# Results: one JSON file per scenario, rows added one by one

# bench_row ID SCENARIO FIGURE UNIT COMMAND FLOOR MET RUN…   (FLOOR and MET may be empty; MET is
# true or false)
bench_row() {
    local id=$1 scenario=$2 figure=$3 unit=$4 command=$5 floor=$6 met=$7
    shift 7
    local runs
    runs=$(printf '%s\n' "$@" | jq -s -c 'map(tonumber)')
    jq -n -c --arg scenario "$scenario" --arg figure "$figure" --arg unit "$unit" --arg command "$command" \
        --arg floor "$floor" --arg met "$met" --argjson runs "$runs" \
        '{scenario: $scenario, figure: $figure, unit: $unit, runs: $runs, command: $command}
         + (if $floor == "" then {} else {floor: $floor} end)
         + (if $met == "" then {} else {met: ($met == "true")} end)' >>"$BENCH_DIR/rows-$id.jsonl"
}

# bench_note ID TEXT: a line under the scenario's table.
bench_note() { jq -n -c --arg note "$2" '$note' >>"$BENCH_DIR/notes-$1.jsonl"; }

# bench_write ID TITLE ORDER: writes $BENCH_RESULTS/ID.json from the rows and notes so far.
bench_write() {
    local id=$1 title=$2 order=$3 rows=$BENCH_DIR/rows-$1.jsonl notes=$BENCH_DIR/notes-$1.jsonl
    [[ -f $rows ]] || : >"$rows"
    [[ -f $notes ]] || : >"$notes"
    jq -n --arg id "$id" --arg title "$title" --argjson order "$order" \
        --slurpfile rows "$rows" --slurpfile notes "$notes" \
        --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
        '{id: $id, title: $title, order: $order, measuredAt: $date, loadAverage: $load, rows: $rows, notes: $notes}' \
        >"$BENCH_RESULTS/$id.json"
}

# median VALUE…
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# json FILE EXPRESSION: one value out of a tool's JSON output.
json() { jq -r "$2" "$1"; }


# ---------------------------------------------------------------------------------------------
# bench_setup: what make bench and make drills share. Installs missing tools, builds stale jars,
# makes the scratch directory (removed on exit unless BENCH_KEEP is set), starts the tuned
# PostgreSQL and the api (which applies the migrations), seeds 100 links (bench-1 … bench-100)
# and starts the router. Sets and exports everything a scenario script reads.

# need COMMAND PACKAGE: installs the Debian package when the command is missing.
need() {
    local command=$1 package=$2
    command -v "$command" >/dev/null 2>&1 && return 0
    [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || die "$command is missing; install $package"
    if [[ -z ${apt_updated:-} ]]; then
        say "apt-get update"
        apt-get update -qq >/dev/null
        apt_updated=1
    fi
    say "installing $package"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
    command -v "$command" >/dev/null 2>&1 || die "installing $package did not provide $command"
}

# True when a jar is missing or a source or pom is newer than the oldest jar.
jars_stale() {
    local jar oldest=
    for jar in router/target/router.jar api/target/api.jar portal/target/portal.jar bench/target/bench.jar; do
        [[ -f $jar ]] || return 0
        if [[ -z $oldest || $jar -ot $oldest ]]; then oldest=$jar; fi
    done
    [[ -n $(find . \( -name target -o -name .git -o -name .data -o -name node_modules \) -prune -o \
        -type f \( -name pom.xml -o -path '*/src/main/*' \) -newer "$oldest" -print -quit) ]]
}

# Kernel writeback. PostgreSQL 15 grows a table by writing zero pages through the page cache; the
# kernel's default leaves them dirty for 30 s, then writes them out in one burst, and every
# commit's WAL fsync queues behind it on the one disk: at 256 connections the p99 went from 12 ms
# to 56–162 ms in the run that met a burst (decision 0002). Flushing what is a second old every
# half second keeps that queue short. The bench runs on the machine's own settings, as a user who
# does not tune their kernel would; scenario 1 measures once more with writeback_tune and puts both
# in the report. writeback_restore puts the old values back (bench_cleanup does too, so an
# interrupted scenario cannot leave the kernel tuned). BENCH_WRITEBACK=0 skips the tuned pass.
WRITEBACK_SETTINGS="dirty_expire_centisecs=100 dirty_writeback_centisecs=50"

# True when the tuned pass can run here (root, writable sysctls, not turned off).
writeback_tunable() {
    [[ ${BENCH_WRITEBACK:-1} != 0 && -w /proc/sys/vm/dirty_expire_centisecs ]]
}

writeback_now() {
    echo "vm.dirty_expire_centisecs=$(cat /proc/sys/vm/dirty_expire_centisecs), vm.dirty_writeback_centisecs=$(cat /proc/sys/vm/dirty_writeback_centisecs)"
}

writeback_tune() {
    local setting saved=$BENCH_DIR/writeback.saved
    writeback_tunable || return 1
    if [[ ! -f $saved ]]; then
        for setting in $WRITEBACK_SETTINGS; do
            echo "${setting%%=*}=$(cat "/proc/sys/vm/${setting%%=*}")"
        done >"$saved"
    fi
    for setting in $WRITEBACK_SETTINGS; do
        echo "${setting#*=}" >"/proc/sys/vm/${setting%%=*}"
    done
    say "kernel writeback tuned: $(writeback_now)"
}

writeback_restore() {
    local setting saved=${BENCH_DIR:-/nonexistent}/writeback.saved
    [[ -f $saved ]] || return 0
    while read -r setting; do
        echo "${setting#*=}" >"/proc/sys/vm/${setting%%=*}" 2>/dev/null || true
    done <"$saved"
    rm -f "$saved"
    say "kernel writeback restored: $(writeback_now)"
}

bench_cleanup() {
    local status=$? pid_file
    pg_thaw
    for pid_file in "$BENCH_DIR"/*.pid; do
        [[ -e $pid_file ]] && service_stop "$(basename "$pid_file" .pid)"
    done
    pg_stop
    writeback_restore
    if [[ -n ${BENCH_KEEP:-} ]]; then
        say "scratch directory kept: $BENCH_DIR"
    else
        rm -rf "$BENCH_DIR"
    fi
    return $status
}

bench_setup() {
    JAVA_HOME=$(scripts/find-jdk.sh)
    export JAVA_HOME
    export JAVA=$JAVA_HOME/bin/java
    export BENCH_RUNS=${BENCH_RUNS:-3}
    export BENCH_DURATION=${BENCH_DURATION:-10}
    export BENCH_RESULTS=$ROOT/bench/results
    mkdir -p "$BENCH_RESULTS"

    need wrk wrk
    need nginx nginx
    need pgbouncer pgbouncer
    need jq jq
    need curl curl
    # Client tools (psql, pgbench, pg_isready) come from Debian's PostgreSQL 15, which talks to
    # any newer server; the server is PG_BIN, or BENCH_PG_VERSION picks one (pg_server_binaries).
    export PG_TOOLS=${PG_TOOLS:-/usr/lib/postgresql/15/bin}
    [[ -x $PG_TOOLS/pgbench ]] || need "$PG_TOOLS/pgbench" postgresql-15
    # Debian's nginx package starts a system nginx on install; the bench runs its own.
    if command -v systemctl >/dev/null 2>&1; then systemctl stop nginx >/dev/null 2>&1 || true; fi

    if jars_stale; then
        say "building the router, api, portal and bench jars (./mvnw -B -q package -DskipTests -pl router,api,portal,bench -am)"
        ./mvnw -B -q package -DskipTests -pl router,api,portal,bench -am
    fi

    BENCH_DIR=$(mktemp -d /tmp/clickledger-bench.XXXXXX)
    chmod 755 "$BENCH_DIR"
    export BENCH_DIR
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM

    pg_server_binaries

    PGPORT=$(free_port)
    ROUTER_PORT=$(free_port)
    API_PORT=$(free_port)
    export PGPORT ROUTER_PORT API_PORT
    export DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/clickledger
    export ROUTER_URL=http://127.0.0.1:$ROUTER_PORT
    export API_URL=http://127.0.0.1:$API_PORT
    ADMIN_API_KEY=bench-$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    SECRETS_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64)
    export ADMIN_API_KEY SECRETS_ENCRYPTION_KEY
    # The api's stats job rebuilds today's click rollups from the clicks themselves, once a minute
    # by default: after a few redirect runs today holds millions of clicks, and that scan (seconds
    # of a core) would land in whichever 10-second run it overlaps. Its cost is scenario 5's; here it
    # runs hourly, and the report says so.
    export BENCH_STATS_ROLLUP_SECONDS=${BENCH_STATS_ROLLUP_SECONDS:-3600}
    # Issue 5's heap bound for the link cache applies to every router run. The whole heap is
    # committed from the start (-Xms = -Xmx, as a server should run): G1 starts marking at 45 % of
    # the heap it has, and with a million links a smaller committed heap put the live set above
    # that, so the collector traced it every few seconds (docs/decisions/0002).
    export ROUTER_JAVA_OPTS=${ROUTER_JAVA_OPTS:--Xms512m -Xmx512m}

    BENCH_WRITEBACK_NOTE="kernel writeback at this machine's settings ($(writeback_now)) except where a figure says it was tuned"
    export BENCH_WRITEBACK_NOTE
    say "$BENCH_WRITEBACK_NOTE"
    say "starting PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PGPORT (fsync on, synchronous_commit on)"
    pg_init
    pg_start
    psql_bench -d postgres -c "create database clickledger" >/dev/null
    say "pre-creating WAL segments as a running cluster recycles them (BENCH_WAL_WARM_MB=${BENCH_WAL_WARM_MB:-8192})"
    pg_wal_warm
    say "starting the api (it applies the migrations)"
    api_start
    say "seeding 100 links"
    bench_java seed-links --database-url "$DATABASE_URL" --prefix bench- --count 100 >/dev/null
    say "starting the router"
    router_start >/dev/null
}

# identify_lua START CREFS KEY [LAP]: a wrk script posting /v1/identify, each request tying the next cref
# of the file CREFS (from line START + 1) to a new user; prints its path. Scenario 6 and profile-sdk.sh.
# With LAP, it goes round lines START + 1 … START + LAP (after the first lap each request finds its
# stitch made): a warm-up that never reaches the crefs of a measured run after it, however long.
identify_lua() {
    local start=$1 crefs=$2 key=$3 lap=${4:-0}
    cat >"$BENCH_DIR/identify-$start.lua" <<LUA
local crefs = {}
for line in io.lines("$crefs") do crefs[#crefs + 1] = line end
local n = $start
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
request = function()
    n = n + 1
    if $lap > 0 and n > $start + $lap then n = $start + 1 end
    -- Past the file's end a run would measure nothing real: stop it, saying why.
    if crefs[n] == nil then error("identify: out of crefs at line " .. n .. " of $crefs") end
    return wrk.format(nil, "/v1/identify", nil, '{"cref":"' .. crefs[n] .. '","userId":"stitched-' .. n .. '"}')
end
LUA
    echo "$BENCH_DIR/identify-$start.lua"
}
