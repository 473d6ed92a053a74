//! Walks every row of every CSV in `data/` and checks that the implementation reproduces each
//! cell exactly, at the threshold and just either side of it: what a PE teacher checking the
//! scorer against the printed tables would do, for all cells, not a sample.
//!
//! The expectations come from the CSV rows read here with the `csv` crate and the README's rules
//! restated in a few lines, never from the crate's own parsed tables.
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use common::*;
use wuyu_domain::Sex;
use wuyu_standards::*;

/// A recorded-precision step next to a threshold: 0.1 for values written with a decimal
/// (50米跑 10.2, 坐位体前屈 -1.3), 1 for whole numbers (ml, cm, counts, seconds).
fn step_from(threshold: &str, steps: i64) -> f64 {
    if threshold.contains('.') {
        from_tenths(tenths(threshold) + steps)
    } else {
        f(threshold) + steps as f64
    }
}

/// README 1.3, restated: higher-is-better, the highest level whose threshold ≤ the result;
/// lower-is-better, the highest level whose threshold ≥ the result; else 0.
fn rule(cells: &[(u8, f64)], direction: &str, v: f64) -> u8 {
    cells
        .iter()
        .filter(|(_, t)| match direction {
            "higher" => *t <= v,
            "lower" => *t >= v,
            d => panic!("direction {d}"),
        })
        .map(|(s, _)| *s)
        .max()
        .unwrap_or(0)
}

struct Cell {
    line: usize,
    score: u8,
    threshold: f64,
    text: String,
}

type Key = (String, String, String); // item, sex, grade

fn score_tables() -> (BTreeMap<Key, Vec<Cell>>, BTreeMap<Key, String>) {
    let mut tables: BTreeMap<Key, Vec<Cell>> = BTreeMap::new();
    let mut dirs = BTreeMap::new();
    for (line, r) in read("fitness_scores.csv") {
        let key = (r["item"].clone(), r["sex"].clone(), r["grade"].clone());
        dirs.insert(key.clone(), r["direction"].clone());
        tables.entry(key).or_default().push(Cell {
            line,
            score: r["score"].parse().unwrap(),
            threshold: f(&r["threshold"]),
            text: r["threshold"].clone(),
        });
    }
    for cells in tables.values_mut() {
        cells.sort_by_key(|c| std::cmp::Reverse(c.score));
    }
    (tables, dirs)
}

fn score_of(item: FitnessItem, g: FitnessGrade, s: Sex, v: f64) -> ItemScore {
    item_score(item, g, s, v).unwrap_or_else(|e| panic!("{item:?} {g} {s:?} {v}: {e}"))
}

