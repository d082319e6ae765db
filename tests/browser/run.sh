#!/usr/bin/env bash
# The browser test: haibun's real binary serving a fresh SQLite database, driven by Debian's
# Chromium through playwright-core (no browser download). Installs what is missing.
#  - cycle.mjs: the coordination cycle, then every main page as each role, with axe-core
#    (WCAG 2.1 A/AA, JIS X 8341-3) after every page load; writes the numbered screenshots to
#    target/screenshots and the user guide's to docs/guide/screenshots.
#  - keyboard.mjs: import, submission, hearing and consent with the keyboard alone, on a
#    database of its own.
# Usage: tests/browser/run.sh [path/to/haibun]   (default: target/debug/haibun)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/target/debug/haibun}

if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -i 'noto.*cjk' >/dev/null; then
  echo "Chromium と日本語フォントを導入します / installing Chromium and CJK fonts"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null
fi
if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
fi

work=$(mktemp -d /tmp/haibun-browser.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# A fresh database with one user per role, served on a free port; sets $url.
serve() {
  local db="$work/$1.db"
  "$bin" --db "$db" init --fy 2023 >/dev/null
  for spec in "mext ministry MEXT" "co cabinet-office" "hq hq" "fiscal fiscal" "amed amed-pd" "admin admin"; do
    set -- $spec
    "$bin" --db "$db" user add "$1" --role "$2" ${3:+--ministry "$3"} >/dev/null
    "$bin" --db "$db" user password "$1" --password "password-of-$1" >/dev/null
  done
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  "$bin" --db "$db" serve --addr "127.0.0.1:$port" >"$work/$(basename "$db" .db).log" 2>&1 &
  pids+=($!)
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$url/login" && break
    sleep 0.1
  done
}

# The cycle with axe-core on every page, and the guide's screenshots.
serve cycle
status=0
node "$here/cycle.mjs" "$url" "$root/target/screenshots" "$here/fixtures" "$root/docs/guide/screenshots" || status=1
# Import, submit, hearing and consent with the keyboard alone, on a database of its own.
serve keyboard
node "$here/keyboard.mjs" "$url" "$here/fixtures" || status=1
exit $status
