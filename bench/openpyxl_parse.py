"""openpyxl's read-only parse of a workbook, the baseline of haibun's import benchmark
(crates/cli/src/bin/haibun-import-bench.rs): load_workbook(read_only=True, data_only=True), then
every row of the lines sheet (the one haibun reads) read with its values. Best of REPEAT runs.

usage: python openpyxl_parse.py FILE SHEET REPEAT  ->  {"seconds": best, "rows": rows with a value}
"""
import json
import sys
import time

import openpyxl


def parse(path, sheet):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb[sheet]
    rows = 0
    for row in ws.iter_rows(values_only=True):
        if any(v is not None for v in row):
            rows += 1
    wb.close()
    return rows


def main():
    path, sheet, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
    best, rows = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = parse(path, sheet)
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"seconds": best, "rows": rows}))


if __name__ == "__main__":
    main()
