#!/usr/bin/env python3
"""Benchmark `wuyu analytics items` and `wuyu analytics value-added --model reml` against the
peers an analyst would use (numpy for the item analysis, statsmodels MixedLM for REML), same data,
same run, alternating.

* items: STUDENTS x ITEMS (default 100,000 x 40) scores in a CSV with an id column, half the items
  0/1 and half 0-5 points, about 1 % blank (unanswered = 0); wuyu's whole command (process start,
  read + validate, analysis, JSON out) against pandas.read_csv + numpy (difficulty, 27 % extreme
  groups with fractional ties, point-biserial, corrected item-total, alpha and alpha if deleted).
* value-added: STUDENTS (default 200,000) in SCHOOLS (100) with a prior and an outcome score;
  wuyu's whole command against pandas.read_csv + statsmodels MixedLM (random intercept, REML).

The peers run in-process (interpreter start and imports not counted). Before any time is
reported the results are compared: every item statistic within 1e-9, and the REML slope,
variance components and every school's shrunken effect within 1e-3 of their spread.

    python3 scripts/bench-analytics.py --wuyu target/release/wuyu --runs 3
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf


def gen_items(path, n, k, seed):
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, n)
    cols = {"id": np.char.add("S", np.arange(n).astype(str))}
    marks = []
    for j in range(k):
        b = rng.normal(0, 1)
        if j % 2 == 0:
            p = 1 / (1 + np.exp(-(ability - b)))
            x = (rng.random(n) < p).astype(int)
            marks.append(1)
        else:
            x = np.clip(np.rint(2.5 + 1.5 * (ability - b) + rng.normal(0, 1, n)), 0, 5).astype(int)
            marks.append(5)
        s = x.astype(str).astype(object)
        s[rng.random(n) < 0.01] = ""
        cols[f"q{j + 1}"] = s
    pd.DataFrame(cols).to_csv(path, index=False)
    return marks


def items_peer(path, marks):
    df = pd.read_csv(path, dtype={"id": str})
    x = df.drop(columns="id").to_numpy(dtype=float)
    absent = np.isnan(x).all(axis=1)
    x = np.nan_to_num(x[~absent], nan=0.0)
    n, k = x.shape
    m = np.asarray(marks, dtype=float)
    t = x.sum(axis=1)
    mean = x.mean(axis=0)
    xc = x - mean
    tc = t - t.mean()
    var_i = (xc * xc).mean(axis=0)
    cov = (xc * tc[:, None]).mean(axis=0)
    var_t = (tc * tc).mean()
    alpha = k / (k - 1) * (1 - var_i.sum() / var_t)
    # 27 % groups, students tied at the boundary sharing the remaining weight.
    g = 0.27 * n
    pos = int(np.clip(np.ceil(g - 1e-9), 1, n))
    srt = np.sort(t)

    def weights(top):
        b = srt[::-1][pos - 1] if top else srt[pos - 1]
        inside = t > b if top else t < b
        at = t == b
        w = np.where(inside, 1.0, 0.0)
        w[at] = (g - inside.sum()) / at.sum()
        return w

    wu, wl = weights(True), weights(False)
    disc = (wu @ x) / wu.sum() / m - (wl @ x) / wl.sum() / m
    var_rest = var_t + var_i - 2 * cov
    return {
        "n": n,
        "alpha": alpha,
        "difficulty": mean / m,
        "discrimination": disc,
        "point_biserial": cov / np.sqrt(var_i * var_t),
        "corrected_item_total": (cov - var_i) / np.sqrt(var_i * var_rest),
        "alpha_if_deleted": (k - 1) / (k - 2) * (1 - (var_i.sum() - var_i) / var_rest),
    }


def gen_va(path, n, schools, seed):
    rng = np.random.default_rng(seed)
    school = rng.integers(0, schools, n)
    effect = rng.normal(0, 3, schools)
    prior = rng.normal(70, 12, n)
    outcome = 10 + 0.85 * prior + effect[school] + rng.normal(0, 8, n)
    pd.DataFrame({"student": np.arange(n), "school": np.char.add("学校", school.astype(str)),
                  "prior": np.round(prior, 1), "outcome": np.round(outcome, 1)}).to_csv(path, index=False)


def va_peer(path):
    df = pd.read_csv(path)
    fit = smf.mixedlm("outcome ~ prior", df, groups=df["school"]).fit(reml=True)
    re = {g: float(v.iloc[0]) for g, v in fit.random_effects.items()}
    return {"slope": float(fit.fe_params["prior"]), "tau2": float(fit.cov_re.iloc[0, 0]),
            "sigma2": float(fit.scale), "effects": re}


def reml_loglik(path, tau2, sigma2):
    """The restricted log-likelihood of the random-intercept model outcome ~ prior + (1 | school)
    at (tau2, sigma2), up to a constant, from per-school sums (V is block compound-symmetric)."""
    df = pd.read_csv(path)
    codes, _ = pd.factorize(df["school"])
    y, x = df["outcome"].to_numpy(float), df["prior"].to_numpy(float)
    n = np.bincount(codes).astype(float)
    sx, sy = np.bincount(codes, x), np.bincount(codes, y)
    sxx, sxy, syy = np.bincount(codes, x * x), np.bincount(codes, x * y), np.bincount(codes, y * y)
    lam = tau2 / (sigma2 + n * tau2)
    a = np.stack([n, sx], 1)
    xtx = np.array([[len(y), x.sum()], [x.sum(), (x * x).sum()]])
    xvx = (xtx - (a.T * lam) @ a) / sigma2
    xvy = (np.array([y.sum(), (x * y).sum()]) - (a.T * lam) @ sy) / sigma2
    b0, b1 = np.linalg.solve(xvx, xvy)
    rr = syy - 2 * (b0 * sy + b1 * sxy) + b0 * b0 * n + 2 * b0 * b1 * sx + b1 * b1 * sxx
    rs = sy - b0 * n - b1 * sx
    quad = ((rr - lam * rs * rs) / sigma2).sum()
    logdet_v = ((n - 1) * np.log(sigma2) + np.log(sigma2 + n * tau2)).sum()
    return -0.5 * (logdet_v + np.linalg.slogdet(xvx)[1] + quad)


def wuyu_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    return json.loads(out)


def timed(f):
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    f()
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime + c1.ru_utime - c0.ru_utime
           + c1.ru_stime - c0.ru_stime)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wuyu", required=True)
    ap.add_argument("--students", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=40)
    ap.add_argument("--va-students", type=int, default=200_000)
    ap.add_argument("--schools", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    d = args.dir or tempfile.mkdtemp(prefix="bench-analytics-")
    items_csv = os.path.join(d, "items.csv")
    va_csv = os.path.join(d, "va.csv")
    marks = gen_items(items_csv, args.students, args.items, 4)
    gen_va(va_csv, args.va_students, args.schools, 4)
    print(f"items {os.path.getsize(items_csv) / 1e6:.1f} MB, value-added {os.path.getsize(va_csv) / 1e6:.1f} MB "
          f"in {d}; load {os.getloadavg()[0]:.1f}")
    items_cmd = [args.wuyu, "analytics", "items", items_csv, "--id", "id",
                 "--full-marks", ",".join(str(m) for m in marks)]
    va_cmd = [args.wuyu, "analytics", "value-added", va_csv, "--outcome", "outcome", "--prior", "prior",
              "--group", "school", "--model", "reml"]

    # Same numbers first.
    w = wuyu_json(items_cmd)
    p = items_peer(items_csv, marks)
    assert w["n"] == p["n"], (w["n"], p["n"])
    assert abs(w["alpha"] - p["alpha"]) < 1e-9, (w["alpha"], p["alpha"])
    for j, it in enumerate(w["items"]):
        for key in ["difficulty", "discrimination", "point_biserial", "corrected_item_total", "alpha_if_deleted"]:
            assert abs(it[key] - p[key][j]) < 1e-9, (it["item"], key, it[key], p[key][j])
    print(f"items: n, alpha and 5 statistics of all {args.items} items agree within 1e-9")
    w = wuyu_json(va_cmd)
    p = va_peer(va_csv)
    slope = next(c["estimate"] for c in w["coefficients"] if c["name"] == "prior")
    assert abs(slope - p["slope"]) < 1e-3 * abs(p["slope"]), (slope, p["slope"])
    if abs(w["tau2"] - p["tau2"]) >= 1e-3 * p["tau2"]:
        # statsmodels' optimiser can stop short of the REML optimum: then the estimate with the
        # higher restricted log-likelihood (computed here, independently of both) is the better one.
        lw = reml_loglik(va_csv, w["tau2"], w["sigma2"])
        lp = reml_loglik(va_csv, p["tau2"], p["sigma2"])
        assert lw >= lp - 1e-6 * abs(lp), (w["tau2"], p["tau2"], lw, lp)
        assert abs(w["tau2"] - p["tau2"]) < 1e-2 * p["tau2"], (w["tau2"], p["tau2"])
        print(f"value-added: tau2 {w['tau2']:.6f} (wuyu) vs {p['tau2']:.6f} (statsmodels); the restricted "
              f"log-likelihood is {lw:.6f} at wuyu's and {lp:.6f} at statsmodels' estimate")
    assert abs(w["sigma2"] - p["sigma2"]) < 1e-3 * p["sigma2"], (w["sigma2"], p["sigma2"])
    spread = np.std(list(p["effects"].values()))
    worst = 0.0
    groups = {g["group"]: g for g in w["groups"]}
    # wuyu reports each school's shrunken effect as a deviation from the fixed part, like the peer.
    for name, eff in p["effects"].items():
        worst = max(worst, abs(groups[name]["shrunken"] - eff))
    assert worst < 1e-3 * spread, (worst, spread)
    print(f"value-added: slope and sigma2 within 1e-3 relative; {len(p['effects'])} school effects within "
          f"{worst:.2e} (spread {spread:.2f})")

    jobs = {
        "wuyu analytics items": lambda: wuyu_json(items_cmd),
        "numpy items (pandas.read_csv + numpy)": lambda: items_peer(items_csv, marks),
        "wuyu analytics value-added --model reml": lambda: wuyu_json(va_cmd),
        "statsmodels MixedLM REML (pandas.read_csv + fit)": lambda: va_peer(va_csv),
    }
    times = {k: [] for k in jobs}
    for _ in range(args.runs):
        for k, f in jobs.items():
            times[k].append(timed(f))
    print(f"load after: {os.getloadavg()[0]:.1f}")
    print("| what | runs (wall s) | median wall | median CPU |")
    print("|---|---|---|---|")
    for k, ts in times.items():
        walls = [w for w, _ in ts]
        cpus = [c for _, c in ts]
        print(f"| {k} | {' / '.join(f'{w:.2f}' for w in walls)} | {statistics.median(walls):.3f} s "
              f"| {statistics.median(cpus):.3f} s |")


if __name__ == "__main__":
    sys.exit(main())
