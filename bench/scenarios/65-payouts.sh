#!/usr/bin/env bash
# Scenario 6b: payouts (issue 16). 1,000,000 approved commissions of one program across 10,000
# partners (100 each, one in ten of them negative: refunds of commissions paid earlier), seeded
# with SQL; then POST /v1/payouts over HTTP pays them in one batch (10,000 payouts claiming every
# commission) and GET /v1/payouts/export streams the batch's CSV. Floor: the batch answers 201 in
# ≤ 30 s (its whole answer read, 10,000 payouts with their million commission ids). The api runs
# with a 256 MB heap for this scenario, and its heap in use is sampled from /metrics every 0.2 s
# while the batch answers and the CSV streams: a batch or a file held whole would show, and with
# that heap, fail. Between runs the batch is cancelled in SQL (as POST /v1/payouts/{id}/cancel
# does, for all 10,000 at once), which releases its commissions for the next run.
#
# Alone: BENCH_ONLY=payouts bench/run.sh (BENCH_PAYOUT_COMMISSIONS and BENCH_PAYOUT_PARTNERS make
# it smaller for a trial).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=65-payouts
readonly COMMISSIONS=${BENCH_PAYOUT_COMMISSIONS:-1000000}
readonly PARTNERS=${BENCH_PAYOUT_PARTNERS:-10000}
readonly HEAP=256m

API_JAVA_OPTS="${API_JAVA_OPTS:-} -Xmx$HEAP" api_start
say "api restarted with -Xmx$HEAP"

slug=bench-payouts-$RANDOM$RANDOM
program=$(curl -sf -X POST "$API_URL/v1/programs" -H "Authorization: Bearer $ADMIN_API_KEY" \
    -H 'Content-Type: application/json' \
    -d "{\"slug\":\"$slug\",\"name\":\"Bench payouts\",\"destinationUrl\":\"https://shop.example.com/\",\"currency\":\"USD\",\"commissionRules\":[{\"kind\":\"percent\",\"amount\":\"10\"}]}" |
    jq -r .id)
[[ -n $program && $program != null ]] || die "could not create the payouts program"
program_uuid=$(psql_bench -At -c "select id from program where slug = '$slug'")

say "seeding $PARTNERS partners and $COMMISSIONS approved commissions (SQL)"
seed_started=$SECONDS
# Time-ordered ids, as the api makes them (UUIDv7): milliseconds first, then random bits.
psql_bench -v program="$program_uuid" -v partners="$PARTNERS" -v commissions="$COMMISSIONS" <<'SQL'
create temporary table seed_partner as
select g, (substr(lpad(to_hex(ms), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex(ms), 12, '0'), 9, 4) || '-7'
          || substr(r, 1, 3) || '-8' || substr(r, 4, 3) || '-' || substr(r, 7, 12))::uuid as id
  from generate_series(1, :partners) g,
       lateral (select (extract(epoch from now() - interval '2 days') * 1000)::bigint + g as ms,
                       md5(g::text || random()::text) as r) parts;
insert into partner (id, email, name, status)
select id, 'bench-payee-' || id || '@example.com', 'Payee ' || g, 'active' from seed_partner;
create temporary table seed_commission as
select g,
       (substr(lpad(to_hex(ms), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex(ms), 12, '0'), 9, 4) || '-7'
          || substr(r, 1, 3) || '-8' || substr(r, 4, 3) || '-' || substr(r, 7, 12))::uuid as id,
       (substr(lpad(to_hex(ms), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex(ms), 12, '0'), 9, 4) || '-7'
          || substr(r, 13, 3) || '-9' || substr(r, 16, 3) || '-' || substr(r, 19, 12))::uuid as event_id,
       1 + (g % :partners) as partner_g,
       -- Every partner gets one commission per round of :partners; every tenth round is negative.
       case when (g / :partners) % 10 = 0 then -(1 + (g % 500)) else 100 + (g::bigint * 7919) % 4900 end::bigint as amount_minor,
       to_timestamp(ms / 1000.0) as at
  from generate_series(1, :commissions) c(g),
       lateral (select (extract(epoch from now() - interval '1 day') * 1000)::bigint + g / 20 as ms,
                       md5(g::text || random()::text) || md5(random()::text) as r) parts;
insert into event (id, program_id, user_id, type, value_minor, currency, ts, created_at, attribution_status)
select event_id, :'program', 'buyer-' || g, 'purchase', abs(amount_minor) * 10, 'USD', at, at, 'attributed'
  from seed_commission order by g;
insert into commission (id, event_id, partner_id, program_id, amount_minor, currency, status, hold_until, kind,
                        created_at, updated_at)
select c.id, c.event_id, p.id, :'program', c.amount_minor, 'USD', 'approved', c.at,
       case when c.amount_minor < 0 then 'adjustment' else 'commission' end, c.at, c.at
  from seed_commission c join seed_partner p on p.g = c.partner_g order by c.g;
vacuum analyze partner;
vacuum analyze event;
vacuum analyze commission;
SQL
say "  seeded in $((SECONDS - seed_started)) s"

