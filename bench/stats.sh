#!/usr/bin/env bash
# Dashboard stats at 10 million clicks (issue 5): generates a year of traffic by COPY into an
# embedded PostgreSQL (or TEST_DATABASE_URL), rolls it up, times GET /v1/stats against the real
# api, and writes bench/results/stats.json and its section of docs/PERFORMANCE.md.
#
# Settings (environment): BENCH_CLICKS (10000000), BENCH_PARTNERS (1000), BENCH_CONVERSIONS
# (100000), BENCH_SAMPLES (100 requests per scenario and run), BENCH_WARMUP (10 requests before
# them), BENCH_RUNS (3), BENCH_WRITE (true; false prints the figures without writing them),
# BENCH_DATABASE_URL (an empty database to fill and keep, instead of a throwaway one). Extra
# arguments go to Maven, e.g. -o. Not part of `make test`: StatsBenchmarkRun is no *Test class.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(scripts/find-jdk.sh)
export JAVA_HOME
exec ./mvnw -B -q -Pbench -pl api -am test \
    -Dtest=StatsBenchmarkRun -Dsurefire.failIfNoSpecifiedTests=false \
    -Dbench.root="$PWD" \
    -Dbench.clicks="${BENCH_CLICKS:-10000000}" \
    -Dbench.partners="${BENCH_PARTNERS:-1000}" \
    -Dbench.conversions="${BENCH_CONVERSIONS:-100000}" \
    -Dbench.samples="${BENCH_SAMPLES:-100}" \
    -Dbench.warmup="${BENCH_WARMUP:-10}" \
    -Dbench.runs="${BENCH_RUNS:-3}" \
    -Dbench.write="${BENCH_WRITE:-true}" \
    -Dbench.databaseUrl="${BENCH_DATABASE_URL:-}" \
    "$@"