#[test]
fn every_single_item_score_cell_at_and_around_its_threshold() {
    let (tables, dirs) = score_tables();
    let mut rows = 0;
    let mut checks = 0;
    for (key, cells) in &tables {
        let (item, s, g) = (item(&key.0), sex(&key.1), grade(&key.2));
        let dir = dirs[key].as_str();
        assert_eq!(dir, item.direction().code(), "{key:?}");
        let pairs: Vec<(u8, f64)> = cells.iter().map(|c| (c.score, c.threshold)).collect();
        for (i, c) in cells.iter().enumerate() {
            rows += 1;
            let ctx = format!("{key:?} line {} ({} → {})", c.line, c.text, c.score);
            let next_lower = cells.get(i + 1).map_or(0, |n| n.score);
            // "A hair" is the next representable number, or one repetition for counts (half a
            // pull-up is not a result).
            let (worse_ulp, better_ulp) = match (dir, item.unit()) {
                (_, "count") => (c.threshold - 1.0, c.threshold + 1.0),
                ("higher", _) => (c.threshold.next_down(), c.threshold.next_up()),
                _ => (c.threshold.next_up(), c.threshold.next_down()),
            };
            let (worse_step, better_step) = match dir {
                "higher" => (step_from(&c.text, -1), step_from(&c.text, 1)),
                _ => (step_from(&c.text, 1), step_from(&c.text, -1)),
            };
            // Equal to a threshold earns that level, no bonus.
            assert_eq!(
                score_of(item, g, s, c.threshold),
                ItemScore {
                    score: c.score,
                    bonus: 0
                },
                "{ctx}: at the threshold"
            );
            // A hair worse earns the next level down (or 0 below the last level).
            if worse_ulp >= 0.0 || item == FitnessItem::SitAndReach {
                let w = score_of(item, g, s, worse_ulp);
                assert_eq!((w.score, w.bonus), (next_lower, 0), "{ctx}: just worse");
            }
            // A hair better stays at this level: between two thresholds earns the lower level.
            // (One more repetition may reach the next level up; the rule decides.)
            let expect_better = if item.unit() == "count" {
                rule(&pairs, dir, better_ulp)
            } else {
                c.score
            };
            assert_eq!(
                score_of(item, g, s, better_ulp).score,
                expect_better,
                "{ctx}: just better"
            );
            // One recorded step (0.1 or 1) either side, where it is a possible value.
            for v in [worse_step, better_step] {
                // Skip steps that are no possible result (−1 pull-ups, a 0 s run).
                let possible = match item {
                    FitnessItem::SitAndReach => true,
                    _ if dir == "lower" => v > 0.0,
                    _ => v >= 0.0,
                };
                if possible {
                    let got = score_of(item, g, s, v);
                    assert_eq!(got.score, rule(&pairs, dir, v), "{ctx}: one step at {v}");
                    checks += 1;
                }
            }
            // Halfway to the next threshold down: the lower of the two levels.
            if let Some(n) = cells.get(i + 1) {
                let mid = (c.threshold + n.threshold) / 2.0;
                let v = if item.unit() == "count" {
                    mid.floor().max(n.threshold)
                } else {
                    mid
                };
                if v != c.threshold {
                    assert_eq!(score_of(item, g, s, v).score, n.score, "{ctx}: midway {v}");
                    checks += 1;
                }
            }
            checks += 3;
        }
        // Whole counts: every count 0..=60 gives what the rule gives (the pull-up tables with
        // their blank levels are the point: 初一 9 → 80, 8 → 76, 0 → 0).
        if item.unit() == "count" {
            for n in 0..=60 {
                let v = f64::from(n);
                assert_eq!(
                    score_of(item, g, s, v).score,
                    rule(&pairs, dir, v),
                    "{key:?}: {n}"
                );
                checks += 1;
            }
        }
    }
    assert_eq!(rows, 3077, "fitness_scores.csv rows");
    assert_eq!(tables.len(), 156, "single-item tables");

    // Every item, grade and sex without a table is refused, not scored 0.
    let mut not_applicable = 0;
    for it in FitnessItem::ALL.into_iter().skip(1) {
        for g in FitnessGrade::ALL {
            for s in SEXES {
                let key = (
                    it.code().to_string(),
                    s.code().to_string(),
                    g.code().to_string(),
                );
                let got = item_score(it, g, s, 100.0);
                if tables.contains_key(&key) {
                    assert!(got.is_ok(), "{key:?}");
                } else {
                    assert_eq!(
                        got,
                        Err(ScoreError::NotApplicable {
                            item: it,
                            grade: g,
                            sex: s
                        }),
                        "{key:?}"
                    );
                    not_applicable += 1;
                }
            }
        }
    }
    assert_eq!(not_applicable, 10 * 14 * 2 - 156);
    eprintln!("fitness_scores.csv: {rows} cells, {checks} checks");
}

