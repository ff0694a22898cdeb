#!/usr/bin/env bash
# Scenario 2: the write path's ceiling. How many click rows per second PostgreSQL itself takes on
# this box, in 500-row batches each committed on its own (one WAL flush per batch, as the router's
# group commit does): pgbench with a multi-row INSERT … SELECT, and a Java loop sending router-like
# clicks as the router does (binary COPY, its live path) and as its replay does (INSERT … FROM
# unnest … ON CONFLICT DO NOTHING). Shown next to the router's clicks/s from scenario 1.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=20-write-ceiling
readonly SECONDS_PER_RUN=5

# The router's writes would compete with the ceiling's: stop it for this scenario.
router_stop

cat >"$BENCH_DIR/ceiling.sql" <<'EOF'
insert into click (id, ts, link_id, program_id, partner_id, ip_hash, user_agent, landing_url, is_bot)
select (lpad(to_hex(ms), 12, '0') || substr(md5(random()::text || g), 1, 20))::uuid,
       to_timestamp(ms / 1000.0), l.id, l.program_id, l.partner_id, decode(substr(md5(g::text), 1, 32), 'hex'),
       'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 clickledger-ceiling',
       'https://acme.example/landing?src=aff', false
from (select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms) t,
     generate_series(1, 500) g,
     (select id, program_id, partner_id from link where slug = 'bench-1') l;
EOF
runs=()
for run in $(seq 1 "$BENCH_RUNS"); do
    say "pgbench, 2 clients, run $run/$BENCH_RUNS"
    tps=$(prio "$PG_TOOLS/pgbench" -n -h 127.0.0.1 -p "$PGPORT" -U postgres -c 2 -j 2 -T "$SECONDS_PER_RUN" \
        -f "$BENCH_DIR/ceiling.sql" clickledger 2>/dev/null | awk '/^tps = / { print $3 }')
    runs+=("$(awk -v t="$tps" 'BEGIN { printf "%.0f", t * 500 }')")
    say "  ${runs[-1]} rows/s"
done
pgbench_median=$(median "${runs[@]}")
bench_row $ID "Raw insert rate" "pgbench multi-row INSERT … SELECT, 500 rows/statement, 2 clients" "rows/s" \
    "pgbench -n -c 2 -j 2 -T $SECONDS_PER_RUN -f ceiling.sql (bench/scenarios/20-write-ceiling.sh)" "" "" "${runs[@]}"

best=$pgbench_median
for method in copy unnest; do
    for connections in 1 2; do
        runs=()
        for run in $(seq 1 "$BENCH_RUNS"); do
            say "Java $method, $connections connection(s), run $run/$BENCH_RUNS"
            out=$BENCH_DIR/ceiling-$method-$connections-$run.json
            bench_java ceiling --database-url "$DATABASE_URL" --method "$method" --connections "$connections" \
                --batch 500 --duration "${SECONDS_PER_RUN}s" >"$out"
            runs+=("$(json "$out" .rowsPerSecond)")
            say "  ${runs[-1]} rows/s"
        done
        label="binary COPY (the router's live path)"
        [[ $method == unnest ]] && label="INSERT … FROM unnest(arrays) ON CONFLICT DO NOTHING (the replay path)"
        bench_row $ID "Raw insert rate" "$label, 500 rows/batch, $connections connection(s)" "rows/s" \
            "java -jar bench/target/bench.jar ceiling --method $method --connections $connections --batch 500 --duration ${SECONDS_PER_RUN}s" \
            "" "" "${runs[@]}"
        m=$(median "${runs[@]}")
        best=$(awk -v a="$best" -v b="$m" 'BEGIN { print (b > a) ? b : a }')
    done
done

redirects=$BENCH_RESULTS/10-redirects.json
if [[ -f $redirects ]]; then
    router_runs=$(jq -r '.rows[] | select(.scenario == "Redirects, 256 connections" and (.figure | startswith("router redirects"))) | .runs[]' "$redirects")
    if [[ -n $router_runs ]]; then
        # shellcheck disable=SC2086 # one number per line
        bench_row $ID "Router against the ceiling" "router clicks/s at 256 connections (scenario 1; one click per redirect)" "clicks/s" \
            "see scenario 1" "" "" $router_runs
        # shellcheck disable=SC2086
        share=$(for r in $router_runs; do awk -v r="$r" -v b="$best" 'BEGIN { printf "%.1f\n", 100 * r / b }'; done)
        # shellcheck disable=SC2086
        bench_row $ID "Router against the ceiling" "router clicks/s ÷ best raw insert rate above" "%" \
            "router runs ÷ the best median of this table" "" "" $share
    fi
fi
bench_note $ID "Each batch is one autocommit statement, so one WAL flush (fsync on, synchronous_commit on) per 500 rows, as the router's group commit does per batch. The click table has its primary key, an index on (program_id, ts) and a BRIN index on ts (V5); every row lands in this month's partition."
bench_note $ID "The router's figure is bounded by HTTP handling and by sharing two cores with PostgreSQL and wrk, not by the insert rate: its batches are smaller than 500 and PostgreSQL runs at a fraction of the ceiling while the router is at its limit."
bench_write $ID "2. Write path ceiling: PostgreSQL's raw insert rate next to the router" 20
touch "$BENCH_DIR/router.reconfigured"
