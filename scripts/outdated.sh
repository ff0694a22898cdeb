#!/usr/bin/env bash
# make outdated: every dependency and plugin with a newer release on Maven Central, one line each,
# deduplicated over the reactor (versions-maven-plugin; pre-releases are ignored, see pom.xml).
# It only shows drift: nothing is changed, and it exits 0 whatever it finds.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(scripts/find-jdk.sh)
export JAVA_HOME

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! ./mvnw -B versions:display-dependency-updates versions:display-plugin-updates \
    -DprocessDependencyManagementTransitive=false >"$log" 2>&1; then
    cat "$log" >&2
    echo "outdated: the versions plugin failed (output above)" >&2
    exit 1
fi

# The plugin prints "  group:artifact .... 1.0 -> 2.0", and wraps a long name onto two lines.
# Which section a line is in says whether it is a dependency or a plugin.
report() {
    awk -v want="$1" '
        /--- versions:.*:display-dependency-updates/ { section = "dependencies" }
        /--- versions:.*:display-plugin-updates/ { section = "plugins" }
        /Require Maven .* to use the following plugin updates/ { section = "older-maven" }
        { sub(/^\[INFO\] */, "") }
        section != want { pending = ""; next }
        / -> / {
            line = pending " " $0; pending = ""
            gsub(/ \.+ /, " ", line); gsub(/ +/, " ", line); sub(/^ /, "", line)
            print "  " line
            next
        }
        /\.\.\.$/ { pending = $0; sub(/ *\.\.\.$/, "", pending); next }
        { pending = "" }
    ' "$log" | sort -u
}

dependencies=$(report dependencies)
plugins=$(report plugins)
echo "Dependencies with newer releases:"
echo "${dependencies:-  (none)}"
echo "Plugins with newer releases:"
echo "${plugins:-  (none)}"
maven=$(sed -n 's/^distributionUrl=.*apache-maven-\([0-9.]*\)-bin.zip/\1/p' .mvn/wrapper/maven-wrapper.properties)
formatter=$(sed -n 's:.*<palantirJavaFormat><version>\([^<]*\)</version>.*:\1:p' pom.xml)
echo "Not checked here: Maven $maven (.mvn/wrapper/maven-wrapper.properties), palantir-java-format $formatter (pom.xml, spotless)."
