#!/usr/bin/env python3
"""Benchmark `wuyu analytics satisfaction` against a pandas/numpy peer computing the same numbers.

Generates a parents' survey (ROWS responses x ITEMS items, answers written as the Chinese labels,
~4 % 不了解, ~2 % blank, satisfaction uneven across schools), then times, in the same run:

* wuyu: the whole command as a user runs it (process start, read + decode + validate the CSV,
  count, statistics, JSON to stdout), wall clock;
* pandas: read_csv + label mapping + per-school counts + the same formulas, in-process
  (the interpreter start and `import pandas` are not counted).

Both results are compared number by number before any time is reported. Prints medians of
wall-clock time and of CPU time (user + sys; the shared machine's load inflates wall time).

    python3 scripts/bench-satisfaction.py --wuyu target/debug/wuyu --rows 100000 --items 20 --runs 5
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

LABELS = ["非常不满意", "不满意", "基本满意", "满意", "非常满意"]
POINT = {l: i + 1 for i, l in enumerate(LABELS)}
POINT.update({"一般": 3, "不了解": 0, "不清楚": 0, "": -1})
POINT.update({str(k): k for k in range(1, 6)})
Z = 1.96


def generate(path, rows, items, schools, seed):
    rng = np.random.default_rng(seed)
    school = rng.integers(0, schools, rows)
    # Each school has its own leaning: a shift of the point distribution.
    lean = rng.normal(0.0, 0.6, schools)[school]
    cols = {"学校": np.array([f"学校{s:04d}" for s in range(schools)])[school]}
    labels = np.array(LABELS + ["不了解", ""], dtype=object)
    for j in range(items):
        raw = np.clip(np.rint(rng.normal(3.9, 1.0, rows) + lean), 1, 5).astype(int) - 1
        u = rng.random(rows)
        raw[u < 0.04] = 5  # 不了解
        raw[(u >= 0.04) & (u < 0.06)] = 6  # blank
        cols[f"Q{j + 1:02d}"] = labels[raw]
    pd.DataFrame(cols).to_csv(path, index=False)


def peer(path, items, group, min_n):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    codes, names = pd.factorize(df[group], sort=True)
    g = len(names)
    floor = max(min_n, 5)
    out = []
    for item in items:
        pts = df[item].str.strip().map(POINT)
        if pts.isna().any():
            bad = int(np.flatnonzero(pts.isna().to_numpy())[0])
            raise SystemExit(f"row {bad + 2}: {df[item].iloc[bad]!r}")
        # Columns 0..6 = blank, 不了解, points 1..5.
        idx = pts.to_numpy(dtype=np.int64) + 1
        counts = np.bincount(codes * 7 + idx, minlength=g * 7).reshape(g, 7)
        k = counts[:, 2:]
        n = k.sum(axis=1)
        unknown = counts[:, 1]
        groups = []
        for i in range(g):
            ni = int(n[i])
            rec = {"group": names[i], "n": ni}
            if ni < floor:
                rec.update({key: None for key in
                            ("top2_rate", "ci_low", "ci_high", "top3_rate", "mean", "index",
                             "unknown_share")})
                rec["suppressed"] = True
            else:
                p = (k[i, 3] + k[i, 4]) / ni
                c = (p + Z * Z / (2 * ni)) / (1 + Z * Z / ni)
                h = Z * math.sqrt(p * (1 - p) / ni + Z * Z / (4 * ni * ni)) / (1 + Z * Z / ni)
                mean = float((k[i] * np.arange(1, 6)).sum()) / ni
                rec.update({
                    "top2_rate": p, "ci_low": max(0.0, c - h), "ci_high": min(1.0, c + h),
                    "top3_rate": (k[i, 2] + k[i, 3] + k[i, 4]) / ni, "mean": mean,
                    "index": 25.0 * (mean - 1.0),
                    "unknown_share": unknown[i] / (ni + unknown[i]),
                    "suppressed": False,
                })
            groups.append(rec)
        out.append({"item": item, "groups": groups})
    return {"items": out}


def same(a, b):
    for ia, ib in zip(a["items"], b["items"], strict=True):
        assert ia["item"] == ib["item"]
        for ga, gb in zip(ia["groups"], ib["groups"], strict=True):
            for key, va in ga.items():
                vb = gb[key]
                if isinstance(va, float) or isinstance(vb, float):
                    assert abs(float(va) - float(vb)) < 1e-9, (ia["item"], ga["group"], key, va, vb)
                else:
                    assert va == vb, (ia["item"], ga["group"], key, va, vb)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wuyu", default="target/debug/wuyu")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--schools", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--dir", default=None)
    a = ap.parse_args()
    d = a.dir or tempfile.mkdtemp(prefix="wuyu-satisfaction-bench-")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, f"survey-{a.rows}x{a.items}.csv")
    if not os.path.exists(path):
        generate(path, a.rows, a.items, a.schools, a.seed)
    items = [f"Q{j + 1:02d}" for j in range(a.items)]
    print(f"{path}: {a.rows} responses x {a.items} items, {a.schools} schools, "
          f"{os.path.getsize(path) / 1e6:.1f} MB")
    cmd = [a.wuyu, "analytics", "satisfaction", path, "--group", "学校"]
    for it in items:
        cmd += ["--item", it]
    wuyu_t, peer_t, wuyu_cpu, peer_cpu = [], [], [], []
    ours = theirs = None
    for _ in range(a.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, check=True)
        wuyu_t.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wuyu_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        ours = json.loads(r.stdout)
        c = time.process_time()
        t = time.perf_counter()
        theirs = peer(path, items, "学校", 30)
        peer_t.append(time.perf_counter() - t)
        peer_cpu.append(time.process_time() - c)
    same(ours, theirs)
    print("results agree (every item x school, every number within 1e-9)")
    fmt = lambda ts: f"median {statistics.median(ts):.3f} s (runs {', '.join(f'{x:.3f}' for x in ts)})"
    print(f"wuyu   wall: {fmt(wuyu_t)}")
    print(f"wuyu   cpu : {fmt(wuyu_cpu)}")
    print(f"pandas wall: {fmt(peer_t)}")
    print(f"pandas cpu : {fmt(peer_cpu)}")


if __name__ == "__main__":
    sys.exit(main())
