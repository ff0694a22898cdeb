#!/usr/bin/env bash
# Where a JFR recording's execution samples are, by layer (bench/profile-sdk.sh with PROFILE_JFR=1).
#   bash bench/jfr-layers.sh FILE.jfr
# Prints, per layer (PgJDBC, jOOQ, Jackson, Jetty, Javalin, HikariCP, clickledger, JDK, other):
#   own:       samples whose innermost frame outside the JDK is in the layer (the JDK's own work,
#              String, collections, crypto, charged to the library that called it); a sample with
#              no frame outside the JDK counts as JDK;
#   inclusive: samples with a frame of the layer anywhere in their (64-frame) stack.
# then the 15 innermost methods (self samples). JFR samples Java threads only: GC and JIT threads'
# CPU is in profile-sdk.sh's per-thread-kind CPU line.
set -euo pipefail
JAVA_HOME=${JAVA_HOME:-$(cd "$(dirname "$0")/.." && scripts/find-jdk.sh)}
"$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 64 "$1" | awk '
function layer(frame) {
    if (frame ~ /^org\.postgresql\./) return "PgJDBC"
    if (frame ~ /^org\.jooq\./) return "jOOQ"
    if (frame ~ /^com\.fasterxml\.jackson\./) return "Jackson"
    if (frame ~ /^org\.eclipse\.jetty\./) return "Jetty"
    if (frame ~ /^io\.javalin\./) return "Javalin"
    if (frame ~ /^com\.zaxxer\.hikari\./) return "HikariCP"
    if (frame ~ /^clickledger\./) return "clickledger"
    if (frame ~ /^(java|javax|jdk|sun|com\.sun)\./) return "JDK"
    return "other"
}
function flush(   i, l, own, seen) {
    if (depth == 0) return
    samples++
    self[top]++
    own = "JDK"
    for (i = 1; i <= depth; i++) {
        l = layer(frames[i])
        if (own == "JDK" && l != "JDK") own = l
        if (!(l in seen)) { seen[l] = 1; incl[l]++ }
    }
    owned[own]++
    depth = 0
    delete seen
}
/^jdk\.ExecutionSample/ { flush(); instack = 0; next }
/stackTrace = \[/ { instack = 1; next }
instack && /^[[:space:]]*\]/ { instack = 0; next }
instack {
    frame = $1
    sub(/\(.*/, "", frame)
    if (frame == "...") next
    frames[++depth] = frame
    if (depth == 1) top = frame
}
END {
    flush()
    if (samples == 0) { print "no execution samples"; exit }
    printf "%d samples\n", samples
    printf "%-12s %7s %10s\n", "layer", "own %", "inclusive %"
    for (l in incl) printf "%-12s %7.1f %10.1f\n", l, 100 * owned[l] / samples, 100 * incl[l] / samples | "sort -k2 -g -r"
    close("sort -k2 -g -r")
    print "innermost methods (self %):"
    for (f in self) printf "  %5.1f %s\n", 100 * self[f] / samples, f | "sort -g -r | head -15"
    close("sort -g -r | head -15")
}'
