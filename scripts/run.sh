#!/usr/bin/env bash
# `make run`: clickledger on this machine, from a fresh clone with only a JDK.
#
# Builds the jars when one is missing or a source is newer; starts an embedded PostgreSQL (data in
# .data/pg, kept across runs) unless DATABASE_URL is set; starts the api, then the router and the
# portal, each checked on /healthz; prints where everything is. Ctrl-C stops everything, the
# database last. If any process dies, the others are stopped and this script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly DATA_DIR=.data
readonly LOG_DIR=$DATA_DIR/logs
readonly DB_WAIT_SECONDS=150
readonly SERVICE_WAIT_SECONDS=90
readonly STOP_WAIT_SECONDS=20
readonly JARS=(testkit/target/devdb.jar api/target/api.jar router/target/router.jar portal/target/portal.jar)

say() { printf '%s\n' "$*"; }
fail() {
    printf 'make run: %s\n' "$*" >&2
    exit 1
}

JAVA_HOME=$(scripts/find-jdk.sh)
export JAVA_HOME
# JAVA_OPTS (say, -Xmx512m) goes to every JVM this script starts.
java_command=("$JAVA_HOME/bin/java")
read -r -a java_options <<<"${JAVA_OPTS:-}"
java_command+=(${java_options[@]+"${java_options[@]}"})

# ---------------------------------------------------------------------------------------------
# Build when needed

needs_build() {
    local jar oldest=
    for jar in "${JARS[@]}"; do
        [[ -f $jar ]] || return 0
        if [[ -z $oldest || $jar -ot $oldest ]]; then
            oldest=$jar
        fi
    done
    [[ -n $(find . \( -name target -o -name .git -o -name .data -o -name node_modules \) -prune -o \
        -type f \( -name pom.xml -o -path '*/src/*' \) -newer "$oldest" -print -quit) ]]
}

if needs_build; then
    say "Building the jars (./mvnw -B -q package -DskipTests; the first build downloads dependencies)..."
    ./mvnw -B -q package -DskipTests || fail "the build failed; see the output above"
fi

# ---------------------------------------------------------------------------------------------
# Children and their shutdown

mkdir -p "$LOG_DIR"
names=()
pids=()

alive() { kill -0 "$1" 2>/dev/null; }

# Starts "$@" in the background with its output in .data/logs/NAME.log. Job control is on just for
# the launch, so the child gets a process group of its own: Ctrl-C then reaches only this script,
# which stops the services before the database they write to.
start() {
    local name=$1
    shift
    : >"$LOG_DIR/$name.log"
    set -m
    "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
    set +m
    names+=("$name")
    pids+=("$!")
}

# Sends TERM to the given pids, waits for them, and kills what is still there after the grace period.
stop_pids() {
    local pid waited=0 remaining
    for pid in "$@"; do
        if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    while ((waited < STOP_WAIT_SECONDS * 10)); do
        remaining=0
        for pid in "$@"; do
            alive "$pid" && remaining=1
        done
        ((remaining)) || return 0
        sleep 0.1
        waited=$((waited + 1))
    done
    for pid in "$@"; do
        if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
}

# The embedded server runs in a session of its own (the postmaster calls setsid), so when
# devdb.jar is killed outright its PostgreSQL lives on and holds .data/pg: stop it by its pid file.
stop_orphaned_postgres() {
    local pid_file=$DATA_DIR/pg/postmaster.pid postgres_pid
    [[ -f $pid_file ]] || return 0
    postgres_pid=$(head -n 1 "$pid_file")
    [[ $postgres_pid =~ ^[0-9]+$ ]] && alive "$postgres_pid" || return 0
    [[ $(ps -o comm= -p "$postgres_pid" 2>/dev/null) == postgres* ]] || return 0
    say "Stopping the embedded PostgreSQL $1 (pid $postgres_pid)..."
    # SIGINT is PostgreSQL's fast shutdown: roll back open transactions, checkpoint, exit.
    kill -INT "$postgres_pid" 2>/dev/null || true
    for _ in $(seq 1 $((STOP_WAIT_SECONDS * 10))); do
        alive "$postgres_pid" || return 0
        sleep 0.1
    done
}

