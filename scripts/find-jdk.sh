#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer, so the build and `make run` never pick up an older default
# java. Order: JAVA_HOME if it qualifies, then the newest JDK found under the usual install folders
# and the `java` on PATH. Exits 1 with a clear message when there is none.
set -euo pipefail

readonly MINIMUM=21

# The feature release of the JDK at $1 (17, 21, 25...), or nothing when it is not a JDK.
jdk_major() {
    local home=$1 line version
    [[ -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 0
    line=$("$home/bin/java" -version 2>&1 | grep -m1 -i 'version "' || true)
    version=${line#*version \"}
    version=${version%%\"*}
    # Java 8 and older said 1.8.0_x; every JDK this project can use starts with its feature release.
    [[ $version == 1.* ]] && version=${version#1.}
    version=${version%%[.+-]*}
    [[ $version =~ ^[0-9]+$ ]] && echo "$version"
    return 0
}

qualifies() {
    local major
    major=$(jdk_major "$1")
    [[ -n $major && $major -ge $MINIMUM ]]
}

if [[ -n ${JAVA_HOME:-} ]] && qualifies "$JAVA_HOME"; then
    echo "$JAVA_HOME"
    exit 0
fi

candidates=()
for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [[ -d $home && ! -L $home ]] && candidates+=("$home")
done
if command -v java >/dev/null 2>&1; then
    on_path=$(command -v java)
    on_path=$(readlink -f "$on_path" 2>/dev/null || echo "$on_path")
    candidates+=("$(dirname "$(dirname "$on_path")")")
fi

best='' best_major=0
for home in ${candidates[@]+"${candidates[@]}"}; do
    major=$(jdk_major "$home")
    if [[ -n $major && $major -ge $MINIMUM && $major -gt $best_major ]]; then
        best=$home best_major=$major
    fi
done

if [[ -n $best ]]; then
    echo "$best"
    exit 0
fi

{
    echo "clickledger needs a JDK 21 or newer; set JAVA_HOME."
    if [[ -n ${JAVA_HOME:-} ]]; then
        found=$(jdk_major "$JAVA_HOME")
        echo "  JAVA_HOME=$JAVA_HOME is ${found:+JDK $found, }not a JDK ${MINIMUM}+."
    fi
    echo "  Looked in /usr/lib/jvm, /usr/java, /opt, ~/.sdkman and the java on PATH."
    echo "  Install one (Temurin 21+, or openjdk-21-jdk where the distribution has it) and retry."
} >&2
exit 1
