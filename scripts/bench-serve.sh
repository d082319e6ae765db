#!/usr/bin/env bash
# The serving benchmark (issue 12, BENCHMARKS.md). In one run, on 127.0.0.1 only, each load for
# SECONDS_EACH seconds (default 30) with CONNS keep-alive connections (default 100), driven by
# haibun-load (crates/cli/src/bin/haibun-load.rs):
#   1. the demo's compile JSON as a static file from nginx (Debian's; installed if missing),
#   2. the same JSON from `haibun serve` on SQLite (GET /api/v1/years/2023/compile, HQ's token),
#   3. the same from two `haibun serve` processes on one PostgreSQL (a throwaway cluster, the
#      demo moved there with `haibun db copy`), the connections taking the two in turn,
#   4. the mixed load on each database: 80 % reads (the compile JSON and a line list through the
#      API, the measures page through a browser session), 20 % line updates by ministry staff.
# Request logs are off on both sides (nginx `access_log off`, haibun `HAIBUN_LOG=warn`). Results:
# one JSON line per run in target/bench-serve.jsonl; everything else is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${SECONDS_EACH:-30}
CONNS=${CONNS:-100}

command -v nginx >/dev/null || {
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >/dev/null
}
cargo build --release --quiet -p haibun --bin haibun --bin haibun-load
H=$PWD/target/release/haibun
LOAD=$PWD/target/release/haibun-load
OUT=$PWD/target/bench-serve.jsonl
: >"$OUT"
W=$(mktemp -d /tmp/haibun-bench-serve.XXXXXX)
chmod 755 "$W"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V -r | head -1)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$W/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap cleanup EXIT INT TERM
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never answered" >&2; exit 1; }

echo "== the data: the demo, an HQ token, ministry tokens and a browser session"
DB=$W/demo.db
"$H" --db "$DB" demo --no-serve >/dev/null
HQ=$("$H" --db "$DB" --as hq-kobayashi token create --label bench 2>/dev/null)
CAO=$("$H" --db "$DB" --as cao-ito token create --label bench 2>/dev/null)
MHLW=$("$H" --db "$DB" --as mhlw-sato token create --label bench 2>/dev/null)

echo "== PostgreSQL: a throwaway cluster, the demo copied there"
[ "$(id -u)" = 0 ] && chown postgres "$W"
as_pg "$PGBIN/initdb" -D "$W/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
PGPORT=$(free_port)
as_pg "$PGBIN/pg_ctl" -D "$W/pg" -w -l "$W/pg.log" -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $W -c max_connections=100" start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres haibun
PG=postgres://postgres@127.0.0.1:$PGPORT/haibun
"$H" --db "$DB" db copy --to "$PG" 2>/dev/null | head -1

serve() { # db port
  HAIBUN_LOG=warn "$H" --db "$1" serve --addr "127.0.0.1:$2" >/dev/null 2>"$W/serve-$2.log" &
  PIDS+=($!)
  wait_port "$2"
}
S1=$(free_port); serve "$DB" "$S1"
P1=$(free_port); serve "$PG" "$P1"
P2=$(free_port); serve "$PG" "$P2"
# A browser session on each database (each signs in on its own: the copy was taken before).
session() {
  curl -s -o /dev/null -D - -d 'name=hq-kobayashi&password=demo-hq-kobayashi-2023' "http://127.0.0.1:$1/login" \
    | sed -n 's/^[Ss]et-[Cc]ookie: \(haibun_session=[^;]*\).*/\1/p'
}
COOKIE=$(session "$S1")
PG_COOKIE=$(session "$P1")
[ -n "$COOKIE" ] && [ -n "$PG_COOKIE" ] || { echo "the demo's HQ user could not sign in" >&2; exit 1; }

echo "== nginx serving the same compile JSON as a static file"
mkdir -p "$W/static" "$W/nginx-tmp"
curl -sf -H "Authorization: Bearer $HQ" "http://127.0.0.1:$S1/api/v1/years/2023/compile" >"$W/static/compile.json"
echo "   compile JSON: $(wc -c <"$W/static/compile.json") bytes"
NPORT=$(free_port)
cat >"$W/nginx.conf" <<EOF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 100000000; keepalive_timeout 120;
  client_body_temp_path $W/nginx-tmp/body; proxy_temp_path $W/nginx-tmp/proxy;
  fastcgi_temp_path $W/nginx-tmp/fastcgi; uwsgi_temp_path $W/nginx-tmp/uwsgi; scgi_temp_path $W/nginx-tmp/scgi;
  types { application/json json; }
  server { listen 127.0.0.1:$NPORT; root $W/static; }
}
EOF
nginx -c "$W/nginx.conf"
wait_port "$NPORT"

run() { "$LOAD" --connections "$CONNS" --seconds "$SECONDS_EACH" --json "$OUT" "$@"; }
COMPILE=/api/v1/years/2023/compile
run --label "nginx static file" --addr "127.0.0.1:$NPORT" --path /compile.json --header "Authorization: Bearer $HQ"
run --label "haibun serve, SQLite" --addr "127.0.0.1:$S1" --path "$COMPILE" --header "Authorization: Bearer $HQ"
run --label "2 x haibun serve, PostgreSQL" --addr "127.0.0.1:$P1" --addr "127.0.0.1:$P2" --path "$COMPILE" --header "Authorization: Bearer $HQ"
MIX=(--mixed --read-token "$HQ" --writer "CAO:$CAO" --writer "MHLW:$MHLW")
run --label "mixed 80/20, haibun serve, SQLite" --addr "127.0.0.1:$S1" --cookie "$COOKIE" "${MIX[@]}"
run --label "mixed 80/20, 2 x haibun serve, PostgreSQL" --addr "127.0.0.1:$P1" --addr "127.0.0.1:$P2" --cookie "$PG_COOKIE" "${MIX[@]}"
# The data is still whole after the load.
"$H" --db "$DB" audit verify | head -1
"$H" --db "$PG" audit verify | head -1
echo "results: $OUT"
