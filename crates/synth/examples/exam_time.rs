//! Times `generate_exams` and checks what the analyses find in the result.
//!
//! `cargo run --release -p wuyu-synth --example exam_time -- [students] [seed] [--recovery]`:
//! volumes and the generation time (median of 3 runs); with `--recovery`, for every exam with
//! a baseline the correlation of REML EB school effects (数学, prior = the baseline's 数学) with
//! the schools' true value added; with `--alerts`, how many teachers the parallel-class rule
//! (§5.3 defaults) flags; with `--truth`, every exam's true school value added (tab-separated,
//! to compare with what a store computed from the same data).
use std::collections::HashMap;
use std::time::Instant;

use wuyu_analytics::value_added::{Estimation, VaOptions, random_intercept};
use wuyu_domain::{SchoolCode, SubjectMark};
use wuyu_synth::{ExamOptions, SynthConfig, SynthExam, generate, generate_exams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let defaults = SynthConfig::default();
    let students = args
        .first()
        .and_then(|s| s.parse().ok())
        .unwrap_or(defaults.students);
    let seed = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(defaults.seed);
    let cfg = SynthConfig {
        seed,
        students,
        ..defaults
    };
    let d = generate(&cfg);
    let opts = ExamOptions::three_years(seed, d.school_year);
    let mut times = Vec::new();
    let mut x = None;
    for _ in 0..3 {
        drop(x.take());
        let t = Instant::now();
        x = Some(generate_exams(&d, &opts));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let x = x.expect("generated");
    println!(
        "generate_exams({students} students, seed {seed}): 3 runs, wall min {:.3} s, median {:.3} s — {} exams, {} score rows, {} marks, {} item rows, {} item points",
        times[0],
        times[1],
        x.exams.len(),
        x.exams.iter().map(|e| e.scores.rows.len()).sum::<usize>(),
        x.marks(),
        x.item_rows(),
        x.item_points()
    );
    for t in x.truth.weak_teachers() {
        println!(
            "weak teacher: {} {} {} (va {:.2}/term)",
            t.school_code, t.staff_no, t.subject, t.va
        );
    }
    if args.iter().any(|a| a == "--truth") {
        // Tab-separated: exam, school code, the school's true value added in the exam's term.
        for e in &x.exams {
            for s in &x.truth.schools {
                println!(
                    "truth\t{}\t{}\t{:.4}",
                    e.exam.name,
                    s.school_code,
                    s.va_at(e.exam.term)
                );
            }
        }
    }
    if args.iter().any(|a| a == "--alerts") {
        alerts(&d, &x);
    }
    if !args.iter().any(|a| a == "--recovery") {
        return;
    }
    let school_of: HashMap<&str, &str> = d
        .batch
        .students
        .iter()
        .map(|s| (s.student_no.as_str(), s.school_code.as_str()))
        .collect();
    let math = |e: &SynthExam| -> HashMap<String, f64> {
        let col = e.scores.subjects.iter().position(|s| s == "数学").unwrap();
        e.scores
            .rows
            .iter()
            .filter_map(|r| match r.marks[col] {
                Some(SubjectMark::Score(s)) => Some((r.student_no.as_str().to_string(), s)),
                _ => None,
            })
            .collect()
    };
    for e in &x.exams {
        let Some(b) = e.baseline else { continue };
        let prior = math(&x.exams[b]);
        let (mut y, mut p, mut g) = (Vec::new(), Vec::new(), Vec::new());
        for (no, s) in math(e) {
            if let Some(&q) = prior.get(&no) {
                y.push(s);
                p.push(q);
                g.push(school_of[no.as_str()].to_string());
            }
        }
        let fit = random_intercept(
            &y,
            &[("prior".into(), p)],
            &g,
            Estimation::Reml,
            &VaOptions::default(),
        )
        .expect("fit");
        let (mut eb, mut truth) = (Vec::new(), Vec::new());
        for grp in &fit.groups {
            let code = SchoolCode::parse(&grp.group).unwrap();
            eb.push(grp.shrunken.unwrap_or(0.0));
            truth.push(x.truth.school(&code).unwrap().va_at(e.exam.term));
        }
        println!(
            "{:<40} ← {:<40} J={:>3} icc={:.3} r={:.3}",
            e.exam.name,
            x.exams[b].exam.name,
            eb.len(),
            fit.icc.unwrap_or(f64::NAN),
            pearson(&eb, &truth)
        );
    }
}

/// Applies the parallel-class rule to every teacher of an exam subject.
fn alerts(d: &wuyu_synth::SynthDistrict, x: &wuyu_synth::SynthExams) {
    use wuyu_analytics::compare::{
        AlertStatus, ClassResult, ExamLevel as RuleLevel, ParallelEvent, ParallelRule,
        parallel_class_alert,
    };
    use wuyu_domain::ExamLevel;
    let class_of: HashMap<&str, (&str, &str)> = d
        .batch
        .students
        .iter()
        .map(|s| {
            (
                s.student_no.as_str(),
                (s.school_code.as_str(), s.class_name.as_str()),
            )
        })
        .collect();
    // (exam, subject, school, class) → (sum, n, enrolled).
    type Key<'a> = (usize, &'a str, &'a str, &'a str);
    let mut stats: HashMap<Key, (f64, usize, usize)> = HashMap::new();
    for (k, e) in x.exams.iter().enumerate() {
        for r in &e.scores.rows {
            let (school, class) = class_of[r.student_no.as_str()];
            for (subject, m) in e.scores.subjects.iter().zip(&r.marks) {
                let c = stats.entry((k, subject, school, class)).or_default();
                c.2 += 1;
                if let Some(SubjectMark::Score(s)) = m {
                    c.0 += s;
                    c.1 += 1;
                }
            }
        }
    }
    let mut by_teacher: HashMap<(&str, &str, &str), Vec<&wuyu_domain::roster::NewAssignment>> =
        HashMap::new();
    for a in &d.batch.assignments {
        by_teacher
            .entry((
                a.school_code.as_str(),
                a.staff_no.as_str(),
                a.subject.as_str(),
            ))
            .or_default()
            .push(a);
    }
    let (mut flagged, mut judged, mut weak_flagged) = (0, 0, 0);
    for ((school, staff, subject), list) in &by_teacher {
        let mut events = Vec::new();
        for a in list {
            for (k, e) in x.exams.iter().enumerate() {
                if e.cohort != a.grade || !e.scores.subjects.iter().any(|s| s == subject) {
                    continue;
                }
                let classes: Vec<ClassResult> = stats
                    .iter()
                    .filter(|((ek, sj, sc, _), _)| *ek == k && sj == subject && sc == school)
                    .map(|((_, _, _, class), (sum, n, enrolled))| ClassResult {
                        class: class.to_string(),
                        class_type: "普通班".into(),
                        enrolled: *enrolled,
                        sat: *n,
                        n: *n,
                        mean: sum / (*n).max(1) as f64,
                        sd: None,
                    })
                    .collect();
                events.push(ParallelEvent {
                    exam: e.exam.name.clone(),
                    school_year: i32::from(e.exam.term.school_year),
                    level: match e.exam.level {
                        ExamLevel::School => RuleLevel::School,
                        ExamLevel::District => RuleLevel::District,
                        _ => RuleLevel::City,
                    },
                    unified_marking: e.exam.level.unified_marking(),
                    class: a.class_name.clone(),
                    teacher_share: a.share,
                    classes,
                });
            }
        }
        if events.is_empty() {
            continue;
        }
        let alert = parallel_class_alert(
            staff,
            &events,
            i32::from(d.school_year),
            &ParallelRule::default(),
        )
        .expect("valid events");
        if alert.status != AlertStatus::InsufficientEvents {
            judged += 1;
        }
        if alert.status == AlertStatus::Flagged {
            flagged += 1;
            if x.truth.weak_teachers().any(|t| {
                t.school_code.as_str() == *school && t.staff_no == *staff && t.subject == *subject
            }) {
                weak_flagged += 1;
            }
        }
    }
    println!(
        "parallel-class rule: {flagged} of {judged} judged (teacher, subject) pairs flagged, {weak_flagged} of them designated weak"
    );
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}