stopping=0
stop_all() {
    ((stopping)) && return 0
    stopping=1
    local i services=() database=()
    for i in "${!names[@]}"; do
        if [[ ${names[$i]} == devdb ]]; then
            database+=("${pids[$i]}")
        else
            services+=("${pids[$i]}")
        fi
    done
    ((${#pids[@]})) && say "Stopping clickledger..."
    # Services first, so they close their pools while PostgreSQL still answers.
    ((${#services[@]})) && stop_pids "${services[@]}"
    if ((${#database[@]})); then
        stop_pids "${database[@]}"
        stop_orphaned_postgres "that devdb.jar left behind"
    fi
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" 2>/dev/null || true
    done
    return 0
}

on_signal() {
    trap '' INT TERM
    stop_all
    say "Stopped."
    exit 0
}
trap on_signal INT TERM HUP
trap stop_all EXIT

# The last lines of a child's log, for when it did not come up.
show_log() {
    local name=$1
    say "--- last lines of $LOG_DIR/$name.log ---" >&2
    grep -v '|-' "$LOG_DIR/$name.log" | tail -n 25 >&2 || true
    say "---" >&2
}

pid_of() {
    local i
    for i in "${!names[@]}"; do
        [[ ${names[$i]} == "$1" ]] && echo "${pids[$i]}"
    done
    return 0
}

exit_reason() {
    if (($1 > 128)); then
        echo "was killed by SIG$(kill -l $(($1 - 128)))"
    else
        echo "exited with status $1"
    fi
}

died() {
    local name=$1 status=0
    wait "$(pid_of "$name")" 2>/dev/null || status=$?
    show_log "$name"
    fail "$name $(exit_reason "$status") before it was ready"
}

# ---------------------------------------------------------------------------------------------
# Checks that need nothing but bash

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when GET http://127.0.0.1:PORT/PATH answers 200 within two seconds (no curl needed).
http_ok() {
    local status
    status=$(
        exec 2>/dev/null
        exec 3<>"/dev/tcp/127.0.0.1/$1" &&
            printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&3 &&
            IFS= read -r -t 2 line <&3 &&
            printf '%s' "$line"
    ) || return 1
    [[ $status == "HTTP/1."?" 200"* ]]
}

# The body of GET http://127.0.0.1:PORT/PATH (HTTP/1.0, so the server closes when done), or nothing.
http_body() {
    (
        exec 2>/dev/null
        exec 3<>"/dev/tcp/127.0.0.1/$1" &&
            printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&3 &&
            sed '1,/^\r*$/d' <&3
    ) || true
}

wait_healthy() {
    local name=$1 port=$2 waited=0
    while ! http_ok "$port" /healthz; do
        alive "$(pid_of "$name")" || died "$name"
        ((waited < SERVICE_WAIT_SECONDS)) || {
            show_log "$name"
            fail "$name did not answer http://localhost:$port/healthz within ${SERVICE_WAIT_SECONDS}s"
        }
        sleep 1
        waited=$((waited + 1))
    done
}

# ---------------------------------------------------------------------------------------------
# Settings every service shares

export API_PORT=${API_PORT:-4601}
export ROUTER_PORT=${ROUTER_PORT:-4701}
export PORTAL_PORT=${PORTAL_PORT:-8080}
export PUBLIC_API_URL=${PUBLIC_API_URL:-http://localhost:$API_PORT}
export PUBLIC_ROUTER_URL=${PUBLIC_ROUTER_URL:-http://localhost:$ROUTER_PORT}
export PORTAL_URL=${PORTAL_URL:-http://localhost:$PORTAL_PORT}
# The logs go to files a person reads; production keeps the JSON default.
export LOG_FORMAT=${LOG_FORMAT:-text}

for port_name in API_PORT ROUTER_PORT PORTAL_PORT; do
    if port_in_use "${!port_name}"; then
        fail "port ${!port_name} ($port_name) is already in use: is another 'make run' still up? Stop it, or set $port_name."
    fi
done

# ---------------------------------------------------------------------------------------------
# The database

embedded=0
if [[ -z ${DATABASE_URL:-} ]]; then
    embedded=1
    readonly DEV_DB_PORT=${DEV_DB_PORT:-54329}
    export DEV_DB_PORT
    stop_orphaned_postgres "left over from an earlier run"
    if port_in_use "$DEV_DB_PORT"; then
        fail "port $DEV_DB_PORT (DEV_DB_PORT) is already in use; set DEV_DB_PORT to another port, or DATABASE_URL to use your own PostgreSQL"
    fi
    rm -f "$DATA_DIR/database-url"
    start devdb "${java_command[@]}" -jar testkit/target/devdb.jar "$DATA_DIR"
    printf 'Starting the embedded PostgreSQL (data in %s/pg)' "$DATA_DIR"
    waited=0
    until [[ -s $DATA_DIR/database-url ]]; do
        if ! alive "$(pid_of devdb)"; then
            printf '\n'
            died devdb
        fi
        if ((waited >= DB_WAIT_SECONDS * 2)); then
            printf '\n'
            show_log devdb
            fail "the embedded PostgreSQL was not ready within ${DB_WAIT_SECONDS}s"
        fi
        # A dot a second: the first start unpacks PostgreSQL and runs initdb, which takes a while.
        ((waited % 2 == 0)) && printf '.'
        sleep 0.5
        waited=$((waited + 1))
    done
    printf ' ready (%ds)\n' $((waited / 2))
    DATABASE_URL=$(<"$DATA_DIR/database-url")
    export DATABASE_URL
fi

# ---------------------------------------------------------------------------------------------
# The admin key

first_run=0
if [[ -z ${ADMIN_API_KEY:-} && -z ${ADMIN_API_KEY_FILE:-} ]]; then
    if [[ -s $DATA_DIR/admin-api-key ]]; then
        ADMIN_API_KEY=$(<"$DATA_DIR/admin-api-key")
    else
        first_run=1
        # 32 random bytes as URL-safe base64: 43 characters, nothing to escape in a header or shell.
        ADMIN_API_KEY=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
        (
            umask 077
            printf '%s\n' "$ADMIN_API_KEY" >"$DATA_DIR/admin-api-key"
        )
        chmod 600 "$DATA_DIR/admin-api-key"
    fi
    export ADMIN_API_KEY
fi

# ---------------------------------------------------------------------------------------------
# The key that encrypts the secrets the api stores (webhook signing secrets). Generated once and
# kept with the data: a different key would leave every stored secret unreadable.

if [[ -z ${SECRETS_ENCRYPTION_KEY:-} && -z ${SECRETS_ENCRYPTION_KEY_FILE:-} ]]; then
    if [[ ! -s $DATA_DIR/secrets-encryption-key ]]; then
        (
            umask 077
            # 32 random bytes (an AES-256 key) as base64.
            head -c 32 /dev/urandom | base64 | tr -d '\n' >"$DATA_DIR/secrets-encryption-key"
            printf '\n' >>"$DATA_DIR/secrets-encryption-key"
        )
        chmod 600 "$DATA_DIR/secrets-encryption-key"
    fi
    SECRETS_ENCRYPTION_KEY=$(<"$DATA_DIR/secrets-encryption-key")
    export SECRETS_ENCRYPTION_KEY
fi

# ---------------------------------------------------------------------------------------------
# The services: the api first, since it migrates the schema the router reads

say "Starting the api on port $API_PORT..."
# The portal calls the api on each person's behalf and names their address in X-Forwarded-For;
# the api believes that header only from TRUSTED_PROXIES, so on this machine it trusts loopback.
start api env TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.1/32,::1/128}" "${java_command[@]}" -jar api/target/api.jar
wait_healthy api "$API_PORT"

say "Starting the router on port $ROUTER_PORT and the portal on port $PORTAL_PORT..."
start router "${java_command[@]}" -jar router/target/router.jar
start portal "${java_command[@]}" -jar portal/target/portal.jar
wait_healthy router "$ROUTER_PORT"
wait_healthy portal "$PORTAL_PORT"

if [[ -n ${ADMIN_API_KEY_FILE:-} ]]; then
    key_line="admin API key: in $ADMIN_API_KEY_FILE (ADMIN_API_KEY_FILE)"
    # shellcheck disable=SC2016 # expanded by the person who pastes it
    key_expression='$(cat '"$ADMIN_API_KEY_FILE"')'
else
    key_line="admin API key: $ADMIN_API_KEY"
    key_expression=$ADMIN_API_KEY
fi
if ((first_run)); then
    key_line+=$'\n  (first run: generated and stored in '"$DATA_DIR"'/admin-api-key, mode 600)'
fi
# Shown without credentials or parameters.
shown_url=${DATABASE_URL%%\?*}
database_line="database ${shown_url/\/\/*@/\/\/}"
logs_line="logs     $LOG_DIR/{api,router,portal}.log"
if ((embedded)); then
    database_line+=" (embedded PostgreSQL, data in $DATA_DIR/pg)"
    logs_line="logs     $LOG_DIR/{api,router,portal,devdb}.log"
fi
# Without SMTP_URL the api writes each message as an .eml file and logs its subject and links.
if [[ -n ${SMTP_URL:-} || -n ${SMTP_URL_FILE:-} ]]; then
    mail_line="mail     sent through SMTP_URL (the mail log: GET /v1/mail)"
else
    mail_line="mail     not sent: written to ${MAIL_DIR:-$DATA_DIR/mail}/*.eml, subjects and links in $LOG_DIR/api.log (set SMTP_URL to send)"
fi

# Until the first admin exists, the portal opens on its install wizard.
install_line=
if [[ $(http_body "$API_PORT" /v1/install) == *'"needed":true'* ]]; then
    install_line=$'\n  First run: open '"$PORTAL_URL"$'/install to create the first admin and program.\n'
fi

cat <<EOF

clickledger is running.
$install_line
  portal   $PORTAL_URL
  api      $PUBLIC_API_URL
  router   $PUBLIC_ROUTER_URL
  $database_line
  $logs_line
  $mail_line

  $key_line

Run the program from the portal ($PORTAL_URL); for automation, the api takes the admin key:

  KEY='$key_expression'
  PROGRAM=\$(curl -s -X POST $PUBLIC_API_URL/v1/programs -H "Authorization: Bearer \$KEY" -H 'Content-Type: application/json' \\
    -d '{"slug":"acme","name":"Acme","destinationUrl":"https://acme.example/signup?src=aff","currency":"USD"}' | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  PARTNER=\$(curl -s -X POST $PUBLIC_API_URL/v1/partners -H "Authorization: Bearer \$KEY" -H 'Content-Type: application/json' \\
    -d '{"email":"ada@example.com","name":"Ada"}' | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  curl -s -X POST $PUBLIC_API_URL/v1/links -H "Authorization: Bearer \$KEY" -H 'Content-Type: application/json' \\
    -d "{\"programId\":\"\$PROGRAM\",\"partnerId\":\"\$PARTNER\",\"slug\":\"ada\"}"
  curl -i $PUBLIC_ROUTER_URL/r/ada

Press Ctrl-C to stop.
EOF

# ---------------------------------------------------------------------------------------------
# Watch: if any child dies, stop the rest and fail

while true; do
    for i in "${!pids[@]}"; do
        if ! alive "${pids[$i]}"; then
            status=0
            wait "${pids[$i]}" 2>/dev/null || status=$?
            say "" >&2
            show_log "${names[$i]}"
            say "make run: ${names[$i]} $(exit_reason "$status"); stopping the others." >&2
            stop_all
            exit 1
        fi
    done
    sleep 1
done
