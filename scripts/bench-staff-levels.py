#!/usr/bin/env python3
"""Benchmark `wuyu staff levels` against a pandas/numpy peer applying the same rules.

Generates a district's appraisal file in the code layout of modules.md §4 (TEACHERS teachers in
schools of 2-250, about 4 % of schools small enough to be pooled; scores in half points so ties at
the cap occur; out-of-N cases, 师德 violations and sanctions at realistic rates), then times, in
the same run and alternating:

* wuyu: the whole command as a user runs it (process start, read + validate the CSV, levels,
  CSV written), wall clock;
* pandas: read_csv + the same order of operations + CSV written, in-process (the interpreter
  start and `import pandas` are not counted).

Both outputs are compared level by level before any time is reported. Prints medians of wall
time and of CPU time (user + sys; the shared machine's load inflates wall time).

    python3 scripts/bench-staff-levels.py --wuyu target/debug/wuyu --teachers 100000 --runs 5
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

SANCTIONS = ["警告", "记过", "降低岗位等级", "撤职"]


def generate(path, teachers, seed):
    rng = np.random.default_rng(seed)
    sizes = []
    while sum(sizes) < teachers:
        sizes.append(int(rng.integers(2, 5)) if rng.random() < 0.04 else int(rng.integers(20, 250)))
    sizes[-1] -= sum(sizes) - teachers
    sizes = [s for s in sizes if s > 0]
    school = np.repeat(np.arange(len(sizes)), sizes)
    n = len(school)
    rating = rng.choice(["normal", "award", "accountable"], len(sizes), p=[0.8, 0.12, 0.08])[school]
    months = np.where(rng.random(n) < 0.05, rng.integers(0, 24, n).astype(str), "")
    leave = np.where(rng.random(n) < 0.03, rng.integers(0, 300, n).astype(str), "")
    sanction = np.where(rng.random(n) < 0.02, rng.choice(SANCTIONS, n), "")
    df = pd.DataFrame({
        "school": np.array([f"学校{s:04d}" for s in range(len(sizes))])[school],
        "unit_rating": rating,
        "staff_no": np.char.add("G", np.arange(n).astype(str)),
        "score": np.clip(np.rint(rng.normal(80, 9, n) * 2) / 2, 0, 100),
        "org_score": np.clip(np.rint(rng.normal(82, 6, n)), 0, 100).astype(int),
        "first_job_months": months,
        "leave_days": leave,
        "under_investigation": np.where(rng.random(n) < 0.003, "yes", "no"),
        "ethics_violation": np.where(rng.random(n) < 0.005, "yes", "no"),
        "sanction": sanction,
    })
    df.to_csv(path, index=False)
    return len(sizes)


def peer(path, out):
    df = pd.read_csv(path, dtype={"school": str, "staff_no": str, "sanction": str}, keep_default_na=False,
                     na_values={"score": [""], "org_score": [""], "first_job_months": [""], "leave_days": [""]})
    months = df["first_job_months"]
    leave = df["leave_days"].fillna(0)
    level = np.full(len(df), "qualified", dtype=object)
    deferred = (df["under_investigation"] == "yes").to_numpy()
    comment = ~deferred & (months < 6).to_numpy()
    no_level = ~deferred & ~comment & (leave >= 183).to_numpy()
    out_n = deferred | comment | no_level
    h = np.floor(df["score"].fillna(0).to_numpy() * 100 + 0.5).astype(np.int64)
    org = np.floor(df["org_score"].fillna(-1).to_numpy() * 100 + 0.5).astype(np.int64)
    ethics = (df["ethics_violation"] == "yes").to_numpy()
    sanction = df["sanction"].to_numpy()
    unq = ethics | np.isin(sanction, ["降低岗位等级", "撤职"]) | (h < 5000)
    basic = ~unq & ((sanction == "记过") | (h < 6000))
    level[unq] = "unqualified"
    level[basic] = "basic"
    level[deferred], level[comment], level[no_level] = "deferred", "comment_only", "no_level"

    in_n = pd.Series(~out_n, index=df.index)
    n_base = in_n.groupby(df["school"]).transform("sum").to_numpy()
    q = df["unit_rating"].map({"normal": 0.20, "award": 0.25, "accountable": 0.15}).to_numpy()
    cap = np.floor(q * n_base + 1e-9).astype(int)
    pooled = cap == 0
    pool = np.where(pooled, "__district__", df["school"].to_numpy())
    pool_n = int((pooled & ~out_n).sum())
    pool_cap = np.where(pooled, int(np.floor(0.2 * pool_n + 1e-9)), cap)

    eligible = ~out_n & ~unq & ~basic & (sanction == "") & ~ethics & (h >= 8500)
    c = pd.DataFrame({"pool": pool[eligible], "h": h[eligible], "org": org[eligible],
                      "cap": pool_cap[eligible]}, index=np.flatnonzero(eligible))
    key = c["h"] * 100_000 + c["org"]
    better = key.groupby(c["pool"]).rank(method="min", ascending=False) - 1
    tied = c.groupby(["pool", "h", "org"])["h"].transform("size")
    idx = c.index.to_numpy()
    exc = (better + tied <= c["cap"]).to_numpy()
    com = ~exc & (better < c["cap"]).to_numpy()
    level[idx[exc]] = "excellent"
    level[idx[com]] = "committee"
    df["level"], df["n_base"], df["cap"] = level, n_base, cap
    df.to_csv(out, index=False)
    return df


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wuyu", required=True)
    ap.add_argument("--teachers", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20241)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-staff-")
    src = os.path.join(tmp, "appraisal.csv")
    schools = generate(src, a.teachers, a.seed)
    print(f"{a.teachers} teachers in {schools} schools, {os.path.getsize(src) / 1e6:.1f} MB", file=sys.stderr)
    wuyu_out, peer_out = os.path.join(tmp, "wuyu.csv"), os.path.join(tmp, "peer.csv")
    wuyu_t, wuyu_cpu, peer_t, peer_cpu = [], [], [], []
    for _ in range(a.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([a.wuyu, "staff", "levels", src, "-o", wuyu_out, "--columns", "code"],
                       check=True, stderr=subprocess.DEVNULL)
        wuyu_t.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wuyu_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        before = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        p = peer(src, peer_out)
        peer_t.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_SELF)
        peer_cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    w = pd.read_csv(wuyu_out, dtype=str, keep_default_na=False)
    mismatch = (w["level"].to_numpy() != p["level"].to_numpy()).sum()
    counts = p["level"].value_counts().to_dict()
    if mismatch:
        sys.exit(f"levels differ on {mismatch} rows")
    if (w["n_base"].astype(int).to_numpy() != p["n_base"].to_numpy()).any() or \
            (w["cap"].astype(int).to_numpy() != p["cap"].to_numpy()).any():
        sys.exit("n_base or cap differ")
    print(f"same levels, N and caps on all {len(p)} rows: {counts}")
    print(f"wuyu staff levels: wall {statistics.median(wuyu_t):.2f} s, CPU {statistics.median(wuyu_cpu):.2f} s (median of {a.runs})")
    print(f"pandas peer:       wall {statistics.median(peer_t):.2f} s, CPU {statistics.median(peer_cpu):.2f} s (median of {a.runs})")


if __name__ == "__main__":
    main()
