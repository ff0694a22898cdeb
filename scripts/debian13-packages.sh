#!/usr/bin/env bash
# scripts/debian13-packages.sh DIRECTORY PACKAGE…: unpacks Debian 13 (trixie) packages into
# DIRECTORY, without installing anything: apt-get download from the Debian mirror this machine's
# apt already uses, with a package list of its own in a scratch directory, then dpkg-deb -x.
# For Debian 12, which lacks what clickledger's checks need: PostgreSQL 17's client
# (scripts/pg-client.sh) and Compose v2 (scripts/compose.sh).
set -euo pipefail

die() {
    echo "debian13-packages: $*" >&2
    exit 1
}
(($# >= 2)) || die "usage: scripts/debian13-packages.sh DIRECTORY PACKAGE..."
directory=$1
shift
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "apt-get and dpkg-deb are needed"
[[ $(uname -m) == x86_64 ]] || die "only x86_64 is fetched this way"

# The mirror, from deb822 sources or the classic list.
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -n 1 || true)
if [[ -z $mirror ]]; then
    mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
fi
[[ -n $mirror ]] || die "cannot tell which Debian mirror apt uses"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f $keyring ]] || die "$keyring is missing (apt-get install debian-archive-keyring)"

scratch=$(mktemp -d -t clickledger-debian13.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/lists/partial" "$scratch/cache/archives/partial" "$scratch/debs" "$directory"
echo "deb [signed-by=$keyring] $mirror trixie main" >"$scratch/sources.list"
options=(-o "Dir::Etc::sourcelist=$scratch/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$scratch/lists"
    -o "Dir::Cache=$scratch/cache" -o APT::Sandbox::User=root -qq)
apt-get "${options[@]}" update >&2 || die "apt-get update of Debian 13's package list failed"
(cd "$scratch/debs" && apt-get "${options[@]}" download "$@" >&2) || die "downloading $* failed"
for deb in "$scratch"/debs/*.deb; do
    dpkg-deb -x "$deb" "$directory"
done
