#!/usr/bin/env bash
# The browser test: haibun's real binary serving a fresh SQLite database, driven by Debian's
# Chromium through playwright-core (no browser download). Installs what is missing.
# Usage: tests/browser/run.sh [path/to/haibun]   (default: target/debug/haibun)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/target/debug/haibun}

if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then
  echo "Chromium と日本語フォントを導入します / installing Chromium and CJK fonts"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
fi

work=$(mktemp -d /tmp/haibun-browser.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

db="$work/browser.db"
"$bin" --db "$db" init --fy 2023 >/dev/null
for spec in "mext ministry MEXT" "co cabinet-office" "hq hq"; do
  set -- $spec
  "$bin" --db "$db" user add "$1" --role "$2" ${3:+--ministry "$3"} >/dev/null
  "$bin" --db "$db" user password "$1" --password "password-of-$1" >/dev/null
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"$bin" --db "$db" serve --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/login" && break
  sleep 0.1
done
node "$here/cycle.mjs" "http://127.0.0.1:$port" "$root/target/screenshots" "$here/fixtures"
