#!/usr/bin/env bash
# The import benchmark (issue 12, BENCHMARKS.md): haibun's whole import of a ministry's template
# workbook (10 000 and 100 000 lines) on SQLite and on PostgreSQL (a throwaway cluster, removed
# afterwards), against openpyxl's read-only parse alone of the same file, in one run. Extra
# arguments go to haibun-import-bench (e.g. `--sizes 10000 --repeat 1`). Figures: target/bench-import.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/python-env.sh)
cargo build --release --quiet -p haibun --bin haibun --bin haibun-import-bench
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V -r | head -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
W=$(mktemp -d /tmp/haibun-bench-import.XXXXXX)
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$W/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$W"; }
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] && chown postgres "$W"
as_pg "$PGBIN/initdb" -D "$W/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# The cluster as installed (fsync on): the import's commit is a real, durable one.
as_pg "$PGBIN/pg_ctl" -D "$W/pg" -w -l "$W/pg.log" -o "-c listen_addresses=127.0.0.1 -p $PORT -k $W" start >/dev/null
: >target/bench-import.jsonl
target/release/haibun-import-bench --python "$python" --pg "postgres://postgres@127.0.0.1:$PORT" \
  --json target/bench-import.jsonl "$@"
