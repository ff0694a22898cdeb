#!/usr/bin/env bash
# Prints a bin directory with pg_dump, pg_restore and psql of the PostgreSQL major given (17 by
# default, the server `make run` and the tests embed): `make backup` needs a pg_dump at least as
# new as the server. Looks in the usual places first; on Debian 12, which ships only the 15 client,
# it fetches the 17 client from Debian 13's own packages (with apt-get download, from the mirror
# this machine's apt already uses) into .data/postgresql-client-17, once.
#
# Debian 13's binaries need its C library (glibc 2.38; Debian 12 has 2.36), so its libc, libpq
# and libldap come along, and each tool runs through that libc's own loader with a wrapper script
# (docs/decisions/0018-owning-the-data.md). Nothing is installed system-wide.
set -euo pipefail
cd "$(dirname "$0")/.."

major=${1:-17}
die() {
    echo "pg-client: $*" >&2
    exit 1
}

# The tool's major version: "pg_dump (PostgreSQL) 17.12 (Debian …)" -> 17.
fits() {
    [[ -x $1/pg_dump && -x $1/pg_restore && -x $1/psql ]] &&
        [[ $("$1/pg_dump" --version 2>/dev/null) =~ \)\ $major\. ]] &&
        [[ $("$1/psql" --version 2>/dev/null) =~ \)\ $major\. ]]
}

for candidate in /usr/lib/postgresql/"$major"/bin /usr/pgsql-"$major"/bin /opt/homebrew/opt/postgresql@"$major"/bin; do
    if fits "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done
target=$PWD/.data/postgresql-client-$major
if fits "$target/bin"; then
    echo "$target/bin"
    exit 0
fi

hint="install the PostgreSQL $major client (apt-get install postgresql-client-$major on Debian 13 or Ubuntu 24.10+,"
hint+=" or the PostgreSQL project's own repository), or point PG_DUMP, PG_RESTORE and PSQL at one"
# shellcheck disable=SC1091
os_id=$(. /etc/os-release 2>/dev/null && echo "$ID:$VERSION_ID" || true)
[[ $os_id == debian:12 ]] || die "no PostgreSQL $major client here: $hint."
[[ $major == 17 ]] || die "Debian 13 packages the PostgreSQL 17 client only; for $major, $hint."
echo "pg-client: fetching the PostgreSQL $major client from Debian 13 (trixie) into $target" >&2
staging=$(mktemp -d -t clickledger-pg-client.XXXXXX)
trap 'rm -rf "$staging"' EXIT
scripts/debian13-packages.sh "$staging/root" postgresql-client-"$major" libpq5 libc6 libldap2 ||
    die "fetching Debian 13's packages failed; $hint."

assembled=$staging/out
mkdir -p "$assembled/bin" "$assembled/libexec" "$assembled/lib"
cp -a "$staging"/root/usr/lib/x86_64-linux-gnu/. "$assembled/lib/"
for tool in pg_dump pg_restore psql pg_dumpall pg_isready; do
    cp "$staging/root/usr/lib/postgresql/$major/bin/$tool" "$assembled/libexec/$tool"
    # Through Debian 13's loader with Debian 13's libc, libpq and libldap first; everything else
    # (OpenSSL, Kerberos, zstd…) is this system's, which that newer libc runs as well.
    cat >"$assembled/bin/$tool" <<WRAPPER
#!/bin/sh
here=\$(dirname "\$(readlink -f "\$0")")/..
exec "\$here/lib/ld-linux-x86-64.so.2" --library-path "\$here/lib" "\$here/libexec/$tool" "\$@"
WRAPPER
    chmod 755 "$assembled/bin/$tool"
done
fits "$assembled/bin" || die "the fetched client does not run here ($("$assembled/bin/pg_dump" --version 2>&1 | head -n 1)); $hint."
chmod -R a+rX "$assembled"
mkdir -p "$(dirname "$target")"
rm -rf "$target"
mv "$assembled" "$target"
echo "pg-client: $("$target/bin/pg_dump" --version) in $target/bin" >&2
echo "$target/bin"
