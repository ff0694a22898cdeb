#!/usr/bin/env bash
# Scenario 5c: `make export` at 10 million clicks. The CLI behind it (java -jar api.jar export)
# writes scenario 5's database (10,000,000 clicks over 12 monthly partitions) as JSON Lines in a
# zip with a 128 MB heap, which holds a small fraction of one table: an export that buffered a
# table would die of OutOfMemoryError, so finishing is the flat-heap check. Figures: rows/s and the
# largest heap in use after a collection (GC log). Floor: it finishes within the heap.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=57-export
readonly HEAP_MB=128

if ! psql_bench -d postgres -tAc "select 1 from pg_database where datname = 'clickledger_stats'" | grep -q 1; then
    bench_note $ID "Not run: it exports scenario 5's database (clickledger_stats), which this run did not make."
    bench_write $ID "5c. make export at 10 million clicks" 57
    exit 0
fi
url="postgres://postgres@127.0.0.1:$PGPORT/clickledger_stats"
clicks=$(psql_bench -d clickledger_stats -tAc "select count(*) from click")
rates=() heaps=() finished=true
for run in $(seq 1 "$BENCH_RUNS"); do
    out=$BENCH_DIR/export-$run.zip gclog=$BENCH_DIR/export-gc-$run.log
    rm -f "$out" "$gclog"
    say "export of $clicks clicks, -Xmx${HEAP_MB}m, run $run/$BENCH_RUNS"
    start=$(date +%s.%N)
    if ! DATABASE_URL=$url LOG_FORMAT=text prio "$JAVA" -Xmx${HEAP_MB}m -XX:+ExitOnOutOfMemoryError \
        "-Xlog:gc:file=$gclog" -jar "$ROOT/api/target/api.jar" export --tables click --out "$out" \
        >"$BENCH_DIR/export-$run.log" 2>&1; then
        finished=false
        say "  failed: $(tail -n 3 "$BENCH_DIR/export-$run.log" | tr '\n' ' ')"
        continue
    fi
    seconds=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    rates+=("$(awk -v n="$clicks" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')")
    # "Pause Young (Normal) (G1 Evacuation Pause) 60M->12M(128M)": the heap in use after each collection.
    heaps+=("$(grep -oE -- '->[0-9]+M' "$gclog" | tr -dc '0-9\n' | sort -n | tail -n 1)")
    say "  ${rates[-1]} rows/s, at most ${heaps[-1]} MB in use after a collection, $(du -m "$out" | cut -f1) MB written"
    rm -f "$out"
done
command="DATABASE_URL=… java -Xmx${HEAP_MB}m -jar api/target/api.jar export --tables click (bench/scenarios/57-export.sh)"
if ((${#rates[@]} > 0)); then
    bench_row $ID "make export, $clicks clicks" "rows/s" "rows/s" "$command" "" "" "${rates[@]}"
    bench_row $ID "make export, $clicks clicks" "heap in use after a GC, largest" "MB" "$command -Xlog:gc" \
        "< $HEAP_MB MB (finishes)" "$finished" "${heaps[@]}"
fi
bench_note $ID "JSON Lines in a zip with its manifest; one repeatable-read snapshot read through a server-side cursor (1,000 rows a fetch). The heap is capped at ${HEAP_MB} MB; the table is several GB as JSON."
bench_write $ID "5c. make export at 10 million clicks" 57
