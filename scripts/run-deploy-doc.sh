#!/usr/bin/env bash
# Runs every ```sh block of docs/deploy.md, in order, in one shell (so variables carry from block
# to block), stopping at the first command that fails: the check that the document's commands
# work as written. It CHANGES THE MACHINE (packages, a system user, a PostgreSQL database and
# roles, /etc/haibun, /etc/nginx, processes on ports 80, 443, 8081 and 8082): run it as root on a
# throwaway machine only, from the root of a checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run as root, on a throwaway machine" >&2; exit 1; }
script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
  echo 'set -euxo pipefail'
  awk '/^```sh$/ {on=1; next} /^```$/ {on=0} on' docs/deploy.md
} >"$script"
bash "$script"
echo "docs/deploy.md: every command ran as written"
