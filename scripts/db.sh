#!/usr/bin/env bash
# `make backup` / `make restore FILE=…`: pg_dump and pg_restore against the clickledger database.
#
# The database is DATABASE_URL_DIRECT, else DATABASE_URL, else the embedded one that `make run`
# started (its URL is in .data/database-url). The direct URL wins because pg_dump holds one long
# transaction, which a transaction-mode PgBouncer is not meant for.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "$*" >&2
    exit 1
}

database_url() {
    local url=${DATABASE_URL_DIRECT:-${DATABASE_URL:-}}
    if [[ -z $url && -s .data/database-url ]]; then
        url=$(<.data/database-url)
    fi
    [[ -n $url ]] || die "No database: set DATABASE_URL (or DATABASE_URL_DIRECT), or start the embedded one with 'make run'."
    libpq_url "$url"
}

# The services accept JDBC URLs and clickledger's own pgbouncer=true flag; libpq accepts neither,
# so keep only the parameters libpq knows.
libpq_url() {
    local url=$1 base query kept=() param
    url=${url#jdbc:}
    [[ $url == postgres://* || $url == postgresql://* ]] || die "The database URL must start with postgres://, postgresql:// or jdbc:postgresql://"
    base=${url%%\?*}
    query=
    [[ $url == *\?* ]] && query=${url#*\?}
    local IFS='&'
    for param in $query; do
        case ${param%%=*} in
            user | password | sslmode | sslcert | sslkey | sslrootcert | sslpassword | application_name | \
                connect_timeout | options | target_session_attrs | gssencmode | channel_binding | host | port | dbname)
                kept+=("$param")
                ;;
        esac
    done
    if ((${#kept[@]})); then
        echo "$base?${kept[*]}"
    else
        echo "$base"
    fi
}

# The newest client wins: pg_dump refuses servers of a newer major version than its own.
pg_tool() {
    local name=$1 variable=$2 best='' best_major=0 candidate major
    if [[ -n ${!variable:-} ]]; then
        echo "${!variable}"
        return
    fi
    for candidate in /usr/lib/postgresql/*/bin/"$name" /usr/pgsql-*/bin/"$name" /opt/homebrew/opt/postgresql@*/bin/"$name" \
        "$(command -v "$name" 2>/dev/null || true)"; do
        [[ -x $candidate ]] || continue
        major=$("$candidate" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')
        if [[ $major =~ ^[0-9]+$ ]] && ((major > best_major)); then
            best=$candidate best_major=$major
        fi
    done
    [[ -n $best ]] || die "$name is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client), or set $variable."
    echo "$best"
}

# Shown when the client is older than the server (the embedded database of `make run` is PostgreSQL 15).
version_hint() {
    local log=$1 tool=$2
    if grep -q 'server version mismatch\|unsupported version' "$log"; then
        echo "Hint: $tool is $("$tool" --version | sed -E 's/.* ([0-9.]+).*/\1/') and the server is newer." \
            "Install the client of the server's major version or point PG_DUMP / PG_RESTORE at one." >&2
    fi
}

# For messages: the URL without its credentials or parameters.
shown() {
    local url=${1%%\?*}
    echo "${url/\/\/*@/\/\/}"
}

backup() {
    local url pg_dump file log
    url=$(database_url)
    pg_dump=$(pg_tool pg_dump PG_DUMP)
    mkdir -p backups
    file=backups/clickledger-$(date -u +%Y%m%d-%H%M%S).dump
    log=$(mktemp)
    # Written under a temporary name first, so a failed dump never looks like a backup.
    if ! "$pg_dump" --format=custom --no-owner --file="$file.partial" --dbname="$url" 2>"$log"; then
        cat "$log" >&2
        version_hint "$log" "$pg_dump"
        rm -f "$file.partial" "$log"
        exit 1
    fi
    rm -f "$log"
    mv "$file.partial" "$file"
    echo "Backup written to $file ($(du -h "$file" | cut -f1)) with $("$pg_dump" --version)."
    echo "Restore it with: make restore FILE=$file"
}

# Replaces the database's public schema with the backup's, in one transaction: a restore that fails
# halfway (a truncated file, a version mismatch) leaves the database as it was. `pg_restore --clean --if-exists` is not enough here: its
# DROP CONSTRAINT on each click partition fails ("cannot drop inherited constraint"), so the
# schema is dropped whole instead and the archive replayed as SQL through psql.
restore() {
    local file=${1:-} url pg_restore psql log answer
    [[ -n $file ]] || die "Usage: make restore FILE=backups/clickledger-YYYYMMDD-HHMMSS.dump"
    [[ -f $file ]] || die "No such backup: $file"
    url=$(database_url)
    pg_restore=$(pg_tool pg_restore PG_RESTORE)
    psql=$(pg_tool psql PSQL)
    if [[ -t 0 && ${CONFIRM:-} != yes ]]; then
        read -r -p "Replace everything in $(shown "$url") with $file? Stop the services first. [y/N] " answer
        [[ $answer == [yY]* ]] || die "Restore cancelled."
    fi
    log=$(mktemp)
    # COMMIT is sent only after pg_restore read the whole archive; without it psql's session ends
    # inside the transaction and PostgreSQL rolls everything back.
    if ! {
        printf 'set client_min_messages = warning;\nbegin;\ndrop schema if exists public cascade;\ncreate schema public;\n'
        "$pg_restore" --no-owner --no-acl --file=- "$file" && printf 'commit;\n'
    } 2>"$log" | "$psql" --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --output=/dev/null --dbname="$url" 2>>"$log"; then
        cat "$log" >&2
        version_hint "$log" "$pg_restore"
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    echo "Restored $file into $(shown "$url"). Start the services again (make run)."
}

case ${1:-} in
    backup) backup ;;
    restore) restore "${2:-}" ;;
    *) die "Usage: scripts/db.sh backup | restore FILE" ;;
esac
