#!/usr/bin/env bash
# `make backup` / `make restore FILE=…`: pg_dump and pg_restore against the clickledger database.
#
# The database is DATABASE_URL_DIRECT, else DATABASE_URL, else the embedded one that `make run`
# started (its URL is in .data/database-url; CLICKLEDGER_DATA_DIR names another data directory). The direct URL wins because pg_dump holds one long
# transaction, which a transaction-mode PgBouncer is not meant for.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "$*" >&2
    exit 1
}

data_dir=${CLICKLEDGER_DATA_DIR:-.data}
backup_dir=${BACKUP_DIR:-backups}

database_url() {
    local url=${DATABASE_URL_DIRECT:-${DATABASE_URL:-}}
    if [[ -z $url && -s $data_dir/database-url ]]; then
        url=$(<"$data_dir/database-url")
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

# tool_major PATH: the major version of a PostgreSQL client tool ("pg_dump (PostgreSQL) 17.12" -> 17).
tool_major() {
    "$1" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/'
}

# pg_tool name variable [major]: the client tool to use. The variable's value when set; else, among the
# installed ones, the one of MAJOR (the server's) when there is one, else the newest. pg_dump
# refuses a server of a newer major than its own, and its archive needs a pg_restore at least as
# new, so the server's own major is the one that always fits.
pg_tool() {
    local name=$1 variable=$2 want=${3:-} best='' best_major=0 candidate major
    if [[ -n ${!variable:-} ]]; then
        echo "${!variable}"
        return
    fi
    for candidate in /usr/lib/postgresql/*/bin/"$name" .data/postgresql-client-*/bin/"$name" /usr/pgsql-*/bin/"$name" \
        /opt/homebrew/opt/postgresql@*/bin/"$name" \
        "$(command -v "$name" 2>/dev/null || true)"; do
        [[ -x $candidate ]] || continue
        major=$(tool_major "$candidate")
        [[ $major =~ ^[0-9]+$ ]] || continue
        if [[ $major == "$want" ]]; then
            echo "$candidate"
            return
        fi
        if ((major > best_major)); then
            best=$candidate best_major=$major
        fi
    done
    [[ -n $best ]] || die "$name is not installed: install the PostgreSQL client (Debian: apt-get install postgresql-client), or set $variable."
    echo "$best"
}

# server_tool NAME VARIABLE MAJOR: pg_tool's pick, unless that is older than the server's MAJOR and
# VARIABLE is unset: then the client of MAJOR from scripts/pg-client.sh (on Debian 12, which ships
# only the 15 client, it fetches Debian 13's 17 client into .data/ once and says so).
server_tool() {
    local name=$1 variable=$2 want=$3 tool directory
    tool=$(pg_tool "$name" "$variable" "$want")
    if [[ -z ${!variable:-} ]] && (($(tool_major "$tool") < want)) && directory=$(scripts/pg-client.sh "$want"); then
        tool=$directory/$name
    fi
    echo "$tool"
}

# server_version URL: the server's version as "170012" (server_version_num); any psql can ask.
server_version() {
    "$(pg_tool psql PSQL)" --no-psqlrc --quiet --tuples-only --no-align --dbname="$1" -c 'show server_version_num' ||
        die "Cannot reach $(shown "$1") to read its version."
}

# What to do when no client of the server's major is installed: said before anything is written.
client_hint() {
    local major=$1
    echo "Install the PostgreSQL $major client (Debian 13 and Ubuntu 24.10 or newer: apt-get install postgresql-client-$major;" \
        "on Debian 12 scripts/pg-client.sh $major fetches Debian 13's into .data/) and run this again," \
        "or point PG_DUMP, PG_RESTORE and PSQL at one."
}

# The api's storage (program logos, archived click months) with STORAGE_KIND=fs: STORAGE_DIR, else
# the data directory's storage/, where `make run` keeps it.
storage_dir() {
    echo "${STORAGE_DIR:-$data_dir/storage}"
}

# backup_storage DUMP: the storage next to the dump, as DUMP's name with .storage.tar.gz, so that
# `make restore FILE=DUMP` finds it. Taken after the dump: every logo the dump names was stored
# before it (an image is removed only when a later upload replaces it).
backup_storage() {
    local dump=$1 directory archive
    if [[ ${STORAGE_KIND:-fs} == s3 ]]; then
        echo "Storage: STORAGE_KIND=s3, so program logos and archived click months are objects in the bucket" \
            "${STORAGE_S3_BUCKET:-clickledger}${STORAGE_S3_PREFIX:+ under $STORAGE_S3_PREFIX}, and NOT in this backup." \
            "Back the bucket up on its own: its versioning or replication, or a copy next to the dump, e.g." \
            "aws s3 sync s3://${STORAGE_S3_BUCKET:-clickledger}/${STORAGE_S3_PREFIX:-} ${dump%.dump}.storage/${STORAGE_S3_ENDPOINT:+ --endpoint-url $STORAGE_S3_ENDPOINT}"
        return
    fi
    directory=$(storage_dir)
    if [[ ! -d $directory ]]; then
        echo "Storage: $directory does not exist yet (no logo uploaded, no month archived): nothing to add."
        return
    fi
    archive=${dump%.dump}.storage.tar.gz
    if ! tar -czf "$archive.partial" -C "$directory" .; then
        rm -f "$archive.partial"
        die "Could not archive the storage $directory; the database dump $dump is complete, the storage is not backed up."
    fi
    mv "$archive.partial" "$archive"
    echo "Storage ($directory: program logos, archived click months) written to $archive ($(du -h "$archive" | cut -f1))."
}

# stage_storage DUMP: unpacks the storage archive next to DUMP (if any) beside the storage directory,
# before the database is touched, so a damaged archive stops the restore with nothing changed.
# Prints the staging directory, or nothing.
stage_storage() {
    local dump=$1 archive directory parent staging
    archive=${dump%.dump}.storage.tar.gz
    [[ -f $archive ]] || return 0
    if [[ ${STORAGE_KIND:-fs} == s3 ]]; then
        echo "Note: $archive is a directory storage and STORAGE_KIND=s3: it is left alone; copy its objects into the bucket if they belong there." >&2
        return 0
    fi
    directory=$(storage_dir)
    parent=$(dirname "$directory")
    mkdir -p "$parent"
    staging=$(mktemp -d "$parent/.storage-restore.XXXXXX")
    if ! tar -xzf "$archive" -C "$staging"; then
        rm -rf "$staging"
        die "$archive is damaged; nothing was restored."
    fi
    echo "$staging"
}

# swap_storage STAGING: the staged storage becomes STORAGE_DIR; what was there is kept beside it.
swap_storage() {
    local staging=$1 directory kept=''
    directory=$(storage_dir)
    if [[ -e $directory ]]; then
        kept=$directory.before-restore-$(date -u +%Y%m%d-%H%M%S)
        mv "$directory" "$kept"
    fi
    chmod 755 "$staging"
    mv "$staging" "$directory"
    echo "Storage restored into $directory${kept:+ (what was there is kept in $kept; delete it once the restore is checked)}."
}

# For messages: the URL without its credentials or parameters.
shown() {
    local url=${1%%\?*}
    echo "${url/\/\/*@/\/\/}"
}

backup() {
    local url pg_dump file log server server_major dump_major
    url=$(database_url)
    server=$(server_version "$url")
    server_major=$((server / 10000))
    pg_dump=$(server_tool pg_dump PG_DUMP "$server_major")
    dump_major=$(tool_major "$pg_dump")
    if ((dump_major < server_major)); then
        die "The server is PostgreSQL $server_major and the newest pg_dump here is $dump_major ($pg_dump):" \
            "pg_dump cannot dump a server of a newer major. $(client_hint "$server_major")"
    fi
    if ((dump_major > server_major)); then
        echo "Note: pg_dump $dump_major for a PostgreSQL $server_major server: the dump restores with pg_restore $dump_major or newer."
    fi
    mkdir -p "$backup_dir"
    file=$backup_dir/clickledger-$(date -u +%Y%m%d-%H%M%S).dump
    log=$(mktemp)
    # Written under a temporary name first, so a failed dump never looks like a backup.
    if ! "$pg_dump" --format=custom --no-owner --file="$file.partial" --dbname="$url" 2>"$log"; then
        cat "$log" >&2
        rm -f "$file.partial" "$log"
        exit 1
    fi
    rm -f "$log"
    mv "$file.partial" "$file"
    echo "Backup written to $file ($(du -h "$file" | cut -f1)) from PostgreSQL $server_major with $("$pg_dump" --version)."
    backup_storage "$file"
    echo "Restore it with: make restore FILE=$file"
    echo "Keep SECRETS_ENCRYPTION_KEY apart from these files: the restored database needs it (docs/operations.md)."
}

# Replaces the database's public schema with the backup's, in one transaction: a restore that fails
# halfway (a truncated file, a version mismatch) leaves the database as it was. `pg_restore --clean --if-exists` is not enough here: its
# DROP CONSTRAINT on each click partition fails ("cannot drop inherited constraint"), so the
# schema is dropped whole instead and the archive replayed as SQL through psql.
restore() {
    local file=${1:-} url pg_restore psql log answer server_major header dumped_by dumped_from staging
    [[ -n $file ]] || die "Usage: make restore FILE=backups/clickledger-YYYYMMDD-HHMMSS.dump"
    [[ -f $file ]] || die "No such backup: $file"
    url=$(database_url)
    server_major=$(($(server_version "$url") / 10000))
    pg_restore=$(server_tool pg_restore PG_RESTORE "$server_major")
    psql=$(server_tool psql PSQL "$server_major")
    # The archive's header says which pg_dump wrote it and from which server; a pg_restore older
    # than that pg_dump cannot read it at all.
    if ! header=$("$pg_restore" --list "$file" 2>&1); then
        echo "$header" >&2
        die "$pg_restore ($(tool_major "$pg_restore")) cannot read $file; it was probably written by a newer pg_dump." \
            "$(client_hint "$server_major")"
    fi
    dumped_by=$(sed -n 's/^; *Dumped by pg_dump version: \([0-9]*\).*/\1/p' <<<"$header")
    dumped_from=$(sed -n 's/^; *Dumped from database version: \([0-9]*\).*/\1/p' <<<"$header")
    if [[ $dumped_from =~ ^[0-9]+$ ]] && ((dumped_from > server_major)); then
        die "$file comes from PostgreSQL $dumped_from and the database is PostgreSQL $server_major:" \
            "restore into a server of the same major or newer."
    fi
    echo "Restoring a dump of PostgreSQL ${dumped_from:-?} (pg_dump ${dumped_by:-?}) into PostgreSQL $server_major with $("$pg_restore" --version)."
    if [[ -t 0 && ${CONFIRM:-} != yes ]]; then
        read -r -p "Replace everything in $(shown "$url") with $file? Stop the services first. [y/N] " answer
        [[ $answer == [yY]* ]] || die "Restore cancelled."
    fi
    staging=$(stage_storage "$file")
    log=$(mktemp)
    # COMMIT is sent only after pg_restore read the whole archive; without it psql's session ends
    # inside the transaction and PostgreSQL rolls everything back.
    if ! {
        printf 'set client_min_messages = warning;\nbegin;\ndrop schema if exists public cascade;\ncreate schema public;\n'
        "$pg_restore" --no-owner --no-acl --file=- "$file" && printf 'commit;\n'
    } 2>"$log" | "$psql" --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --output=/dev/null --dbname="$url" 2>>"$log"; then
        cat "$log" >&2
        rm -f "$log"
        [[ -n $staging ]] && rm -rf "$staging"
        exit 1
    fi
    rm -f "$log"
    echo "Restored $file into $(shown "$url")."
    if [[ -n $staging ]]; then
        swap_storage "$staging"
    elif [[ ${STORAGE_KIND:-fs} == s3 ]]; then
        echo "Storage: STORAGE_KIND=s3; the bucket is not part of this backup: restore it from its own copy."
    else
        echo "Storage: no ${file%.dump}.storage.tar.gz next to the dump; $(storage_dir) was left as it is."
    fi
    echo "Start the services again (make run)."
}

case ${1:-} in
    backup) backup ;;
    restore) restore "${2:-}" ;;
    *) die "Usage: scripts/db.sh backup | restore FILE" ;;
esac
