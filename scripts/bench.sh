#!/usr/bin/env bash
# The compilation benchmark: haibun in memory and end to end against DuckDB and pandas, in one
# run, from the same seeded data. Builds in release mode. Extra arguments go to haibun-bench,
# e.g. `scripts/bench.sh --sizes 10000,100000`. Figures go to target/bench.json as well.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/python-env.sh)
cargo build --release --quiet -p haibun --bins
exec target/release/haibun-bench --python "$python" --json target/bench.json "$@"
