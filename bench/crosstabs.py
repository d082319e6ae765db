#!/usr/bin/env python3
"""Budget cross-tabulations in DuckDB and pandas, for comparison with haibun's compiler.

Usage:
    python3 bench/crosstabs.py DIR [--repeat N] [--engines duckdb,pandas]

DIR holds three CSV files (UTF-8, header row, comma-separated, no quoting):

    lines.csv            line,ministry,project,channel,prior_year,request
                         `line` is 0..n-1; `project` may be empty (no project, reported
                         as NONE); `prior_year` and `request` are non-negative integer yen.
    disease_shares.csv   line,seq,code,pct
                         A line's disease-area shares, `seq` 0,1,2.. in the line's order,
                         `pct` 1..100, each line's pcts summing to 100. A line with no
                         rows here has no shares (reported as UNASSIGNED).
    purpose_shares.csv   line,seq,code,pct  -- same shape, for development purposes.

Each engine computes, for both `prior_year` and `request`:

    total, by_ministry, by_project, by_channel, by_ministry_project   plain sums;
    by_disease_area, by_purpose, by_project_disease_area              sums of the parts
        each line's amount is split over its shares by largest-remainder
        apportionment (floor of amount*pct/100, the leftover yen going one each to the
        largest remainders, ties to the smaller seq), exactly as haibun's
        `domain::apportion` does.

All amount arithmetic is exact integer arithmetic (int64 in pandas, BIGINT/HUGEINT in
DuckDB); nothing passes through floating point.

Output: one JSON object on stdout,

    {"rows": n_lines,
     "duckdb": {"version", "load_s", "query_s", "query_runs_s", "result"},
     "pandas": {"version", "load_s", "query_s", "query_runs_s", "result"}}

`load_s` is the time to read the three CSVs into the engine, `query_s` the best of N
runs of all the cross-tabs (each fully materialised), `query_runs_s` every run. Each
`result` is canonical:

    {"total": [prior, request],
     "by_ministry": {"MEXT": [prior, request], ...},
     "by_project": {...}, "by_channel": {...}, "by_disease_area": {...},
     "by_purpose": {...},
     "by_ministry_project": {"MEXT|PHARMA": [prior, request], ...},
     "by_project_disease_area": {"PHARMA|CANCER": [prior, request], ...}}

with keys sorted, pair keys joined by `|`, and groups that do not occur omitted.
Errors (missing directory or file, malformed CSV) go to stderr with exit status 1.
"""

import argparse
import json
import os
import sys
import time

NONE = "NONE"  # key for lines without a project
UNASSIGNED = "UNASSIGNED"  # key for lines without shares
FILES = ("lines.csv", "disease_shares.csv", "purpose_shares.csv")
INT64_MAX = 2**63 - 1

# The cross-tabs in output order: name -> grouping keys (None for the grand total).
# "project" always means the project key (empty project -> NONE); "code" is the share
# code (UNASSIGNED for lines without shares) of the named share table.
CROSSTABS = {
    "total": None,
    "by_ministry": ("ministry",),
    "by_project": ("project",),
    "by_channel": ("channel",),
    "by_disease_area": ("code",),
    "by_purpose": ("code",),
    "by_ministry_project": ("ministry", "project"),
    "by_project_disease_area": ("project", "code"),
}
SHARE_TABLE = {  # cross-tabs grouped over apportioned parts, and of which shares
    "by_disease_area": "disease_shares",
    "by_purpose": "purpose_shares",
    "by_project_disease_area": "disease_shares",
}


def canonical(name, rows):
    """Turns (key..., prior, request) rows of one cross-tab into its canonical JSON form."""
    if CROSSTABS[name] is None:
        ((prior, request),) = rows
        return [int(prior or 0), int(request or 0)]
    return {
        "|".join(str(k) for k in row[:-2]): [int(row[-2]), int(row[-1])]
        for row in sorted(rows, key=lambda r: tuple(str(k) for k in r[:-2]))
    }