#[test]
fn every_bonus_cell_at_and_around_its_margin() {
    let (tables, dirs) = score_tables();
    let mut groups: BTreeMap<Key, Vec<(usize, u8, f64, String)>> = BTreeMap::new();
    for (line, r) in read("fitness_bonus.csv") {
        let key = (r["item"].clone(), r["sex"].clone(), r["grade"].clone());
        let it = item(&key.0);
        assert_eq!(r["unit"], it.unit(), "line {line}");
        groups.entry(key).or_default().push((
            line,
            r["bonus"].parse().unwrap(),
            f(&r["delta"]),
            r["delta"].clone(),
        ));
    }
    let mut rows = 0;
    for (key, steps) in &groups {
        let (it, s, g) = (item(&key.0), sex(&key.1), grade(&key.2));
        let dir = dirs[key].as_str();
        let t100 = tables[key][0].threshold;
        assert_eq!(tables[key][0].score, 100);
        // README 1.5 restated: the largest bonus whose delta ≤ the margin beyond 100 points.
        let expect = |v: f64| -> u8 {
            let margin = if dir == "lower" { t100 - v } else { v - t100 };
            steps
                .iter()
                .filter(|(_, _, d, _)| *d <= margin)
                .map(|(_, b, _, _)| *b)
                .max()
                .unwrap_or(0)
        };
        let better = |m: f64| if dir == "lower" { t100 - m } else { t100 + m };
        assert_eq!(
            max_item_bonus(it, g, s),
            steps.iter().map(|x| x.1).max().unwrap(),
            "{key:?}"
        );
        for (line, bonus, delta, text) in steps {
            rows += 1;
            let ctx = format!("{key:?} line {line} (+{bonus} at {text})");
            let at = better(*delta);
            assert_eq!(
                score_of(it, g, s, at),
                ItemScore {
                    score: 100,
                    bonus: *bonus
                },
                "{ctx}"
            );
            let hair_short = match (dir, it.unit()) {
                (_, "count") => at - 1.0,
                ("lower", _) => at.next_up(),
                _ => at.next_down(),
            };
            assert_eq!(
                score_of(it, g, s, hair_short),
                ItemScore {
                    score: 100,
                    bonus: bonus - 1
                },
                "{ctx}: a hair short"
            );
            for v in [better(delta - 1.0), better(delta + 1.0)] {
                assert_eq!(score_of(it, g, s, v).bonus, expect(v), "{ctx}: at {v}");
            }
        }
        // Far beyond the last step: the item's cap, never more.
        let far = if dir == "lower" {
            t100 * 0.5
        } else {
            t100 * 3.0
        };
        assert_eq!(score_of(it, g, s, far).bonus, max_item_bonus(it, g, s));
    }
    assert_eq!(rows, 560, "fitness_bonus.csv rows");
    assert_eq!(groups.len(), 44, "bonus tables");

    // Every other table carries no bonus, however far the result beats 100 points.
    for (key, cells) in &tables {
        if groups.contains_key(key) {
            continue;
        }
        let (it, s, g) = (item(&key.0), sex(&key.1), grade(&key.2));
        let t100 = cells[0].threshold;
        let far = if dirs[key] == "lower" {
            t100 * 0.5
        } else {
            t100.abs() * 3.0 + 100.0
        };
        assert_eq!(
            score_of(it, g, s, far),
            ItemScore {
                score: 100,
                bonus: 0
            },
            "{key:?}"
        );
        assert_eq!(max_item_bonus(it, g, s), 0);
    }
}

