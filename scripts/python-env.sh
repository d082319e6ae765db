#!/usr/bin/env bash
# Makes (once) the Python virtual environment the benchmark and its agreement test use, with
# DuckDB, pandas, scipy (HiGHS), openpyxl (the formula-injection test's xlsx reader) and
# schemathesis (the API fuzzing test) and frictionless (the open-data test) from PyPI, and prints its python's path. Nothing is installed system-wide.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/py-venv
if ! "$venv/bin/python" -c 'import duckdb, pandas, scipy, openpyxl, schemathesis, frictionless' 2>/dev/null; then
  echo "Python 環境を作ります（duckdb, pandas, scipy, openpyxl, schemathesis, frictionless）/ making the Python environment (duckdb, pandas, scipy, openpyxl, schemathesis, frictionless)" >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'duckdb>=1.1' 'pandas>=2.2' 'scipy>=1.11' 'openpyxl>=3.1' 'schemathesis>=4.3,<5' 'frictionless>=5.18,<6' >&2
fi
echo "$PWD/$venv/bin/python"
