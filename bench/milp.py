#!/usr/bin/env python3
"""The adjustment-fund optimisation in HiGHS (scipy.optimize.milp), for comparison with haibun.

Usage:
    python3 bench/milp.py INSTANCES.json [--repeat N]

INSTANCES.json is a JSON array of instances in the format of `haibun fund solve`:

    {"pool": yen, "proposals": [{"id": "P1", "min": yen, "max": yen, "value_per_yen": v}, ...],
     "constraints": [{"kind": "floor" | "cap", "members": ["P1", ...], "amount": yen}, ...]}

Each proposal receives 0 or an amount in [min, max]; the objective, maximised, is
sum(value_per_yen * amount); the pool caps the total; each constraint floors or caps the total
of its members. The model is the same mixed-integer programme haibun solves: a binary y and a
continuous amount x per proposal (x = max*y when min = max), min*y <= x <= max*y, amounts scaled
by the same power of ten (the largest amount brought to about 10^4). HiGHS is asked for the exact
optimum (mip_rel_gap 0).

Prints one JSON array, one object per instance, in order:
    {"status": "optimal" | "infeasible" | "other", "objective": value or null,
     "time_s": best of N wall-clock solve times (model building included), "highs_message": "..."}
"""

import argparse
import json
import math
import sys
import time

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix


def scale_of(inst):
    amounts = [p["max"] for p in inst["proposals"]] + [inst["pool"]] + [c["amount"] for c in inst.get("constraints", [])]
    largest = max(max(amounts), 1)
    return 10.0 ** max(int(math.floor(math.log10(largest))) - 4, 0)


def solve(inst):
    s = scale_of(inst)
    props = inst["proposals"]
    n = len(props)
    if n == 0:
        # Nothing to fund: feasible unless a floor asks for money.
        if any(c["kind"] == "floor" and c["amount"] > 0 for c in inst.get("constraints", [])):
            return "infeasible", None, "a floor with no proposals"
        return "optimal", 0.0, "no proposals"
    index = {p["id"]: i for i, p in enumerate(props)}
    # Columns: x_0..x_{n-1} (amount, scaled), then y_0..y_{n-1} (funded).
    c = np.zeros(2 * n)
    lo = np.zeros(2 * n)
    hi = np.zeros(2 * n)
    integrality = np.zeros(2 * n)
    rows, cols, vals, lb, ub = [], [], [], [], []
    r = 0

    def amount_terms(i):
        p = props[i]
        if p["min"] == p["max"]:
            return [(n + i, p["max"] / s)]
        return [(i, 1.0)]

    for i, p in enumerate(props):
        mn, mx = p["min"] / s, p["max"] / s
        integrality[n + i] = 1
        hi[n + i] = 1
        if p["min"] == p["max"]:
            c[n + i] = -p["value_per_yen"] * mx  # x_i fixed at 0
        else:
            c[i] = -p["value_per_yen"]
            hi[i] = mx
            # x - max*y <= 0 ; x - min*y >= 0
            rows += [r, r]; cols += [i, n + i]; vals += [1.0, -mx]; lb.append(-np.inf); ub.append(0.0); r += 1
            rows += [r, r]; cols += [i, n + i]; vals += [1.0, -mn]; lb.append(0.0); ub.append(np.inf); r += 1
    for i in range(n):
        for col, v in amount_terms(i):
            rows.append(r); cols.append(col); vals.append(v)
    lb.append(-np.inf); ub.append(inst["pool"] / s); r += 1
    for con in inst.get("constraints", []):
        members = sorted({index[m] for m in con["members"]})
        for i in members:
            for col, v in amount_terms(i):
                rows.append(r); cols.append(col); vals.append(v)
        if con["kind"] == "floor":
            lb.append(con["amount"] / s); ub.append(np.inf)
        else:
            lb.append(-np.inf); ub.append(con["amount"] / s)
        r += 1
    a = coo_matrix((vals, (rows, cols)), shape=(r, 2 * n)).tocsr()
    res = milp(
        c,
        constraints=LinearConstraint(a, lb, ub),
        integrality=integrality,
        bounds=Bounds(lo, hi),
        options={"mip_rel_gap": 0.0, "presolve": True},
    )
    if res.status == 0:
        # Coefficients are values per yen applied to scaled amounts: scale back to value units.
        return "optimal", -res.fun * s, res.message
    if res.status == 2:
        return "infeasible", None, res.message
    return "other", None, res.message


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    try:
        with open(args.instances, encoding="utf-8") as f:
            instances = json.load(f)
    except (OSError, ValueError) as e:
        print(f"cannot read {args.instances}: {e}", file=sys.stderr)
        sys.exit(1)
    out = []
    for inst in instances:
        best = math.inf
        for _ in range(max(args.repeat, 1)):
            t = time.perf_counter()
            status, objective, message = solve(inst)
            best = min(best, time.perf_counter() - t)
        out.append({"status": status, "objective": objective, "time_s": best, "highs_message": message, "scipy": scipy.__version__})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