#[test]
fn every_weight_row_and_the_required_items() {
    let mut by_gs: BTreeMap<(String, String), BTreeMap<FitnessItem, u8>> = BTreeMap::new();
    let rows = read("fitness_weights.csv");
    assert_eq!(rows.len(), 184, "fitness_weights.csv rows");
    for (line, r) in &rows {
        let (g, s, it) = (grade(&r["grade"]), sex(&r["sex"]), item(&r["item"]));
        let w: u8 = r["weight_percent"].parse().unwrap();
        assert_eq!(weight(it, g, s), Some(w), "line {line}");
        assert!(applies(it, g, s), "line {line}");
        assert_eq!(g.group(), r["grade_group"], "line {line}");
        by_gs
            .entry((r["grade"].clone(), r["sex"].clone()))
            .or_default()
            .insert(it, w);
    }
    assert_eq!(by_gs.len(), 28);
    for ((gc, sc), items) in &by_gs {
        let (g, s) = (grade(gc), sex(sc));
        assert_eq!(items.values().map(|&w| u32::from(w)).sum::<u32>(), 100);
        let required: BTreeSet<FitnessItem> = required_items(g, s).iter().collect();
        assert_eq!(
            required,
            items.keys().copied().collect::<BTreeSet<_>>(),
            "{gc} {sc}"
        );
        for it in FitnessItem::ALL {
            if !items.contains_key(&it) {
                assert_eq!(weight(it, g, s), None, "{gc} {sc} {it:?}");
                assert!(!applies(it, g, s));
            }
        }
    }
}

/// (line, category, score, bmi_min, bmi_max) in tenths.
type BandRow = (usize, String, u8, Option<i64>, Option<i64>);

#[test]
fn every_bmi_band_at_its_edges_and_through_the_rounding() {
    let rows = read("fitness_bmi.csv");
    assert_eq!(rows.len(), 104, "fitness_bmi.csv rows");
    let mut groups: BTreeMap<(String, String), Vec<BandRow>> = BTreeMap::new();
    for (line, r) in rows {
        let opt = |k: &str| (!r[k].is_empty()).then(|| tenths(&r[k]));
        groups
            .entry((r["sex"].clone(), r["grade"].clone()))
            .or_default()
            .push((
                line,
                r["category"].clone(),
                r["score"].parse().unwrap(),
                opt("bmi_min"),
                opt("bmi_max"),
            ));
    }
    assert_eq!(groups.len(), 26);
    let mut checks = 0;
    for ((sc, gc), bands) in &groups {
        let s = sex(sc);
        for g in bmi_grades(gc) {
            let cat = |t: i64| bmi_category(g, s, Bmi::from_tenths(t as u32));
            for (i, (line, label, score, min, max)) in bands.iter().enumerate() {
                let ctx = format!("{sc} {gc} line {line} {label}");
                // The band's own edges, both inclusive; an open end is probed far out.
                let edges = [min.unwrap_or(1), max.unwrap_or(999)];
                for t in edges {
                    let c = cat(t);
                    assert_eq!(c.label_zh(), label, "{ctx} at {t}");
                    assert_eq!(c.score(), *score, "{ctx}");
                    assert_eq!(
                        item_score(FitnessItem::Bmi, g, s, from_tenths(t)).unwrap(),
                        ItemScore {
                            score: *score,
                            bonus: 0
                        },
                        "{ctx}"
                    );
                    // Through a whole record: height 100 cm makes BMI = weight.
                    let mut input = FitnessInput::new(g, s);
                    input.height_cm = Some(100.0);
                    input.weight_kg = Some(from_tenths(t));
                    let r = score_record(&input).unwrap();
                    assert_eq!(r.bmi, Some(Bmi::from_tenths(t as u32)), "{ctx}");
                    assert_eq!(r.bmi_category.map(|c| c.label_zh()), Some(label.as_str()));
                    assert_eq!(r.items.get(FitnessItem::Bmi).unwrap().score, *score);
                    checks += 4;
                }
                // One tenth outside: the neighbouring band.
                if let Some(m) = min {
                    assert_eq!(cat(m - 1).label_zh(), bands[i - 1].1, "{ctx} below");
                }
                if let Some(m) = max {
                    let next = &bands[i + 1].1;
                    assert_eq!(cat(m + 1).label_zh(), next, "{ctx} above");
                    // README 1.4 rounding: max + 0.04 stays, max + 0.05 rounds up into the next
                    // band (18.15 → 18.2), by value and by height and weight.
                    let hundredths = m * 10;
                    let v4 = (hundredths + 4) as f64 / 100.0;
                    let v5 = (hundredths + 5) as f64 / 100.0;
                    assert_eq!(cat_of_f64(g, s, v4), *label, "{ctx} +0.04");
                    assert_eq!(cat_of_f64(g, s, v5), *next, "{ctx} +0.05");
                    let by_hw = |w: f64| {
                        bmi_category(g, s, Bmi::from_height_weight(100.0, w).unwrap()).label_zh()
                    };
                    assert_eq!(by_hw(v4), label, "{ctx} {v4} kg at 1 m");
                    assert_eq!(by_hw(v5), next, "{ctx} {v5} kg at 1 m");
                    checks += 6;
                }
            }
        }
    }
    eprintln!("fitness_bmi.csv: 104 rows, {checks} checks");
}

