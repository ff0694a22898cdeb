#!/usr/bin/env bash
# Redirect throughput through PgBouncer in transaction mode (the scale-out set-up of
# docs/SCALING.md): a second router whose DATABASE_URL goes through PgBouncer (pgbouncer=true, so
# no server-side prepared statements) while DATABASE_URL_DIRECT stays on PostgreSQL for migrations
# and LISTEN, run alternately with the direct router at 256 connections.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=15-pgbouncer

dir=$BENCH_DIR/pgbouncer
mkdir -p "$dir"
BOUNCER_PORT=$(free_port)
cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PGPORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
EOF
echo '"postgres" ""' >"$dir/userlist.txt"
chown -R postgres: "$dir" 2>/dev/null || true
service_start pgbouncer "$dir/stdout.log" runuser -u postgres -- pgbouncer "$dir/pgbouncer.ini"
for _ in $(seq 1 50); do
    "$PG_TOOLS/pg_isready" -q -h 127.0.0.1 -p "$BOUNCER_PORT" && break
    sleep 0.1
done

BOUNCED_PORT=$(free_port)
mkdir -p "$BENCH_DIR/spool-pgbouncer"
service_start router-pgbouncer "$BENCH_DIR/router-pgbouncer.log" env \
    DATABASE_URL="postgres://postgres@127.0.0.1:$BOUNCER_PORT/clickledger?pgbouncer=true" \
    DATABASE_URL_DIRECT="$DATABASE_URL" ROUTER_PORT="$BOUNCED_PORT" CLICK_SPOOL_DIR="$BENCH_DIR/spool-pgbouncer" \
    LOG_FORMAT=text LOG_LEVEL=WARN "$JAVA" ${ROUTER_JAVA_OPTS:-} -jar "${ROUTER_JAR:-$ROOT/router/target/router.jar}"
wait_http "http://127.0.0.1:$BOUNCED_PORT/readyz" 120 || die "the router behind PgBouncer did not get ready"

direct=$ROUTER_URL/r/bench-1
bounced=http://127.0.0.1:$BOUNCED_PORT/r/bench-1
BENCH_DURATION=3 wrk_run 256 "$bounced" >/dev/null
direct_rps=() direct_p99=() bounced_rps=() bounced_p99=() ratio=()
for run in $(seq 1 "$BENCH_RUNS"); do
    say "256 connections, run $run/$BENCH_RUNS: direct, then through PgBouncer"
    read -r r _ p _ < <(wrk_run 256 "$direct")
    direct_rps+=("$r") direct_p99+=("$p")
    read -r r _ p _ < <(wrk_run 256 "$bounced")
    bounced_rps+=("$r") bounced_p99+=("$p")
    ratio+=("$(awk -v b="$r" -v d="${direct_rps[-1]}" 'BEGIN { printf "%.1f", (d > 0 ? 100 * b / d : 0) }')")
    say "  direct ${direct_rps[-1]} req/s (p99 ${direct_p99[-1]} ms), PgBouncer $r req/s (p99 $p ms)"
done
pooled=$(psql_bench -At -c "select count(*) from pg_stat_activity where application_name = '' or application_name like 'clickledger%'")
service_stop router-pgbouncer
service_stop pgbouncer
command="wrk -t1 -c256 -d${BENCH_DURATION}s --latency URL"
bench_row $ID "Redirects, 256 connections" "router, DATABASE_URL straight to PostgreSQL" "req/s" "$command" "" "" "${direct_rps[@]}"
bench_row $ID "Redirects, 256 connections" "router, DATABASE_URL through PgBouncer (transaction mode)" "req/s" "$command" "" "" "${bounced_rps[@]}"
bench_row $ID "Redirects, 256 connections" "through PgBouncer ÷ direct" "%" "per run pair" "" "" "${ratio[@]}"
bench_row $ID "Redirects, 256 connections" "p99 direct" "ms" "$command" "" "" "${direct_p99[@]}"
bench_row $ID "Redirects, 256 connections" "p99 through PgBouncer" "ms" "$command" "" "" "${bounced_p99[@]}"
bench_note $ID "PgBouncer $(pgbouncer --version | head -1 | awk '{print $2}'), pool_mode = transaction, default_pool_size = 20, a wildcard database entry; the router's COPY batches and its replay statements need nothing session-level. Server connections open at the end of the scenario (all clients): $pooled."
bench_write $ID "1b. Redirects through PgBouncer" 15
