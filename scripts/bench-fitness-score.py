#!/usr/bin/env python3
"""Benchmark `wuyu fitness score` (CSV in, CSV out) against DuckDB and pandas peers doing the same
work from the standard's own tables (crates/standards/data/fitness_*.csv).

Generates ROWS students of grades 1-12 in the code layout (student_no, grade, sex, height_cm,
weight_kg and every item column; only the items of the student's grade and sex are filled, about
1 % of rows miss one item), then times, in the same run and alternating:

* wuyu: the whole command as a user runs it (process start, read + validate, score, CSV written),
  `wuyu fitness score IN -o OUT --columns code`;
* DuckDB: read_csv, BMI in exact integers, item scores and bonus by ASOF joins on the thresholds,
  weights, 标准分/学年总分/等级, the result joined back to the input row and COPY to CSV;
* pandas: read_csv, the same computation with numpy searchsorted per (item, grade, sex), to_csv.

DuckDB and pandas run in-process (interpreter start and imports not counted). Before any time is
reported, the standard_score, year_total and level of every row of each peer are compared with
wuyu's output. Prints medians of wall time and CPU time (user + sys).

    python3 scripts/bench-fitness-score.py --wuyu target/release/wuyu --rows 1000000 --runs 3
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb
import numpy as np
import pandas as pd

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "standards", "data")
ITEMS = ["vital_capacity", "run_50m", "sit_and_reach", "rope_skip_1min", "sit_up_1min", "shuttle_50x8",
         "standing_long_jump", "pull_up", "run_1000m", "run_800m"]
# Decimals a result is written with.
DECIMALS = {"vital_capacity": 0, "run_50m": 1, "sit_and_reach": 1, "rope_skip_1min": 0, "sit_up_1min": 0,
            "shuttle_50x8": 0, "standing_long_jump": 0, "pull_up": 0, "run_1000m": 0, "run_800m": 0}
LEVELS = [(900, "excellent"), (800, "good"), (600, "pass"), (-1, "fail")]


def tables():
    scores = pd.read_csv(os.path.join(DATA, "fitness_scores.csv"), dtype={"grade": str})
    scores = scores[scores["threshold"].notna()]
    weights = pd.read_csv(os.path.join(DATA, "fitness_weights.csv"), dtype={"grade": str})
    bonus = pd.read_csv(os.path.join(DATA, "fitness_bonus.csv"), dtype={"grade": str})
    bmi = pd.read_csv(os.path.join(DATA, "fitness_bmi.csv"), dtype={"grade": str})
    school = lambda df: df[df["grade"].str.isdigit()].assign(grade=lambda d: d["grade"].astype(int))
    scores, weights, bonus, bmi = school(scores), school(weights), school(bonus), school(bmi)
    # Absolute bonus thresholds: the 100-point threshold ± delta.
    t100 = scores[scores["score"] == 100][["item", "sex", "grade", "threshold", "direction"]]
    bonus = bonus.merge(t100, on=["item", "sex", "grade"])
    bonus["threshold"] = np.where(bonus["direction"] == "lower", bonus["threshold"] - bonus["delta"],
                                  bonus["threshold"] + bonus["delta"])
    bmi["lo"] = np.rint(bmi["bmi_min"] * 10).fillna(-1).astype(np.int64)
    bmi["hi"] = np.rint(bmi["bmi_max"] * 10).fillna(10**9).astype(np.int64)
    return scores, weights, bonus[["item", "sex", "grade", "bonus", "threshold", "direction"]], bmi


def generate(path, rows, seed):
    scores, weights, _, _ = tables()
    rng = np.random.default_rng(seed)
    grade = rng.integers(1, 13, rows)
    sex = np.where(rng.random(rows) < 0.5, "M", "F")
    age = grade + 6
    height = np.round(rng.normal(100 + 5.5 * age, 7), 1)
    bmi = rng.normal(14 + 0.45 * age, 2.5).clip(11, 40)
    weight = np.round(bmi * (height / 100) ** 2, 1)
    df = pd.DataFrame({"student_no": np.char.add("G", np.arange(rows).astype(str)), "grade": grade, "sex": sex,
                       "height_cm": height, "weight_kg": weight})
    applies = weights[weights["item"] != "bmi"]
    for item in ITEMS:
        col = np.full(rows, "", dtype=object)
        for (g, s), w in applies[applies["item"] == item].groupby(["grade", "sex"]):
            t = scores[(scores["item"] == item) & (scores["grade"] == g) & (scores["sex"] == s)]["threshold"]
            mask = (grade == g) & (sex == s)
            lo, hi = t.min(), t.max()
            span = hi - lo
            v = rng.uniform(lo - 0.15 * span, hi + 0.15 * span, mask.sum())
            if item != "sit_and_reach":
                # Below the lowest level but possible: a negative count or time is an ERROR row.
                v = np.maximum(v, lo * 0.5)
            v = np.round(v, DECIMALS[item])
            col[mask] = v.astype(int).astype(str) if DECIMALS[item] == 0 else np.char.mod("%.1f", v)
        df[item] = col
    # About 1 % miss one item of theirs: INCOMPLETE.
    miss = np.flatnonzero(rng.random(rows) < 0.01)
    df.loc[miss, "vital_capacity"] = ""
    df.to_csv(path, index=False)


def duckdb_peer(path, out):
    scores, weights, bonus, bmi = tables()
    con = duckdb.connect()
    con.register("scores_df", scores)
    con.register("weights_df", weights)
    con.register("bonus_df", bonus)
    con.register("bmi_df", bmi)
    cols = ", ".join(f"'{i}': 'DOUBLE'" for i in ITEMS)
    con.execute(f"""
        CREATE TEMP TABLE s AS SELECT row_number() OVER () AS rid, * FROM read_csv('{path}', header = true,
            columns = {{'student_no': 'VARCHAR', 'grade': 'INTEGER', 'sex': 'VARCHAR', 'height_cm': 'DOUBLE',
                        'weight_kg': 'DOUBLE', {cols}}})""")
    con.execute(f"""
        CREATE TEMP TABLE long AS
        SELECT rid, grade, sex, item, v FROM (UNPIVOT s ON {", ".join(ITEMS)} INTO NAME item VALUE v)""")
    con.execute("""
        CREATE TEMP TABLE thr AS SELECT item, sex, grade, score, threshold, direction FROM scores_df;
        CREATE TEMP TABLE bon AS SELECT item, sex, grade, bonus, threshold, direction FROM bonus_df;
        CREATE TEMP TABLE hi AS SELECT * FROM long WHERE item IN
            ('vital_capacity','sit_and_reach','rope_skip_1min','sit_up_1min','standing_long_jump','pull_up');
        CREATE TEMP TABLE lo AS SELECT * FROM long WHERE item IN ('run_50m','shuttle_50x8','run_1000m','run_800m');
        CREATE TEMP TABLE item_scores AS
        SELECT l.rid, l.item, coalesce(t.score, 0) AS score, coalesce(b.bonus, 0) AS bonus FROM hi l
          ASOF LEFT JOIN thr t ON l.item = t.item AND l.sex = t.sex AND l.grade = t.grade AND l.v >= t.threshold
          ASOF LEFT JOIN bon b ON l.item = b.item AND l.sex = b.sex AND l.grade = b.grade AND l.v >= b.threshold
        UNION ALL
        SELECT l.rid, l.item, coalesce(t.score, 0), coalesce(b.bonus, 0) FROM lo l
          ASOF LEFT JOIN thr t ON l.item = t.item AND l.sex = t.sex AND l.grade = t.grade AND l.v <= t.threshold
          ASOF LEFT JOIN bon b ON l.item = b.item AND l.sex = b.sex AND l.grade = b.grade AND l.v <= b.threshold;
    """)
    con.execute(f"""
        COPY (
          WITH b AS (
            SELECT s.rid, s.grade, s.sex,
                   (2 * CAST(s.weight_kg * 1000 + 0.5 AS BIGINT) * 100000000
                      + CAST(s.height_cm * 1000 + 0.5 AS BIGINT) * CAST(s.height_cm * 1000 + 0.5 AS BIGINT))
                   // (2 * CAST(s.height_cm * 1000 + 0.5 AS BIGINT) * CAST(s.height_cm * 1000 + 0.5 AS BIGINT))
                   AS bmi_t
            FROM s),
          bs AS (
            SELECT b.rid, b.bmi_t, m.score * w.weight_percent AS weighted
            FROM b JOIN bmi_df m ON m.sex = b.sex AND m.grade = b.grade AND b.bmi_t BETWEEN m.lo AND m.hi
                   JOIN weights_df w ON w.item = 'bmi' AND w.sex = b.sex AND w.grade = b.grade),
          its AS (
            SELECT i.rid, sum(i.score * w.weight_percent) AS weighted, least(sum(i.bonus), 20) AS bonus_total,
                   count(*) AS n
            FROM item_scores i JOIN s ON s.rid = i.rid
                 JOIN weights_df w ON w.item = i.item AND w.sex = s.sex AND w.grade = s.grade
            GROUP BY i.rid),
          need AS (SELECT sex, grade, count(*) - 1 AS n FROM weights_df GROUP BY sex, grade),
          tot AS (
            SELECT s.*, bs.bmi_t / 10 AS bmi, its.bonus_total,
                   CASE WHEN its.n = need.n THEN (bs.weighted + its.weighted + 5) // 10 END AS standard_t
            FROM s JOIN bs USING (rid) JOIN its USING (rid) JOIN need ON need.sex = s.sex AND need.grade = s.grade)
          SELECT * EXCLUDE (rid, standard_t), standard_t / 10 AS standard_score,
                 (standard_t + 10 * bonus_total) / 10 AS year_total,
                 CASE WHEN standard_t IS NULL THEN NULL
                      WHEN standard_t + 10 * bonus_total >= 900 THEN 'excellent'
                      WHEN standard_t + 10 * bonus_total >= 800 THEN 'good'
                      WHEN standard_t + 10 * bonus_total >= 600 THEN 'pass' ELSE 'fail' END AS level
          FROM tot ORDER BY rid
        ) TO '{out}' (HEADER, DELIMITER ',')""")
    con.close()


def pandas_peer(path, out):
    scores, weights, bonus, bmi = tables()
    df = pd.read_csv(path, dtype={"student_no": str, "sex": str})
    n = len(df)
    grade = df["grade"].to_numpy()
    sex = df["sex"].to_numpy()
    h = (df["height_cm"].to_numpy() * 1000 + 0.5).astype(np.int64)
    w = (df["weight_kg"].to_numpy() * 1000 + 0.5).astype(np.int64)
    bmi_t = (2 * w * 100000000 + h * h) // (2 * h * h)
    weighted = np.zeros(n, dtype=np.int64)
    bonus_total = np.zeros(n, dtype=np.int64)
    complete = np.ones(n, dtype=bool)
    groups = {key: idx for key, idx in df.groupby(["grade", "sex"]).indices.items()}
    for (g, s), idx in groups.items():
        wts = weights[(weights["grade"] == g) & (weights["sex"] == s)].set_index("item")["weight_percent"]
        bands = bmi[(bmi["grade"] == g) & (bmi["sex"] == s)].sort_values("hi")
        k = np.searchsorted(bands["hi"].to_numpy(), bmi_t[idx], side="left")
        weighted[idx] += bands["score"].to_numpy()[np.minimum(k, len(bands) - 1)] * wts["bmi"]
        for item, wt in wts.items():
            if item == "bmi":
                continue
            v = df[item].to_numpy()[idx]
            complete[idx] &= ~np.isnan(v)
            t = scores[(scores["item"] == item) & (scores["grade"] == g) & (scores["sex"] == s)]
            t = t.sort_values("threshold")
            thr, sc = t["threshold"].to_numpy(), t["score"].to_numpy()
            b = bonus[(bonus["item"] == item) & (bonus["grade"] == g) & (bonus["sex"] == s)].sort_values("threshold")
            bthr, bsc = b["threshold"].to_numpy(), b["bonus"].to_numpy()
            if t["direction"].iloc[0] == "higher":
                k = np.searchsorted(thr, v, side="right") - 1
                kb = np.searchsorted(bthr, v, side="right") - 1
            else:
                k = np.searchsorted(thr, v, side="left")
                k = np.where(k >= len(thr), -1, k)
                kb = np.searchsorted(bthr, v, side="left")
                kb = np.where(kb >= len(bthr), -1, kb)
            item_score = np.where(k >= 0, sc[np.maximum(k, 0)], 0) if len(sc) else np.zeros(len(idx), int)
            item_bonus = np.where(kb >= 0, bsc[np.maximum(kb, 0)], 0) if len(bsc) else np.zeros(len(idx), int)
            weighted[idx] += np.where(np.isnan(v), 0, item_score) * wt
            bonus_total[idx] += np.where(np.isnan(v), 0, item_bonus)
    bonus_total = np.minimum(bonus_total, 20)
    standard_t = (weighted + 5) // 10
    total_t = standard_t + 10 * bonus_total
    level = np.select([total_t >= 900, total_t >= 800, total_t >= 600], ["excellent", "good", "pass"], "fail")
    df["bmi"] = bmi_t / 10
    df["bonus_total"] = bonus_total
    df["standard_score"] = np.where(complete, standard_t / 10, np.nan)
    df["year_total"] = np.where(complete, total_t / 10, np.nan)
    df["level"] = np.where(complete, level, "")
    df.to_csv(out, index=False)


def wuyu_run(exe, path, out):
    subprocess.run([exe, "fitness", "score", path, "-o", out, "--columns", "code"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def results(path):
    df = pd.read_csv(path, usecols=["student_no", "standard_score", "year_total", "level"],
                     dtype={"student_no": str, "level": str}, keep_default_na=False, na_values={"standard_score": [""], "year_total": [""]},
                     encoding="utf-8-sig")
    return df.set_index("student_no").sort_index()


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
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--dir", default=None)
    args = ap.parse_args()
    d = args.dir or tempfile.mkdtemp(prefix="bench-fitness-")
    src = os.path.join(d, "fitness.csv")
    generate(src, args.rows, args.seed)
    print(f"{args.rows} rows, {os.path.getsize(src) / 1e6:.1f} MB CSV in {d}; load {os.getloadavg()[0]:.1f}")
    outs = {k: os.path.join(d, f"out-{k}.csv") for k in ["wuyu", "duckdb", "pandas"]}
    jobs = {
        "wuyu": lambda: wuyu_run(args.wuyu, src, outs["wuyu"]),
        "duckdb": lambda: duckdb_peer(src, outs["duckdb"]),
        "pandas": lambda: pandas_peer(src, outs["pandas"]),
    }
    for k, f in jobs.items():
        f()
    want = results(outs["wuyu"])
    for k in ["duckdb", "pandas"]:
        got = results(outs[k])
        assert len(got) == len(want) == args.rows, (k, len(got), len(want))
        for col in ["standard_score", "year_total", "level"]:
            a, b = want[col], got[col]
            same = (a == b) | (a.isna() & b.isna()) if col != "level" else (a == b)
            bad = (~same).sum()
            assert bad == 0, f"{k} {col}: {bad} rows differ, e.g.\n{pd.concat([a, b], axis=1)[~same].head()}"
    print(f"standard_score, year_total and level agree on all {args.rows} rows (DuckDB {duckdb.__version__}, "
          f"pandas {pd.__version__})")
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
        print(f"| {k} | {' / '.join(f'{w:.2f}' for w in walls)} | {statistics.median(walls):.2f} s "
              f"| {statistics.median(cpus):.2f} s |")


if __name__ == "__main__":
    sys.exit(main())