def time_runs(run, repeat):
    """Calls run() `repeat` times; returns (best seconds, all seconds, last run's value)."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return min(times), times, value


# ---------------------------------------------------------------------------------------
# DuckDB
# ---------------------------------------------------------------------------------------

LINES_COLUMNS = (
    "{'line': 'BIGINT', 'ministry': 'VARCHAR', 'project': 'VARCHAR',"
    " 'channel': 'VARCHAR', 'prior_year': 'BIGINT', 'request': 'BIGINT'}"
)
SHARES_COLUMNS = "{'line': 'BIGINT', 'seq': 'BIGINT', 'code': 'VARCHAR', 'pct': 'BIGINT'}"


def duckdb_parts_sql(shares):
    """SQL for the apportioned parts of every line over `shares`: (project, code, prior, request).

    base = amount*pct // 100 and rem = amount*pct % 100 per share; the leftover of a line is
    its amount less the sum of its bases, and the share ranked r-th by (rem desc, seq asc)
    gets one yen more when r <= leftover. Lines with no shares contribute their whole
    amount under UNASSIGNED.
    """
    return f"""
        WITH s AS (
            SELECT s.line, s.seq, s.code, l.project, l.prior_year, l.request,
                   l.prior_year * s.pct // 100 AS p_base, l.prior_year * s.pct % 100 AS p_rem,
                   l.request * s.pct // 100 AS r_base, l.request * s.pct % 100 AS r_rem
            FROM {shares} s JOIN lines l ON l.line = s.line
        ), ranked AS (
            SELECT project, code, p_base, r_base,
                   prior_year - sum(p_base) OVER (PARTITION BY line) AS p_left,
                   request - sum(r_base) OVER (PARTITION BY line) AS r_left,
                   row_number() OVER (PARTITION BY line ORDER BY p_rem DESC, seq) AS p_rank,
                   row_number() OVER (PARTITION BY line ORDER BY r_rem DESC, seq) AS r_rank
            FROM s
        ), parts AS (
            SELECT project, code,
                   p_base + CASE WHEN p_rank <= p_left THEN 1 ELSE 0 END AS prior_year,
                   r_base + CASE WHEN r_rank <= r_left THEN 1 ELSE 0 END AS request
            FROM ranked
            UNION ALL
            SELECT project, '{UNASSIGNED}' AS code, prior_year, request
            FROM lines l
            WHERE NOT EXISTS (SELECT 1 FROM {shares} s WHERE s.line = l.line)
        )
    """


def duckdb_queries():
    """The SQL of every cross-tab: name -> query returning (key..., prior, request) rows."""
    queries = {}
    for name, keys in CROSSTABS.items():
        if keys is None:
            queries[name] = "SELECT sum(prior_year), sum(request) FROM lines"
            continue
        cols = ", ".join(keys)
        source = (
            duckdb_parts_sql(SHARE_TABLE[name]) + " SELECT * FROM parts"
            if name in SHARE_TABLE
            else "SELECT * FROM lines"
        )
        # Empty (or NULL) project is reported under NONE.
        queries[name] = f"""
            WITH src AS ({source}),
            keyed AS (
                SELECT * REPLACE (coalesce(nullif(project, ''), '{NONE}') AS project) FROM src
            )
            SELECT {cols}, sum(prior_year), sum(request) FROM keyed GROUP BY {cols}
        """
    return queries


def run_duckdb(directory, repeat):
    import duckdb

    # LOAD: a fresh in-memory database and three tables read with explicit column types.
    start = time.perf_counter()
    con = duckdb.connect()
    for table, columns in (
        ("lines", LINES_COLUMNS),
        ("disease_shares", SHARES_COLUMNS),
        ("purpose_shares", SHARES_COLUMNS),
    ):
        path = os.path.join(directory, table + ".csv").replace("'", "''")
        con.execute(
            f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = true,"
            f" delim = ',', auto_detect = false, columns = {columns})"
        )
    load_s = time.perf_counter() - start
    rows = con.execute("SELECT count(*) FROM lines").fetchone()[0]

    # QUERY: every cross-tab, each fully fetched.
    queries = duckdb_queries()

    def query():
        return {name: con.execute(sql).fetchall() for name, sql in queries.items()}

    query_s, runs, fetched = time_runs(query, repeat)
    result = {name: canonical(name, fetched[name]) for name in CROSSTABS}
    con.close()
    return rows, {
        "version": duckdb.__version__,
        "load_s": load_s,
        "query_s": query_s,
        "query_runs_s": runs,
        "result": result,
    }


# ---------------------------------------------------------------------------------------
# pandas
# ---------------------------------------------------------------------------------------

LINES_DTYPES = {
    "line": "int64",
    "ministry": str,
    "project": str,
    "channel": str,
    "prior_year": "int64",
    "request": "int64",
}
SHARES_DTYPES = {"line": "int64", "seq": "int64", "code": str, "pct": "int64"}
AMOUNTS = ["prior_year", "request"]


def pandas_apportion(pd, np, lines, shares):
    """The apportioned parts of every line over `shares`: a frame (project, code, prior_year, request).

    `lines` must already carry the project key. Vectorised: per share base and remainder,
    the leftover per line by groupby-transform, the rank within the line by sorting on
    (line, rem desc, seq) and a cumulative count.
    """
    s = shares[["line", "seq", "code", "pct"]].merge(
        lines[["line", "project"] + AMOUNTS], on="line", how="inner"
    )
    line = s["line"].to_numpy()
    seq = s["seq"].to_numpy()
    pct = s["pct"].to_numpy()
    # One int64 sort key per share orders (line, rem desc, seq): rem is 0..99 and seq below
    # `span`, so key = (line * 100 + 99 - rem) * span + seq is unique and monotone in each.
    span = int(seq.max()) + 1 if len(seq) else 1
    line_key = (line - int(line.min()) if len(line) else line) * (100 * span)
    parts = {"project": s["project"].to_numpy(), "code": s["code"].to_numpy()}
    for amount in AMOUNTS:
        total = s[amount].to_numpy()
        product = total * pct  # int64: at most 1e13 * 100
        base = product // 100
        rem = product % 100
        assigned = pd.Series(base).groupby(line).transform("sum").to_numpy()
        left = total - assigned
        # Rank each share within its line by remainder descending, then seq ascending.
        order = np.argsort(line_key + (99 - rem) * span + seq)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = pd.Series(line[order]).groupby(line[order]).cumcount().to_numpy() + 1
        parts[amount] = base + (rank <= left).astype(np.int64)
    parts = pd.DataFrame(parts)
    unassigned = lines.loc[~lines["line"].isin(shares["line"]), ["project"] + AMOUNTS]
    unassigned = unassigned.assign(code=UNASSIGNED)[["project", "code"] + AMOUNTS]
    return pd.concat([parts, unassigned], ignore_index=True)


def pandas_group_sum(frame, keys, exact_split):
    """Sums the amounts of `frame` grouped by `keys`; a frame indexed by the keys.

    int64 sums are exact as long as the grand total fits in int64 (amounts are
    non-negative, so no group sum exceeds it). Otherwise (`exact_split`) each amount is
    summed as its high and low 32-bit halves, each of which fits, and they are recombined
    exactly in Python ints by `pandas_rows`.
    """
    if not exact_split:
        return frame.groupby(list(keys), sort=False)[AMOUNTS].sum()
    halves = frame[list(keys)].copy()
    for amount in AMOUNTS:
        halves[amount + "_hi"] = frame[amount].to_numpy() >> 32
        halves[amount + "_lo"] = frame[amount].to_numpy() & 0xFFFFFFFF
    return halves.groupby(list(keys), sort=False).sum()


def pandas_rows(summed, keys):
    """(key..., prior, request) rows from a `pandas_group_sum` frame, with exact Python ints."""
    rows = []
    records = summed.reset_index().itertuples(index=False, name=None)
    for record in records:
        key, values = record[: len(keys)], [int(v) for v in record[len(keys) :]]
        if len(values) == 4:  # hi/lo halves: prior_hi, prior_lo, request_hi, request_lo
            values = [(values[0] << 32) + values[1], (values[2] << 32) + values[3]]
        rows.append((*key, *values))
    return rows


def run_pandas(directory, repeat):
    import numpy as np
    import pandas as pd

    # LOAD: the three CSVs with explicit dtypes; an empty project stays '' (not NaN).
    start = time.perf_counter()
    read = {"keep_default_na": False, "na_filter": False}
    lines = pd.read_csv(os.path.join(directory, "lines.csv"), dtype=LINES_DTYPES, **read)
    shares = {
        table: pd.read_csv(os.path.join(directory, table + ".csv"), dtype=SHARES_DTYPES, **read)
        for table in ("disease_shares", "purpose_shares")
    }
    load_s = time.perf_counter() - start

    # The grand totals, exactly (Python ints over 32-bit halves), decide whether plain
    # int64 group sums are safe. Not part of the timed query.
    exact_split = False
    for amount in AMOUNTS:
        values = lines[amount].to_numpy()
        exact = (int((values >> 32).sum()) << 32) + int((values & 0xFFFFFFFF).sum())
        exact_split |= exact > INT64_MAX

    def query():
        keyed = lines.assign(project=lines["project"].where(lines["project"] != "", NONE))
        parts = {table: pandas_apportion(pd, np, keyed, frame) for table, frame in shares.items()}
        out = {}
        for name, keys in CROSSTABS.items():
            if keys is None:
                out[name] = pandas_group_sum(keyed.assign(_all=0), ("_all",), exact_split)
            else:
                source = parts[SHARE_TABLE[name]] if name in SHARE_TABLE else keyed
                out[name] = pandas_group_sum(source, keys, exact_split)
        return out

    query_s, runs, summed = time_runs(query, repeat)
    result = {}
    for name, keys in CROSSTABS.items():
        if keys is None:
            rows = [row[1:] for row in pandas_rows(summed[name], ("_all",))] or [(0, 0)]
        else:
            rows = pandas_rows(summed[name], keys)
        result[name] = canonical(name, rows)
    return len(lines), {
        "version": pd.__version__,
        "load_s": load_s,
        "query_s": query_s,
        "query_runs_s": runs,
        "result": result,
    }


# ---------------------------------------------------------------------------------------

ENGINES = {"duckdb": run_duckdb, "pandas": run_pandas}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dir", help="directory holding " + ", ".join(FILES))
    parser.add_argument("--repeat", type=int, default=3, help="query repeats (best is kept)")
    parser.add_argument("--engines", default="duckdb,pandas", help="comma-separated engines")
    args = parser.parse_args(argv)

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown or not engines:
        parser.error(f"unknown engines {unknown}; choose from {sorted(ENGINES)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not os.path.isdir(args.dir):
        raise FileNotFoundError(f"no such directory: {args.dir}")
    for name in FILES:
        if not os.path.isfile(os.path.join(args.dir, name)):
            raise FileNotFoundError(f"missing input file: {os.path.join(args.dir, name)}")

    output = {"rows": None}
    for engine in engines:
        rows, output[engine] = ENGINES[engine](args.dir, args.repeat)
        output["rows"] = rows
    json.dump(output, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Exception as error:  # report any failure (I/O, CSV parsing, SQL) and exit non-zero
        print(f"crosstabs.py: error: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
