#!/usr/bin/env python3
"""Files of the issue-14 peer comparisons (ponder vs R survey vs Python svy).

    python3 gen.py chain  OUTDIR   # 25,000-row sample + configs of the replicate chain
    python3 gen.py rake N OUTDIR   # N-row sample, 6 coded categorical margins + configs

Everything is drawn from a fixed seed: the same files on every machine.
"""
import json
import os
import random
import sys

LEVELS = {"sex": 2, "age": 5, "dipl": 6, "pcs": 8, "hh": 5, "region": 13}


def sample(n, seed):
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        region = rnd.randrange(LEVELS["region"]) + 1
        r = {"id": i + 1, "region": region}
        for v in ("sex", "age", "dipl", "pcs", "hh"):
            r[v] = rnd.randrange(LEVELS[v]) + 1
        r["d"] = round(rnd.uniform(500.0, 1500.0), 3)
        r["y"] = round(rnd.gauss(50.0 + 2.0 * r["age"], 10.0), 4)
        rows.append(r)
    return rows


def margins(rows, seed):
    """Population totals: design-weighted totals of each category times a factor
    near 1, all margins rescaled to one grand total (consistent margins)."""
    rnd = random.Random(seed + 1)
    n_hat = sum(r["d"] for r in rows)
    grand = n_hat * 1.04
    out = {}
    for v in ("sex", "age", "dipl", "pcs", "hh", "region"):
        t = {}
        for r in rows:
            t[r[v]] = t.get(r[v], 0.0) + r["d"]
        t = {k: x * rnd.uniform(0.92, 1.08) for k, x in t.items()}
        s = sum(t.values())
        out[v] = {k: round(x * grand / s, 6) for k, x in sorted(t.items())}
    # the last margin absorbs the rounding so that all margins share one total
    return out


def write_csv(rows, path, cols):
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(str(r[c]) for c in cols) + "\n")


def calibrate_yaml(m, path, replicates=None, tolerance=1e-6):
    with open(path, "w") as f:
        f.write("weight: d\noutput: w_cal\nmethod: raking\n")
        f.write(f"tolerance: {tolerance}\nmax_iterations: 100\n")
        if replicates:
            f.write(f'replicates: "{replicates}"\n')
        f.write("margins:\n")
        for v, t in m.items():
            body = ", ".join(f"{k}: {x!r}" for k, x in t.items())
            f.write(f"  - variable: {v}\n    totals: {{{body}}}\n")


def main():
    kind = sys.argv[1]
    if kind == "chain":
        out = sys.argv[2]
        n = 25000
    else:
        n = int(sys.argv[2])
        out = sys.argv[3]
    os.makedirs(out, exist_ok=True)
    rows = sample(n, 20261206)
    m = margins(rows, 20261206)
    cols = ["id", "region", "sex", "age", "dipl", "pcs", "hh", "d", "y"]
    write_csv(rows, os.path.join(out, "sample.csv"), cols)
    with open(os.path.join(out, "margins.json"), "w") as f:
        json.dump(m, f)
    if kind == "chain":
        with open(os.path.join(out, "design.yaml"), "w") as f:
            f.write("design:\n  weight: d\n  strata: region\n")
        calibrate_yaml(m, os.path.join(out, "calibrate.yaml"), replicates="rep_*")
        with open(os.path.join(out, "estimate.yaml"), "w") as f:
            f.write(
                "design:\n  weight: w_cal\n  replicates:\n    columns: \"w_cal_rep_*\"\n"
                "    type: bootstrap\n    count: 200\n"
                "estimates:\n  - {name: y_by_region, stat: mean, variable: y, by: [region]}\n"
            )
    else:
        calibrate_yaml(m, os.path.join(out, "calibrate.yaml"))


if __name__ == "__main__":
    main()
