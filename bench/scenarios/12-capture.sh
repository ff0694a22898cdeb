#!/usr/bin/env bash
# Scenario 1a: what click capture costs the redirect (issue 19, decision 0022). Two routers side by
# side, the same jar and settings, both trusting 127.0.0.1 as their proxy (TRUSTED_PROXIES), both
# fed the same X-Forwarded-For addresses by the same wrk script; only the capture work differs:
#   without: no GEOIP_DB_PATH and one User-Agent, so a verdict cache hit per click and one
#            volatile read for the country;
#   with:    a real-size country database (GEOIP_DB_PATH, bench/lib.sh geoip_database) and a few
#            thousand distinct real-looking agents with Zipf popularity (bench.jar capture-traffic),
#            so the address cache mostly misses (many more addresses than it holds) and the agent
#            cache sees the misses a long tail brings.
# 256 connections, wrk -t1, BENCH_RUNS runs. A run is BENCH_CAPTURE_SLICES slices of
# BENCH_CAPTURE_SLICE seconds per router, interleaved A B B A A B B A (the pattern mirrored every
# run), and a router's figure for the run is the mean of its slices: the box's own drift, which
# moved two identical back-to-back 10-second runs ±10-15 % apart (decision 0022), then falls on
# both routers alike instead of on whichever ran second. Floor (issue 19): with ÷ without ≥ 95 %
# in every run. Afterwards the clicks table shows that the "with" router did the work: countries,
# devices and browsers filled.
#
# A scenario of its own rather than a pass in 10-redirects.sh: it needs two routers with other
# settings, a fetched database and a generated traffic file, and `BENCH_ONLY=capture` measures it
# alone in about ten minutes; scenario 1's figures and floors stay as they were.
#   BENCH_CAPTURE_AGENTS=3000 BENCH_CAPTURE_ADDRESSES=50000 BENCH_CAPTURE_WARMUP=30
#   BENCH_CAPTURE_SETTLE=180   at most this many seconds of settling (both routers, alternating)
#   BENCH_CAPTURE_SLICES=16 BENCH_CAPTURE_SLICE=5  slices per router per run, seconds each
# 80 s per router per run (was 20 s): on 6 Dec 2026, fifteen runs of 20 s per router (4 × 5 s and
# 10 × 2 s) gave with ÷ without 88.7-106.6 %, mean 98.6 %, standard deviation 4.3 points, from
# stalls of a second or so that hit one slice of either router (slices of one router 14.8k-35.0k/s
# within a run). A floor on the worst run then measures the stalls, not capture: four times the
# time per run halves the spread (decision 0022, "Run length").
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
readonly ID=12-capture
readonly CONNECTIONS=256
readonly AGENTS=${BENCH_CAPTURE_AGENTS:-3000}
readonly ADDRESSES=${BENCH_CAPTURE_ADDRESSES:-50000}
readonly REQUESTS=100000
# Warm-up per router before the first run (the JIT; with 10 s the first run of both routers was
# 10-15 % below the later ones in two quiet runs, the capture router's more). Then 5-second runs alternate between the two
# until the capture router's agent cache has settled: its parsing thread takes at most 200 new
# agents a second (UserAgents.PARSES_PER_SECOND), so 3,000 agents need 15 s or more; the figure is
# the steady state of a router that has met its traffic's agents, as one running for an hour has.
# It has settled when a 5-second run leaves under 1 % of its requests missing the cache, or after
# SETTLE s.
readonly WARMUP=${BENCH_CAPTURE_WARMUP:-30}
readonly SETTLE=${BENCH_CAPTURE_SETTLE:-180}
readonly SLICES=${BENCH_CAPTURE_SLICES:-16}
readonly SLICE=${BENCH_CAPTURE_SLICE:-5}
((SLICES >= 2 && SLICES % 2 == 0)) || die "BENCH_CAPTURE_SLICES=$SLICES: an even number ≥ 2 (the slices pair up A B B A)"
# The one agent of the router without capture: a real one about as long as the traffic's agents
# on average (128 chars, the traffic's mean 130; scenario 1's is 76), so both routers store and
# write as many bytes per click and only the capture work differs.
readonly SINGLE_AGENT='Mozilla/5.0 (Linux; Android 14; Redmi Note 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36'
readonly TRUSTED=TRUSTED_PROXIES=127.0.0.1/32,::1/128
# A link each, so the clicks table tells the two routers' clicks apart.
readonly PLAIN_SLUG=bench-11 CAPTURE_SLUG=bench-12

