#!/usr/bin/env python3
"""The replicate chain of issue 14 in Python svy, in one process: 200 Rao–Wu bootstrap
replicates (strata: region, elements as PSUs), raking of the weight and of every replicate
to 6 margins, mean of y by region with replicate SEs.

    /path/to/venv/bin/python svy_chain.py DIR   # DIR from `python3 gen.py chain DIR`

Prints the wall time of each phase and of the whole chain (file read included).
"""
import json
import sys
import time

import polars as pl
import svy

d = sys.argv[1]
t0 = time.perf_counter()
df = pl.read_csv(f"{d}/sample.csv")
margins = json.load(open(f"{d}/margins.json"))
controls = {v: {int(k): x for k, x in t.items()} for v, t in margins.items()}
t1 = time.perf_counter()
s = svy.Sample(df, svy.Design(stratum="region", psu="id", wgt="d"))
s = s.weighting.create_bs_wgts(200, rstate=1)
t2 = time.perf_counter()
s = s.weighting.rake(controls=controls, wgt_name="w_cal", tol=1e-6, max_iter=100)
t3 = time.perf_counter()
est = s.estimation.mean("y", by="region", method="replication")
t4 = time.perf_counter()
print(est.to_polars().head(3))
print(json.dumps({"read": t1 - t0, "replicates": t2 - t1, "rake": t3 - t2,
                  "estimate": t4 - t3, "total": t4 - t0}))
