#!/usr/bin/env bash
# Scenario 7: webhooks. bench/webhooks queues 100,000 pending deliveries through the outbox, starts
# one delivery worker with the default settings against a receiver on 127.0.0.1 that answers 204
# at once, and times the drain: deliveries/s and the drain time. Eight endpoints of 8 in flight each
# (WEBHOOK_ENDPOINT_CONCURRENCY) fill the worker's overall limit (WEBHOOK_CONCURRENCY=64);
# `bench/webhooks --endpoints 1,8` measures one endpoint as well. Floors (issue 17, worst run): the
# drain within 30 s, and every delivery received exactly once (the receiver keeps each delivery id;
# bench/webhooks fails a run otherwise).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=70-webhooks
readonly DELIVERIES=${BENCH_WEBHOOK_DELIVERIES:-100000}
# One drain of 100,000 takes about 90 s on the quiet bench box; BENCH_WEBHOOK_RUNS=1 saves three
# minutes when only the other figures matter.
readonly RUNS=${BENCH_WEBHOOK_RUNS:-$BENCH_RUNS}

psql_bench -d postgres -c "drop database if exists clickledger_webhooks" -c "create database clickledger_webhooks" >/dev/null
out=$BENCH_DIR/webhooks.json
say "draining $DELIVERIES deliveries to 8 endpoints, $RUNS run(s)"
TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/clickledger_webhooks"  \
    prio bash "$ROOT/bench/webhooks" --deliveries "$DELIVERIES" --runs "$RUNS" --endpoints 8 --out "$out" \
    2>&1 | grep -v -e '^WARNING' -e '^[0-9:. ]*\[' | sed 's/^/  /' >&2
[[ -f $out ]] || die "bench/webhooks wrote no $out"
command="bench/webhooks --deliveries $DELIVERIES --runs $RUNS --endpoints 8"
scenario="Webhooks, $DELIVERIES pending, 8 endpoints"
drained_in_time=$(jq '[.scenarios[0].runs[].drainSeconds] | max <= 30' "$out")
once=$(jq '[.scenarios[0].runs[] | (.requests - .distinctDeliveries) + ('"$DELIVERIES"' - .distinctDeliveries)] | max == 0' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "drain time of all pending deliveries" "s" "$command" "≤ 30 s" "$drained_in_time" $(jq -r '.scenarios[0].runs[].drainSeconds' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "deliveries/s" "/s" "$command" "" "" $(jq -r '.scenarios[0].runs[].deliveriesPerSecond' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "deliveries not received exactly once (duplicates and missing)" "" "$command" "0" "$once" $(jq -r '.scenarios[0].runs[] | (.requests - .distinctDeliveries) + ('"$DELIVERIES"' - .distinctDeliveries)' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "queueing them through the outbox (one transaction)" "s" "$command" "" "" $(jq -r '.scenarios[0].runs[].queueSeconds' "$out")
# shellcheck disable=SC2046
bench_row $ID "$scenario" "one HTTP exchange with the receiver, mean" "ms" "$command" "" "" $(jq -r '.scenarios[0].runs[].meanRequestMillis' "$out")
bench_note $ID "$(jq -r .settings "$out")."
bench_write $ID "7. Webhooks" 70
psql_bench -d postgres -c "drop database if exists clickledger_webhooks" >/dev/null