database=$(geoip_database)
say "GeoIP database: $database ($(du -h "$database" | cut -f1))"
traffic=$BENCH_DIR/capture-traffic.tsv
bench_java capture-traffic --out "$traffic" --agents "$AGENTS" --addresses "$ADDRESSES" --requests "$REQUESTS" \
    >"$BENCH_DIR/capture-traffic.json"
say "traffic: $(jq -r '"\(.requests) requests, \(.distinctAgentsRequested) of \(.distinctAgents) agents requested (top agent \(.topAgentShare) %, top 100 \(.top100AgentsShare) %), \(.distinctAddresses) addresses"' "$BENCH_DIR/capture-traffic.json")"
script=$ROOT/bench/capture.lua
mean_length=$(awk -F'\t' '{ n++; s += length($1) } END { printf "%.0f", s / n }' "$traffic")

# The main router becomes the one without capture (run.sh restarts the default one afterwards);
# the one with capture runs beside it on a port of its own.
touch "$BENCH_DIR/router.reconfigured"
say "starting the router without capture ($TRUSTED) and the router with capture (also GEOIP_DB_PATH)"
router_start "$TRUSTED" >/dev/null
CAPTURE_PORT=$(free_port)
CAPTURE_URL=http://127.0.0.1:$CAPTURE_PORT
router_start_as router-capture "$CAPTURE_PORT" "$TRUSTED" GEOIP_DB_PATH="$database" >/dev/null

# Both must have Yauaa loaded (until then every agent gets the quick rules, uncached) and the
# capture router its database; /readyz says both without waiting for them.
await_capture_ready() {
    local url=$1 want=$2 deadline=$((SECONDS + 300)) body
    while ((SECONDS < deadline)); do
        body=$(curl -s --max-time 2 "$url/readyz" || true)
        if [[ $body == *'"agentParser":"ready"'* && $body == *"\"geoip\":\"$want\""* ]]; then
            return 0
        fi
        sleep 0.5
    done
    die "$url not ready for the capture runs: $body"
}
await_capture_ready "$ROUTER_URL" off
await_capture_ready "$CAPTURE_URL" loaded
# The settling and the proof of work read the capture counters; a router from before them (an
# older ROUTER_JAR) would read as "no misses" and settle at once. The text is read whole before
# grep: `curl | grep -q` under pipefail fails whenever grep's early exit makes curl's write SIGPIPE.
capture_metrics=$(router_metrics "$CAPTURE_URL")
grep -q '^clickledger_user_agent_cache_misses_total' <<<"$capture_metrics" ||
    die "the router (${ROUTER_JAR:-router/target/router.jar}) does not expose clickledger_user_agent_cache_misses_total: it predates this scenario"

plain=$ROUTER_URL/r/$PLAIN_SLUG
capture=$CAPTURE_URL/r/$CAPTURE_SLUG
export CAPTURE_TRAFFIC=$traffic
# capture_wrk CONNECTIONS with|without: one run against that router with bench/capture.lua.
capture_wrk() {
    if [[ $2 == with ]]; then
        CAPTURE_AGENTS=all wrk_run "$1" "$capture" -s "$script"
    else
        CAPTURE_AGENTS=single CAPTURE_AGENT=$SINGLE_AGENT wrk_run "$1" "$plain" -s "$script"
    fi
}
started_at=$(psql_bench -At -c "select now()")

say "warming up both routers, ${WARMUP} s each (JIT)"
BENCH_DURATION=$WARMUP capture_wrk $CONNECTIONS without >/dev/null
BENCH_DURATION=$WARMUP capture_wrk $CONNECTIONS with >/dev/null
settle_started=$SECONDS settled=""
while ((SECONDS - settle_started < SETTLE)); do
    # The router without capture runs as long, so both come to the runs with the same history.
    BENCH_DURATION=5 capture_wrk $CONNECTIONS without >/dev/null
    misses_before=$(router_metric clickledger_user_agent_cache_misses_total "$CAPTURE_URL")
    read -r rps _ < <(BENCH_DURATION=5 capture_wrk $CONNECTIONS with)
    misses=$(($(router_metric clickledger_user_agent_cache_misses_total "$CAPTURE_URL") - misses_before))
    say "  settling the capture router's agent cache: $rps req/s, $((misses / 5)) cache misses + parses a second"
    if ((misses * 100 < rps * 5)); then
        settled="after $(((SECONDS - settle_started) / 2 + WARMUP)) s of warm-up each, a 5-second run left $((misses / 5)) agent cache misses a second at $rps req/s"
        break
    fi
