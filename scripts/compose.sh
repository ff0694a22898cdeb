#!/usr/bin/env bash
# scripts/compose.sh ARGS…: runs Compose v2 (the reference implementation, `docker compose`) with
# ARGS. Without a Docker engine it still parses, validates and resolves compose.yaml:
# `scripts/compose.sh config --quiet`. Uses `docker compose` or a `docker-compose` of v2 when one is
# installed; on Debian 12, whose docker-compose is the old v1 (it rejects the Compose
# Specification's top-level `name` and `depends_on.required`), Debian 13's v2 binary is unpacked
# into .data/compose once.
set -euo pipefail
cd "$(dirname "$0")/.."

v2() {
    [[ $("$@" version --short 2>/dev/null) =~ ^v?2\. ]]
}

if command -v docker >/dev/null && v2 docker compose; then
    exec docker compose "$@"
fi
if command -v docker-compose >/dev/null && v2 docker-compose; then
    exec docker-compose "$@"
fi
binary=$PWD/.data/compose/usr/libexec/docker/cli-plugins/docker-compose
if [[ ! -x $binary ]]; then
    # shellcheck disable=SC1091
    [[ $(. /etc/os-release 2>/dev/null && echo "$ID:$VERSION_ID" || true) == debian:12 ]] ||
        { echo "compose: install Docker Compose v2 (docker compose)" >&2; exit 1; }
    echo "compose: unpacking Debian 13's docker-compose (v2) into .data/compose" >&2
    scripts/debian13-packages.sh .data/compose docker-compose
fi
exec "$binary" "$@"