fn cat_of_f64(g: FitnessGrade, s: Sex, v: f64) -> String {
    bmi_category(g, s, Bmi::from_f64(v).unwrap())
        .label_zh()
        .to_string()
}

#[test]
fn every_level_band_at_its_edges() {
    let rows = read("fitness_levels.csv");
    assert_eq!(rows.len(), 4);
    for (line, r) in &rows {
        let level = match r["level_en"].as_str() {
            "excellent" => Level::Excellent,
            "good" => Level::Good,
            "pass" => Level::Pass,
            "fail" => Level::Fail,
            l => panic!("{l}"),
        };
        assert_eq!(level.label_zh(), r["level"], "line {line}");
        assert_eq!(level.code(), r["level_en"]);
        let p = |t: i64| level_for(Points::from_tenths(t as u16));
        if !r["total_min"].is_empty() {
            let t = tenths(&r["total_min"]);
            assert_eq!(p(t), level, "line {line} min");
            assert!(p(t - 1) < level, "line {line}: 0.1 below is a lower level");
        } else {
            assert_eq!(p(0), level);
        }
        if !r["total_max"].is_empty() {
            let t = tenths(&r["total_max"]);
            assert_eq!(p(t), level, "line {line} max");
            assert!(p(t + 1) > level, "line {line}: 0.1 above is a higher level");
        } else {
            assert_eq!(p(1200), level);
        }
    }
}

/// Grades of a `grades` cell of fitness_items.csv: `1-12,U`, `3-12,U`, `5-6`, …
fn grade_spec(spec: &str) -> BTreeSet<FitnessGrade> {
    let mut out = BTreeSet::new();
    for part in spec.split(',') {
        if part == "U" {
            out.extend([FitnessGrade::U12, FitnessGrade::U34]);
        } else {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            for n in a.parse::<u8>().unwrap()..=b.parse::<u8>().unwrap() {
                out.insert(FitnessGrade::school(n).unwrap());
            }
        }
    }
    out
}

/// `M,F`, `M`, or `M(3-6),F(3-12,U)`: each sex with its grades (default: the item's grades).
fn sex_spec(spec: &str, grades: &BTreeSet<FitnessGrade>) -> BTreeSet<(FitnessGrade, Sex)> {
    let mut out = BTreeSet::new();
    let (mut depth, mut start) = (0, 0);
    let mut parts = Vec::new();
    for (i, ch) in spec.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&spec[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&spec[start..]);
    for p in parts {
        let (sx, gs) = match p.split_once('(') {
            Some((sx, rest)) => (sx, grade_spec(rest.trim_end_matches(')'))),
            None => (p, grades.clone()),
        };
        for g in gs {
            out.insert((g, sex(sx)));
        }
    }
    out
}