done
settled=${settled:-"not within $SETTLE s: the figures include the parsing of agents still arriving"}
say "  agent cache settled $settled"

# The capture router's cache misses in a run, per second (router_metric sums the labels given).
misses_per_second() {
    awk -v a="$1" -v b="$2" -v d="$BENCH_DURATION" 'BEGIN { printf "%.0f", (a - b) / d }'
}

# A router's process CPU (user + system, clock ticks) from /proc: CPU per redirect is a figure the
# box's noise moves far less than two runs' throughput, so it shows what capture costs each click.
CLOCK_TICKS=$(getconf CLK_TCK)
cpu_ticks() {
    local pid
    pid=$(service_pid "$1") || { echo 0; return; }
    awk '{ print $14 + $15 }' "/proc/$pid/stat"
}
plain_rps=() plain_p99=() capture_rps=() capture_p99=() ratio=() errors=()
agent_parsed=() agent_quick=() geoip_misses=() plain_cpu=() capture_cpu=() cpu_ratio=()
# One slice against one router: adds its redirects, the worst p99, errors and CPU ticks to the
# run's sums (slice_* below, reset per run).
slice_run() {
    local which=$1 name rps p99 error_count ticks
    [[ $which == with ]] && name=router-capture || name=router
    ticks=$(cpu_ticks "$name")
    read -r rps _ p99 error_count < <(BENCH_DURATION=$SLICE capture_wrk $CONNECTIONS "$which")
    ticks=$(($(cpu_ticks "$name") - ticks))
    if [[ $which == with ]]; then
        slice_with_rps+=("$rps") slice_with_ticks=$((slice_with_ticks + ticks))
        slice_with_p99=$(awk -v a="$slice_with_p99" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
    else
        slice_without_rps+=("$rps") slice_without_ticks=$((slice_without_ticks + ticks))
        slice_without_p99=$(awk -v a="$slice_without_p99" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
    fi
    slice_errors=$((slice_errors + error_count))
}
mean() { printf '%s\n' "$@" | awk '{ s += $1; n++ } END { printf "%.0f", (n ? s / n : 0) }'; }
# CPU per redirect in µs over a run's slices of one router: ticks mean_rps
slices_cpu_per_redirect() {
    awk -v t="$1" -v r="$2" -v d="$((SLICES * SLICE))" -v hz="$CLOCK_TICKS" \
        'BEGIN { printf "%.1f", (r > 0 ? t / hz * 1e6 / (r * d) : 0) }'
}

# The time each router is loaded in a run (its slices): the per-second counters divide by it.
BENCH_DURATION=$((SLICES * SLICE))
for run in $(seq 1 "$BENCH_RUNS"); do
    say "$CONNECTIONS connections, run $run/$BENCH_RUNS: $SLICES slices of ${SLICE} s per router, interleaved"
    slice_with_rps=() slice_without_rps=() slice_with_ticks=0 slice_without_ticks=0
    slice_with_p99=0 slice_without_p99=0 slice_errors=0
    parsed=$(router_metric 'clickledger_user_agent_cache_misses_total{answer="parser"' "$CAPTURE_URL")
    quick=$(router_metric 'clickledger_user_agent_cache_misses_total{answer="quick_rules"' "$CAPTURE_URL")
    geoip=$(router_metric clickledger_geoip_cache_misses_total "$CAPTURE_URL")
    # A B B A …, mirrored (B A A B …) every other run.
    for pair in $(seq 1 "$SLICES"); do
        if (((pair + run) % 2)); then first=with second=without; else first=without second=with; fi
        slice_run $first
        slice_run $second
    done
    plain_rps+=("$(mean "${slice_without_rps[@]}")") capture_rps+=("$(mean "${slice_with_rps[@]}")")
    plain_p99+=("$slice_without_p99") capture_p99+=("$slice_with_p99") errors+=("$slice_errors")
    plain_cpu+=("$(slices_cpu_per_redirect "$slice_without_ticks" "${plain_rps[-1]}")")
    capture_cpu+=("$(slices_cpu_per_redirect "$slice_with_ticks" "${capture_rps[-1]}")")
    agent_parsed+=("$(misses_per_second "$(router_metric 'clickledger_user_agent_cache_misses_total{answer="parser"' "$CAPTURE_URL")" "$parsed")")
    agent_quick+=("$(misses_per_second "$(router_metric 'clickledger_user_agent_cache_misses_total{answer="quick_rules"' "$CAPTURE_URL")" "$quick")")
    geoip_misses+=("$(misses_per_second "$(router_metric clickledger_geoip_cache_misses_total "$CAPTURE_URL")" "$geoip")")
    ratio+=("$(awk -v c="${capture_rps[-1]}" -v p="${plain_rps[-1]}" 'BEGIN { printf "%.1f", (p > 0 ? 100 * c / p : 0) }')")
    cpu_ratio+=("$(awk -v c="${capture_cpu[-1]}" -v p="${plain_cpu[-1]}" 'BEGIN { printf "%.1f", (p > 0 ? 100 * c / p : 0) }')")
    say "  without capture: ${plain_rps[-1]} req/s (slices ${slice_without_rps[*]}), p99 ≤ ${plain_p99[-1]} ms, router CPU ${plain_cpu[-1]} µs a redirect"
    say "  with capture:    ${capture_rps[-1]} req/s (slices ${slice_with_rps[*]}), p99 ≤ ${capture_p99[-1]} ms, router CPU ${capture_cpu[-1]} µs a redirect; per second ${geoip_misses[-1]} GeoIP tree walks, ${agent_quick[-1]} agent cache misses, ${agent_parsed[-1]} agents parsed"
    say "  with ÷ without: ${ratio[-1]} % of the redirects, ${cpu_ratio[-1]} % of the CPU per redirect; errors $slice_errors"
done

scenario="Capture cost on the redirect, $CONNECTIONS connections"
command="wrk -t1 -c$CONNECTIONS -d${SLICE}s --timeout 10s --latency -s bench/capture.lua URL"
bench_row $ID "$scenario" "router redirects/s without capture (no GeoIP database, one User-Agent)" "req/s" "CAPTURE_AGENTS=single CAPTURE_AGENT='Mozilla/5.0 (Linux; Android 14; Redmi Note 13) …' $command (router: /r/$PLAIN_SLUG)" "" "" "${plain_rps[@]}"
bench_row $ID "$scenario" "router redirects/s with capture (GeoIP country database, $AGENTS Zipf-popular User-Agents)" "req/s" "CAPTURE_AGENTS=all $command (router with GEOIP_DB_PATH: /r/$CAPTURE_SLUG)" "" "" "${capture_rps[@]}"
bench_row $ID "$scenario" "with ÷ without" "%" "per run: the two routers' mean req/s over their $SLICES interleaved ${SLICE}-s slices (A B B A …)" "≥ 95 %" "" "${ratio[@]}"
bench_row $ID "$scenario" "router CPU per redirect without capture" "µs" "the router process's user + system CPU (/proc/PID/stat) over the run ÷ its redirects" "" "" "${plain_cpu[@]}"
bench_row $ID "$scenario" "router CPU per redirect with capture" "µs" "the router process's user + system CPU (/proc/PID/stat) over the run ÷ its redirects" "" "" "${capture_cpu[@]}"
bench_row $ID "$scenario" "CPU per redirect, with ÷ without" "%" "per run: the two routers' CPU per redirect in the same run (what capture costs a click, less moved by the box's noise than the req/s ratio)" "" "" "${cpu_ratio[@]}"
bench_row $ID "$scenario" "router p99 without capture" "ms" "CAPTURE_AGENTS=single … $command" "" "" "${plain_p99[@]}"
bench_row $ID "$scenario" "router p99 with capture" "ms" "CAPTURE_AGENTS=all $command" "" "" "${capture_p99[@]}"
bench_row $ID "$scenario" "GeoIP lookups the address cache missed (tree walks), with capture" "/s" "clickledger_geoip_cache_misses_total before and after each run ÷ ${BENCH_DURATION} s" "" "" "${geoip_misses[@]}"
bench_row $ID "$scenario" "agents parsed by Yauaa (on the router's parsing thread), with capture" "/s" "clickledger_user_agent_cache_misses_total{answer=\"parser\"} per run ÷ ${BENCH_DURATION} s" "" "" "${agent_parsed[@]}"
bench_row $ID "$scenario" "agent cache misses on the request threads (answered by the quick rules), with capture" "/s" "clickledger_user_agent_cache_misses_total{answer=\"quick_rules\"} per run ÷ ${BENCH_DURATION} s" "" "" "${agent_quick[@]}"
bench_row $ID "$scenario" "socket errors + non-3xx, both routers" "" "$command" "0" "" "${errors[@]}"

# Proof of work: the clicks each router stored during the scenario, with what capture filled in.
# Wait until both routers' queues are written out.
sleep 2
proof=$(psql_bench -At -F $'\t' <<SQL
select l.slug, count(*), count(c.country), count(distinct c.country), count(c.device),
       count(*) filter (where c.device is not null and c.device <> 'other'),
       count(distinct c.browser), count(distinct c.os), count(*) filter (where c.is_bot),
       coalesce(string_agg(distinct c.device, ',' order by c.device), '')
from click c join link l on l.id = c.link_id
where l.slug in ('$PLAIN_SLUG', '$CAPTURE_SLUG') and c.ts >= '$started_at'
group by l.slug order by l.slug
SQL
)
say "clicks stored during the scenario (slug, clicks, with country, countries, with device, device not other, browsers, OSes, bots, devices):"
printf '%s\n' "$proof" | sed 's/^/  /' >&2
capture_line=$(grep -P "^$CAPTURE_SLUG\t" <<<"$proof" || true)
plain_line=$(grep -P "^$PLAIN_SLUG\t" <<<"$proof" || true)
[[ -n $capture_line && -n $plain_line ]] || die "no clicks stored for $PLAIN_SLUG or $CAPTURE_SLUG"
IFS=$'\t' read -r _ clicks with_country countries with_device classed browsers systems bots devices <<<"$capture_line"
IFS=$'\t' read -r _ plain_clicks plain_country _ _ _ plain_browsers _ _ plain_devices <<<"$plain_line"
country_share=$(awk -v a="$with_country" -v b="$clicks" 'BEGIN { printf "%.1f", 100 * a / b }')
classed_share=$(awk -v a="$classed" -v b="$clicks" 'BEGIN { printf "%.1f", 100 * a / b }')
bench_note $ID "Proof of work: the router with capture stored $clicks clicks in this scenario, $country_share % with a country ($countries countries), $classed_share % with a device class other than \"other\" ($devices; $bots bots), $browsers browser and $systems OS families. The router without capture stored $plain_clicks, $plain_country with a country, devices $plain_devices, $plain_browsers browser family. Query: bench/scenarios/12-capture.sh, clicks of /r/$CAPTURE_SLUG and /r/$PLAIN_SLUG since the scenario began."
bench_note $ID "Traffic (bench.jar capture-traffic, seed 19): $(jq -r '"\(.requests) requests cycled; \(.distinctAgentsRequested) distinct User-Agents (Android and iPhone browsers, in-app browsers, desktops, tablets, and real crawler and previewer agents from the router'"'"'s pinned crawler list) with Zipf popularity, the top agent \(.topAgentShare) % of requests, the top 100 \(.top100AgentsShare) %; X-Forwarded-For from \(.distinctAddresses) public addresses, 4 in 5 IPv4"' "$BENCH_DIR/capture-traffic.json"). Both routers get the same addresses from the same script; the one without capture gets one real agent of ${#SINGLE_AGENT} chars, as long as the traffic's agents on average ($mean_length chars), so both store as many bytes per click. GeoIP database: $GEOIP_PACKAGE@$GEOIP_VERSION ($(du -h "$database" | cut -f1), IPv4 and IPv6). Warm-up ${WARMUP} s per router, then the router with capture ran on until its agent cache settled ($settled); runs alternate, the order flipping every run."
# shellcheck disable=SC2015
((with_country > 0 && with_device > 0 && countries > 10 && browsers > 3)) ||
    die "the router with capture did not fill countries, devices and browsers: $capture_line"
((plain_country == 0)) || die "the router without capture stored countries: $plain_line"
service_stop router-capture
bench_write $ID "1a. Capture cost on the redirect: GeoIP and User-Agent parsing (issue 19)" 12
