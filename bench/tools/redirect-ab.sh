#!/usr/bin/env bash
# bench/tools/redirect-ab.sh: compare router builds or settings on the redirect path, alternating
# them in one bench environment so the shared box's drift falls on both (decisions 0007, 0033).
#
#   bench/tools/redirect-ab.sh ROUNDS LABEL=JAR[,NAME=VALUE...] LABEL=JAR[,NAME=VALUE...] ...
#   e.g. bench/tools/redirect-ab.sh 3 main=/tmp/main.jar new=router/target/router.jar \
#        three=router/target/router.jar,CLICK_WRITER_THREADS=3
#
# A setting SQL_FILE=PATH is not passed to the router: the file is run on the bench database
# (psql -f) before the variant's router starts, for a schema variant (an index dropped, say; the
# next variant's file puts it back).
#
# Sets up what `make bench` does (PostgreSQL with warmed WAL, the api, the router, nginx with the
# redirect scenario's config), then per round and variant: restarts the router from JAR with the
# settings, warms it for 30 s, runs nginx and the router back to back twice at 256 connections
# (10 s each), then 10 s more while it reads each process's CPU from /proc. Prints, per variant
# and round: the ratio to the nginx run just before, redirects/s, wrk's p99, idle cores, CPU µs
# per redirect of router, PostgreSQL and wrk, and the router's clicks per batch. Nothing is
# written to docs/; ROUTER_JAVA_OPTS applies to every variant (default -Xms512m -Xmx512m).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
export ROOT
source bench/lib.sh

(($# >= 2)) || die "usage: bench/tools/redirect-ab.sh ROUNDS LABEL=JAR[,NAME=VALUE...] ..."
rounds=$1
shift
variants=("$@")
for variant in "${variants[@]}"; do
    spec=${variant#*=}
    [[ $variant == *=* && -f ${spec%%,*} ]] || die "$variant: expected LABEL=JAR[,NAME=VALUE...] with an existing jar"
done

bench_setup
NGINX_PORT=$(free_port)
mkdir -p "$BENCH_DIR/nginx"
# The nginx of the redirect scenario, verbatim.
sed -n '/^cat >"\$BENCH_DIR\/nginx\/nginx.conf" <<EOF$/,/^EOF$/p' bench/scenarios/10-redirects.sh | sed '1d;$d' |
    sed "s|\$BENCH_DIR|$BENCH_DIR|g; s|\$NGINX_PORT|$NGINX_PORT|g" >"$BENCH_DIR/nginx/nginx.conf"
service_start nginx "$BENCH_DIR/nginx/stdout.log" nginx -p "$BENCH_DIR/nginx" -c "$BENCH_DIR/nginx/nginx.conf" -g 'daemon off;'
wait_http "http://127.0.0.1:$NGINX_PORT/r/bench-1" 20 302 || die "nginx did not start"
NGINX_URL=http://127.0.0.1:$NGINX_PORT/r/bench-1
export ROUTER_JAVA_OPTS=${ROUTER_JAVA_OPTS:--Xms512m -Xmx512m}

ticks() {
    local total=0 pid
    for pid in "$@"; do
        [[ -r /proc/$pid/stat ]] && total=$((total + $(awk '{print $14+$15}' "/proc/$pid/stat")))
    done
    echo "$total"
}
metric() { curl -s "$ROUTER_URL/metrics" | awk -v name="$1" '$1 == name {print $2}'; }

for round in $(seq 1 "$rounds"); do
    for variant in "${variants[@]}"; do
        label=${variant%%=*}
        spec=${variant#*=}
        IFS=, read -r -a parts <<<"$spec"
        export ROUTER_JAR=${parts[0]}
        settings=()
        for part in "${parts[@]:1}"; do
            if [[ $part == SQL_FILE=* ]]; then
                psql_bench -f "${part#SQL_FILE=}" >/dev/null
            else
                settings+=("$part")
            fi
        done
        router_start_as router "$ROUTER_PORT" "${settings[@]}" >/dev/null
        for _ in $(seq 1 120); do
            curl -s "$ROUTER_URL/readyz" | grep -q '"agentParser":"ready"' && break
            sleep 1
        done
        prio wrk -t1 -c256 -d30s "$ROUTER_URL/r/bench-1" >/dev/null
        ratios=()
        for _ in 1 2; do
            nginx_rps=$(wrk_run 256 "$NGINX_URL" | awk '{print $1}')
            router_rps=$(wrk_run 256 "$ROUTER_URL/r/bench-1" | awk '{print $1}')
            ratios+=("$(awk -v a="$router_rps" -v b="$nginx_rps" 'BEGIN{printf "%.1f%% (%.0fk/%.0fk)", 100*a/b, a/1000, b/1000}')")
        done
        router_pid=$(cat "$BENCH_DIR/router.pid")
        postmaster=$(head -1 "$BENCH_DIR/pg/postmaster.pid")
        batches0=$(metric 'clickledger_click_batch_size_count{service="router"}')
        clicks0=$(metric 'clickledger_click_batch_size_sum{service="router"}')
        r0=$(ticks "$router_pid")
        p0=$(ticks "$postmaster" $(pgrep -P "$postmaster"))
        read -r busy0 idle0 < <(awk '/^cpu /{print $2+$3+$4+$6+$7+$8, $5}' /proc/stat)
        out=$({ prio wrk -t1 -c256 -d10s --latency "$ROUTER_URL/r/bench-1"; times; } 2>&1)
        r1=$(ticks "$router_pid")
        p1=$(ticks "$postmaster" $(pgrep -P "$postmaster"))
        read -r busy1 idle1 < <(awk '/^cpu /{print $2+$3+$4+$6+$7+$8, $5}' /proc/stat)
        batches1=$(metric 'clickledger_click_batch_size_count{service="router"}')
        clicks1=$(metric 'clickledger_click_batch_size_sum{service="router"}')
        rps=$(awk '/^Requests\/sec/{print $2}' <<<"$out")
        p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
        # `times`' last line: the children's user and system time (wrk), as 0m1.234s 0m0.567s.
        wrk_cpu=$(tail -1 <<<"$out" | awk '{gsub("m", " "); gsub("s", ""); print ($1*60+$2)+($3*60+$4)}')
        awk -v label="$label" -v round="$round" -v ratios="${ratios[*]}" -v rps="$rps" -v p99="$p99" \
            -v r=$((r1 - r0)) -v p=$((p1 - p0)) -v w="$wrk_cpu" -v idle=$((idle1 - idle0)) \
            -v b=$((batches1 - batches0)) -v c="$(awk -v a="$clicks1" -v z="$clicks0" 'BEGIN{print a-z}')" 'BEGIN{
            printf "%s round %d: router/nginx %s | %.0f/s p99 %s idle %.2f cores | us/redirect router %.1f pg %.1f wrk %.1f | %.0f clicks/batch\n",
                label, round, ratios, rps, p99, idle/1000, r*1e4/(rps*10), p*1e4/(rps*10), w*1e6/(rps*10), (b > 0 ? c/b : 0)}'
    done
done