#[test]
fn every_item_row_names_units_directions_and_who_takes_it() {
    let rows = read("fitness_items.csv");
    assert_eq!(rows.len(), 11);
    for (i, (line, r)) in rows.iter().enumerate() {
        let it = item(&r["item"]);
        assert_eq!(it, FitnessItem::ALL[i], "line {line}: order");
        assert_eq!(it.name_zh(), r["name_zh"], "line {line}");
        assert_eq!(it.unit(), r["unit"], "line {line}");
        assert_eq!(it.direction().code(), r["direction"], "line {line}");
        assert_eq!(it.has_bonus(), !r["bonus"].is_empty(), "line {line}");
        let who = sex_spec(&r["sexes"], &grade_spec(&r["grades"]));
        for g in FitnessGrade::ALL {
            for s in SEXES {
                assert_eq!(
                    applies(it, g, s),
                    who.contains(&(g, s)),
                    "line {line}: {} {g} {s:?}",
                    it.code()
                );
            }
        }
    }
}

#[test]
fn every_wst586_row_at_its_cut_offs_and_age_edges() {
    let rows = read("wst586_bmi_overweight_obesity.csv");
    assert_eq!(rows.len(), 50);
    for (line, r) in &rows {
        let s = sex(&r["sex"]);
        let age = f(&r["age_years"]);
        let (ow, ob) = (
            tenths(&r["overweight_bmi_min"]),
            tenths(&r["obesity_bmi_min"]),
        );
        // The group is 6.0 ≤ age < 6.5; the 18.0 row (adult cut-offs) stays from 18.0 on.
        let ages: Vec<f64> = if age == 18.0 {
            vec![18.0, 18.49, 19.0, 25.0]
        } else {
            vec![age, (age + 0.5).next_down()]
        };
        for a in ages {
            let st = |t: i64| weight_status(s, a, Bmi::from_tenths(t as u32)).unwrap();
            let ctx = format!("line {line} age {a}");
            assert_eq!(st(ow - 1), WeightStatus::Normal, "{ctx}");
            assert_eq!(st(ow), WeightStatus::Overweight, "{ctx}");
            assert_eq!(st(ob - 1), WeightStatus::Overweight, "{ctx}");
            assert_eq!(st(ob), WeightStatus::Obese, "{ctx}");
        }
    }
    assert!(matches!(
        weight_status(Sex::Male, 5.99, Bmi::from_tenths(200)),
        Err(ScreeningError::AgeOutOfRange { .. })
    ));
}

#[test]
fn every_wst456_row_at_its_cut_offs_and_age_edges() {
    let ages_of = |age: f64| -> Vec<f64> {
        if age == 17.5 {
            vec![17.5, 18.0, (19.0f64).next_down()]
        } else {
            vec![age, (age + 0.5).next_down()]
        }
    };
    let stunting = read("wst456_stunting_height.csv");
    assert_eq!(stunting.len(), 48);
    for (line, r) in &stunting {
        let s = sex(&r["sex"]);
        let h = tenths(&r["stunting_height_max_cm"]);
        for a in ages_of(f(&r["age_years"])) {
            let ctx = format!("line {line} age {a}");
            assert!(is_stunted(s, a, from_tenths(h)).unwrap(), "{ctx}");
            assert!(!is_stunted(s, a, from_tenths(h + 1)).unwrap(), "{ctx}");
            assert!(
                !is_stunted(s, a, from_tenths(h).next_up()).unwrap(),
                "{ctx}"
            );
            assert_eq!(
                malnutrition_status(s, a, from_tenths(h), Bmi::from_tenths(300)).unwrap(),
                MalnutritionStatus::Stunting,
                "{ctx}"
            );
        }
    }
    let thin = read("wst456_thinness_bmi.csv");
    assert_eq!(thin.len(), 48);
    for (line, r) in &thin {
        let s = sex(&r["sex"]);
        let ms = tenths(&r["moderate_severe_thinness_bmi_max"]);
        let (lo, hi) = (
            tenths(&r["mild_thinness_bmi_min"]),
            tenths(&r["mild_thinness_bmi_max"]),
        );
        for a in ages_of(f(&r["age_years"])) {
            let ctx = format!("line {line} age {a}");
            let th = |t: i64| thinness(s, a, Bmi::from_tenths(t as u32)).unwrap();
            assert_eq!(th(ms), Thinness::ModerateSevere, "{ctx}");
            assert_eq!(th(lo), Thinness::Mild, "{ctx}");
            assert_eq!(th(hi), Thinness::Mild, "{ctx}");
            assert_eq!(th(hi + 1), Thinness::None, "{ctx}");
            // A child of ordinary height (200 cm is never stunted) through the combined status.
            let m = |t: i64| malnutrition_status(s, a, 200.0, Bmi::from_tenths(t as u32)).unwrap();
            assert_eq!(m(ms), MalnutritionStatus::ModerateSevereThinness, "{ctx}");
            assert_eq!(m(lo), MalnutritionStatus::MildThinness, "{ctx}");
            assert_eq!(m(hi), MalnutritionStatus::MildThinness, "{ctx}");
            assert_eq!(m(hi + 1), MalnutritionStatus::None, "{ctx}");
        }
    }
    for a in [5.99, 19.0, 25.0] {
        assert!(matches!(
            thinness(Sex::Female, a, Bmi::from_tenths(150)),
            Err(ScreeningError::AgeOutOfRange { .. })
        ));
        assert!(is_stunted(Sex::Female, a, 140.0).is_err());
    }
}

