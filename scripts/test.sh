#!/usr/bin/env bash
# Runs every test of haibun on SQLite and on PostgreSQL, the browser test in Chromium, then
# clippy and rustfmt.
#
# It starts a throwaway PostgreSQL cluster (the machine's PostgreSQL, 15 or newer: initdb and
# pg_ctl) on a free loopback port, points the tests at it with HAIBUN_TEST_PG_URL, and removes it
# afterwards, also on failure. PostgreSQL refuses to run as root, so as root the cluster runs as
# the `postgres` user. Extra arguments go to `cargo test` (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  echo "PostgreSQL (initdb, pg_ctl) が見つかりません / PostgreSQL not found: apt-get install -y postgresql" >&2
  exit 1
}
PGBIN=$(pg_bin)

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PGDIR=$(mktemp -d /tmp/haibun-pg.XXXXXX)
PORT=$(free_port)
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PGDIR/initdb.log" 2>&1 \
  || { cat "$PGDIR/initdb.log" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -w -l "$PGDIR/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDIR -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$PGDIR/server.log" >&2; exit 1; }
export HAIBUN_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (throwaway)"

# LibreOffice Calc is the real reader the workbook test converts the budget book with. Installed
# when missing; if it cannot be, that one test says so and is skipped.
if ! command -v soffice >/dev/null; then
  echo "LibreOffice Calc を導入します / installing LibreOffice Calc (the budget book's reader test)"
  if ! { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-calc >/dev/null; }; then
    echo "LibreOffice を導入できません。そのテストは省略されます / cannot install LibreOffice: its test is skipped" >&2
  fi
fi
command -v soffice >/dev/null && export HAIBUN_REQUIRE_LIBREOFFICE=1
# DuckDB and pandas, for the test that the benchmark's four engines agree; skipped if PyPI is out of reach.
if HAIBUN_BENCH_PYTHON=$(scripts/python-env.sh); then
  export HAIBUN_BENCH_PYTHON HAIBUN_REQUIRE_BENCH_PYTHON=1
else
  echo "duckdb と pandas を導入できません。比較テストは省略されます / cannot install duckdb and pandas: the agreement test is skipped" >&2
fi

cargo test --workspace --all-targets "$@"
# The browser test: the real binary served to Debian's Chromium through the coordination cycle.
cargo build --quiet -p haibun
tests/browser/run.sh target/debug/haibun
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo fmt --all -- --check
echo "すべてのテストが通りました / all tests passed (SQLite and PostgreSQL), clippy and rustfmt clean"
