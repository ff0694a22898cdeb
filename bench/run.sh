#!/usr/bin/env bash
# `make bench`: the figures of issue 5 on this machine, written to docs/PERFORMANCE.md and
# bench/results/*.json.
#
# Installs what it needs (wrk, nginx, pgbouncer, jq from Debian) when missing, builds the jars when
# a source is newer, starts a tuned throwaway PostgreSQL (fsync and synchronous_commit on), the api
# and the router (bench/lib.sh, bench_setup), then runs every bench/scenarios/*.sh in name order.
# Each scenario writes its own bench/results/<name>.json; more scenarios plug in by adding a script
# there (bench/lib.sh says what a script gets). Finally the report is written from every results
# file, the drills' (make drills) included.
#
#   BENCH_RUNS=3 BENCH_DURATION=10   runs per figure, seconds per load run
#   BENCH_ONLY=redirects             run only the scenarios whose file name contains this (several:
#                                    BENCH_ONLY=rollup,attribution,webhooks)
#   BENCH_KEEP=1                     keep the scratch directory (logs, database) afterwards
#   BENCH_PG_VERSION=15              Debian's PostgreSQL 15 (the oldest supported major) instead of 17
#   BENCH_PG_CONF='a=1;b=2'          extra postgresql.conf settings, named in the report
#   BENCH_WRITEBACK=0                skip scenario 1's pass with the writeback sysctls
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export ROOT
# shellcheck source=bench/lib.sh
source bench/lib.sh

started=$SECONDS
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "load average before: $load_before (2 cores; other work on this machine lowers every figure)"
bench_setup

failed=()
for script in bench/scenarios/*.sh; do
    name=$(basename "$script" .sh)
    bench_selected "$name" || continue
    say "=== scenario $name"
    # Its figures of an earlier run go; a scenario that fails leaves none rather than stale ones.
    rm -f "$BENCH_RESULTS/$name.json"
    scenario_started=$SECONDS
    if bash "$script"; then
        say "=== $name done in $((SECONDS - scenario_started)) s"
    else
        say "=== $name FAILED after $((SECONDS - scenario_started)) s (see above); going on with the next"
        failed+=("$name")
    fi
    # A scenario may leave the router stopped or reconfigured; the next one gets the default.
    if ! service_pid router >/dev/null || [[ -f $BENCH_DIR/router.reconfigured ]]; then
        rm -f "$BENCH_DIR/router.reconfigured"
        router_start >/dev/null
    fi
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
    echo "Last \`make bench\`: $(date -u '+%Y-%m-%d %H:%M UTC'), $((SECONDS - started)) s in all (build included when the jars were stale)."
    echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM, Linux $(uname -r)."
    echo "Software: $("$JAVA" -version 2>&1 | head -1), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), $(nginx -v 2>&1 | sed 's/^nginx version: //'), wrk $({ wrk -v 2>&1 || true; } | head -1 | awk '{print $2}'), PgBouncer $(pgbouncer --version | head -1 | awk '{print $2}')."
    echo "Load average (1/5/15 min) before: $load_before; after: $load_after. The box is shared: other work running at the same time lowers every figure, nginx's included, which is why the router is always measured next to nginx in the same minute."
    echo "Router: \`java $ROUTER_JAVA_OPTS -jar router/target/router.jar\` with default settings (DB_POOL_SIZE 4, ROUTER_SELECTORS 2, CLICK_WRITER_THREADS 2, CLICK_DB_BUDGET_MS 250, CLICK_BATCH_MAX 1000). PostgreSQL: initdb'd for the run, shared_buffers 1GB, max_wal_size 8GB, checkpoint_timeout 30min, fsync and synchronous_commit on (bench/lib.sh, pg_init), ${BENCH_WAL_WARM_MB:-8192} MB of WAL segments created and recycled before the first scenario, as a cluster that has run for a while has them (pg_wal_warm, decision 0032)${BENCH_PG_CONF:+, and for this run $BENCH_PG_CONF}; $BENCH_WRITEBACK_NOTE. Load: wrk with one thread (\`wrk -t1\`), since on two cores a second wrk thread takes a core from the server it measures; the 10,000-connection and drill figures come from the project's own load client (\`java -jar bench/target/bench.jar load\`), which records every cref and checks PostgreSQL afterwards. The api runs next to them with \`STATS_ROLLUP_SECONDS=$BENCH_STATS_ROLLUP_SECONDS\` (the bench default 3600, against the product's 60): its stats job reads the clicks since its last run, millions of them after the redirect runs, and that work belongs to scenario 5, not to the redirect figures."
    if ((${#failed[@]})); then
        echo
        echo "**Scenarios that failed in this run:** ${failed[*]} (see the console output of make bench)."
    fi
} >"$BENCH_RESULTS/environment.md"
bench_java report --results "$BENCH_RESULTS" --out docs/PERFORMANCE.md --header "$BENCH_RESULTS/environment.md" >/dev/null
say "wrote docs/PERFORMANCE.md and bench/results/ in $((SECONDS - started)) s"
if ((${#failed[@]})); then
    die "scenarios failed: ${failed[*]}"
fi