#[test]
fn data_files_are_the_ones_the_tests_walk() {
    let mut names: Vec<String> = fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "fitness_bmi.csv",
            "fitness_bonus.csv",
            "fitness_items.csv",
            "fitness_levels.csv",
            "fitness_scores.csv",
            "fitness_weights.csv",
            "wst456_stunting_height.csv",
            "wst456_thinness_bmi.csv",
            "wst586_bmi_overweight_obesity.csv",
        ],
        "a new data file needs its walk in this test"
    );
    verify_embedded_tables().unwrap();
}

/// The embedded copies must not drift from `../shared/standards/`. Skipped (with a note) where
/// that directory does not exist, e.g. a clone without the shared folder.
#[test]
fn copies_are_byte_identical_to_shared_standards() {
    let shared = shared_dir();
    if !shared.is_dir() {
        eprintln!("skipped: {shared:?} not found");
        return;
    }
    let mut shared_csvs: Vec<String> = fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    shared_csvs.sort();
    assert!(!shared_csvs.is_empty());
    for name in &shared_csvs {
        let a = fs::read(shared.join(name)).unwrap();
        let b = fs::read(data_dir().join(name))
            .unwrap_or_else(|_| panic!("{name} is in shared/standards but not in data/"));
        assert!(a == b, "data/{name} differs from shared/standards/{name}");
    }
    let ours = fs::read_dir(data_dir()).unwrap().count();
    assert_eq!(ours, shared_csvs.len(), "data/ has files shared/ does not");
}

/// The code-name layout of the stateless scorer: a row with the item codes of
/// fitness_items.csv as headers (times in seconds) deserialises straight into `FitnessInput`.
#[test]
fn input_fields_are_the_item_codes_of_fitness_items_csv() {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(FitnessInput::new(FitnessGrade::U12, Sex::Female))
        .unwrap();
    let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
    let mut want = vec!["grade", "sex", "height_cm", "weight_kg"];
    let codes: Vec<String> = read("fitness_items.csv")
        .into_iter()
        .map(|(_, r)| r["item"].clone())
        .filter(|c| c != "bmi")
        .collect();
    want.extend(codes.iter().map(String::as_str));
    assert_eq!(header, want);

    let text = format!(
        "{}\n7,male,160,50,3150,10.2,-1.3,,,,135,0,320,\n",
        want.join(",")
    );
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let input: FitnessInput = r.deserialize().next().unwrap().unwrap();
    assert_eq!(input.grade, FitnessGrade::school(7).unwrap());
    assert_eq!(input.run_1000m, Some(320.0));
    assert_eq!(input.run_800m, None);
    let result = score_record(&input).unwrap();
    assert_eq!(result.year_total.unwrap().to_string(), "60.0");
}