# heap_sampler OUT: the api's heap in use (bytes, summed over its pools), every 0.2 s, into OUT,
# until killed.
heap_sampler() {
    while true; do
        curl -s --max-time 1 "$API_URL/metrics" 2>/dev/null |
            awk '/^jvm_memory_used_bytes\{/ && /area="heap"/ { sum += $NF } END { if (sum) printf "%.0f\n", sum }' >>"$1"
        sleep 0.2
    done
}
peak_mb() { sort -n "$1" | tail -1 | awk '{ printf "%.0f\n", $1 / 1048576 }'; }

seconds=() heap_batch=() export_seconds=() heap_export=() payouts=() claimed=()
for run in $(seq 1 "$BENCH_RUNS"); do
    say "batch run $run/$BENCH_RUNS"
    samples=$BENCH_DIR/heap-batch-$run.txt
    : >"$samples"
    heap_sampler "$samples" &
    sampler=$!
    out=$BENCH_DIR/payout-batch-$run.json
    result=$(curl -s -o "$out" -w '%{http_code} %{time_total}' --max-time 600 -X POST "$API_URL/v1/payouts" \
        -H "Authorization: Bearer $ADMIN_API_KEY" -H 'Content-Type: application/json' \
        -d "{\"programId\":\"$program\"}")
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    read -r status took <<<"$result"
    [[ $status == 201 ]] || die "POST /v1/payouts answered $status: $(head -c 500 "$out")"
    batch=$(jq -r .batchId "$out")
    seconds+=("$took")
    heap_batch+=("$(peak_mb "$samples")")
    payouts+=("$(jq '.items | length' "$out")")
    claimed+=("$(jq '[.items[].commissionCount] | add // 0' "$out")")
    say "  201 in $took s: ${payouts[-1]} payouts claiming ${claimed[-1]} commissions; answer $(stat -c %s "$out") bytes; heap peak ${heap_batch[-1]} MB"

    samples=$BENCH_DIR/heap-export-$run.txt
    : >"$samples"
    heap_sampler "$samples" &
    sampler=$!
    csv=$BENCH_DIR/payouts-$run.csv
    result=$(curl -s -o "$csv" -w '%{http_code} %{time_total}' --max-time 600 \
        -H "Authorization: Bearer $ADMIN_API_KEY" "$API_URL/v1/payouts/export?format=csv&batchId=$batch")
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    read -r status took <<<"$result"
    [[ $status == 200 ]] || die "the CSV export answered $status: $(head -c 500 "$csv")"
    export_seconds+=("$took")
    heap_export+=("$(peak_mb "$samples")")
    rows=$(($(wc -l <"$csv") - 1))
    # The file's amounts add up to the batch's, to the cent.
    file_total=$(awk -F, 'NR > 1 { gsub(/"/, "", $6); split($6, p, "."); cents += p[1] * 100 + p[2] } END { printf "%.0f\n", cents }' "$csv")
    batch_total=$(psql_bench -At -c "select sum(amount_minor) from payout where batch_id = (select batch_id from payout where program_id = '$program_uuid' order by id desc limit 1)")
    [[ $rows == "${payouts[-1]}" && $file_total == "$batch_total" ]] ||
        die "the CSV has $rows rows totalling $file_total cents; the batch ${payouts[-1]} payouts totalling $batch_total"
    say "  CSV: $rows rows, $(stat -c %s "$csv") bytes in $took s, total $file_total cents as the batch; heap peak ${heap_export[-1]} MB"

    # Release the batch for the next run, as cancelling each payout would.
    psql_bench -c "update payout set status = 'cancelled', cancelled_at = now(), updated_at = now() where program_id = '$program_uuid' and status = 'pending'" \
        -c "delete from payout_commission pc using payout p where p.id = pc.payout_id and p.program_id = '$program_uuid' and p.status = 'cancelled'" \
        -c "vacuum analyze payout_commission" >/dev/null
done

worst=$(printf '%s\n' "${seconds[@]}" | sort -g | tail -1)
met=$(awk -v w="$worst" 'BEGIN { print (w <= 30) ? "true" : "false" }')
command="POST /v1/payouts {programId} over $COMMISSIONS approved commissions of $PARTNERS partners (curl, whole answer read)"
bench_row $ID "Payout batch, $COMMISSIONS commissions" "201 answered" "s" "$command" "≤ 30 s (worst run)" "$met" "${seconds[@]}"
bench_row $ID "Payout batch, $COMMISSIONS commissions" "api heap in use, peak" "MB" "$command; -Xmx$HEAP; /metrics every 0.2 s" "" "" "${heap_batch[@]}"
bench_row $ID "Payout batch, $COMMISSIONS commissions" "payouts created" "" "$command" "" "" "${payouts[@]}"
command="GET /v1/payouts/export?format=csv&batchId= (curl)"
bench_row $ID "Payout CSV of the batch" "streamed" "s" "$command" "" "" "${export_seconds[@]}"
bench_row $ID "Payout CSV of the batch" "api heap in use, peak" "MB" "$command; -Xmx$HEAP; /metrics every 0.2 s" "" "" "${heap_export[@]}"
bench_note $ID "$COMMISSIONS approved commissions (one in ten negative) of one USD program across $PARTNERS partners, seeded by SQL; every run claims them all (${claimed[0]} in run 1) and is released in SQL before the next. The api ran with -Xmx$HEAP; its heap is jvm_memory_used_bytes{area=\"heap\"} summed over the pools, so it includes garbage not yet collected."
bench_write $ID "6b. Payout batch and CSV (issue 16)" 65

api_start
