#!/usr/bin/env python3
"""svy's Rust raking kernel on ready integer codes (issue 14, "solve" workload): the
margins already coded 0..k-1 as int64 arrays, the weights as an (n, 1) array; only the
kernel call is timed (median of 3), as the issue's peer figure.

    /path/to/venv/bin/python svy_rake_kernel.py DIR   # DIR from `python3 gen.py rake N DIR`
"""
import json
import statistics
import sys
import time

import numpy as np
import polars as pl
from svy_rs._internal import rake

d = sys.argv[1]
df = pl.read_csv(f"{d}/sample.csv")
margins = json.load(open(f"{d}/margins.json"))
idx, targets = [], []
for v, t in margins.items():
    levels = sorted(int(k) for k in t)
    code = {lv: i for i, lv in enumerate(levels)}
    col = df.get_column(v).to_numpy()
    idx.append(np.ascontiguousarray(np.vectorize(code.get)(col).astype(np.int64)))
    targets.append(np.array([t[str(lv)] for lv in levels], dtype=np.float64))
w = np.ascontiguousarray(df.get_column("d").to_numpy().astype(np.float64).reshape(-1, 1))
times = []
for _ in range(3):
    t0 = time.perf_counter()
    out = rake(w, idx, targets, None, None, 1e-6, 100)
    times.append(time.perf_counter() - t0)
print(json.dumps({"rows": len(df), "kernel_median": statistics.median(times), "runs": times,
                  "sum_w": float(out.sum())}))
