#!/usr/bin/env bash
# `make export` / `make import FILE=…`: the api jar's export/import CLI against the database, with
# a progress line (rows/s, ETA). The database is DATABASE_URL (DATABASE_URL_DIRECT when set), else
# the embedded one of `make run` (.data/database-url), as for `make backup`. Builds the api jar
# when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "$*" >&2
    exit 1
}

data_dir=${CLICKLEDGER_DATA_DIR:-.data}
if [[ -z ${DATABASE_URL:-} ]]; then
    [[ -s $data_dir/database-url ]] ||
        die "No database: set DATABASE_URL, or start the embedded one with 'make run'."
    DATABASE_URL=$(<"$data_dir/database-url")
    export DATABASE_URL
fi
# Imported webhook endpoints get new signing secrets, sealed with the api's key.
if [[ -z ${SECRETS_ENCRYPTION_KEY:-} && -z ${SECRETS_ENCRYPTION_KEY_FILE:-} && -s $data_dir/secrets-encryption-key ]]; then
    SECRETS_ENCRYPTION_KEY_FILE=$data_dir/secrets-encryption-key
    export SECRETS_ENCRYPTION_KEY_FILE
fi
# Program logos travel inside the export: read from, and imported into, the api's storage, which
# under `make run` is the data directory's storage/ (STORAGE_DIR or STORAGE_KIND=s3 say otherwise).
if [[ -z ${STORAGE_DIR:-} ]]; then
    STORAGE_DIR=$PWD/$data_dir/storage
    [[ $data_dir == /* ]] && STORAGE_DIR=$data_dir/storage
    export STORAGE_DIR
fi
export LOG_LEVEL=${LOG_LEVEL:-WARN} LOG_FORMAT=${LOG_FORMAT:-text}

JAVA_HOME=$(scripts/find-jdk.sh)
export JAVA_HOME
if [[ ! -f api/target/api.jar ]]; then
    echo "Building the api jar (./mvnw -B -q -pl api -am package -DskipTests)..." >&2
    ./mvnw -B -q -pl api -am package -DskipTests >&2
fi
run() {
    "$JAVA_HOME/bin/java" ${JAVA_OPTS:-} -jar api/target/api.jar "$@"
}

case ${1:-} in
    export)
        arguments=(export --format "${FORMAT:-json}")
        [[ -n ${TABLES:-} ]] && arguments+=(--tables "$TABLES")
        [[ -n ${PROGRAM:-} ]] && arguments+=(--program "$PROGRAM")
        [[ -n ${OUT:-} ]] && arguments+=(--out "$OUT")
        run "${arguments[@]}"
        ;;
    import)
        [[ -n ${2:-} ]] || die "Usage: make import FILE=exports/clickledger-….zip (or OpenPartner's openpartner-export.json)"
        run import "$2"
        ;;
    *) die "Usage: scripts/data.sh export | import FILE" ;;
esac
