//! The synthetic exams: deterministic, plausible score sheets (bounds, 0.5 steps, ≈ 1 % 缺考),
//! item sheets that add up, baselines within the cohort — and truth the analyses can find:
//! REML value-added recovers the schools' true value added, and the designated weak teachers'
//! classes are below their parallel classes often enough for the §5.3 rule to flag them.
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use wuyu_analytics::compare::{
    AlertStatus, ClassResult, ExamLevel as RuleLevel, ParallelEvent, ParallelRule,
    parallel_class_alert,
};
use wuyu_analytics::value_added::{Estimation, VaOptions, random_intercept};
use wuyu_domain::{ExamLevel, SubjectMark, Term, TermPart};
use wuyu_synth::{
    ExamOptions, SCHOOL_VA_SD, SynthConfig, SynthDistrict, SynthExam, SynthExams, generate,
    generate_exams,
};

const SEED: u64 = 5;

fn district() -> &'static SynthDistrict {
    static D: OnceLock<SynthDistrict> = OnceLock::new();
    D.get_or_init(|| {
        generate(&SynthConfig {
            seed: 11,
            students: 30_000,
            school_year: 2024,
        })
    })
}

fn exams() -> &'static SynthExams {
    static E: OnceLock<SynthExams> = OnceLock::new();
    E.get_or_init(|| generate_exams(district(), &ExamOptions::three_years(SEED, 2024)))
}

fn score(m: Option<SubjectMark>) -> Option<f64> {
    match m {
        Some(SubjectMark::Score(x)) => Some(x),
        _ => None,
    }
}

/// 学籍号 → the subject's score in an exam.
fn scores_of<'a>(e: &'a SynthExam, subject: &str) -> HashMap<&'a str, f64> {
    let col = e.scores.subjects.iter().position(|s| s == subject).unwrap();
    e.scores
        .rows
        .iter()
        .filter_map(|r| score(r.marks[col]).map(|x| (r.student_no.as_str(), x)))
        .collect()
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn same_seed_same_exams_other_seed_other_scores() {
    let d = generate(&SynthConfig {
        seed: 3,
        students: 6_000,
        school_year: 2024,
    });
    let opts = ExamOptions::three_years(9, 2024);
    let a = generate_exams(&d, &opts);
    assert_eq!(a, generate_exams(&d, &opts));
    let b = generate_exams(
        &d,
        &ExamOptions {
            seed: 10,
            ..opts.clone()
        },
    );
    assert_eq!(a.exams.len(), b.exams.len());
    assert_ne!(a.exams[0].scores.rows, b.exams[0].scores.rows);
}

#[test]
fn the_exam_calendar() {
    let x = exams();
    // 3 years: primary cohorts 2+3+4 grade-years, junior 1+2+3, two exams a term each…
    let n = x.exams.len();
    assert!((40..=60).contains(&n), "{n} exams");
    assert!(x.exams.windows(2).all(|w| w[0].exam.date <= w[1].exam.date));
    let zhongkao: Vec<_> = x
        .exams
        .iter()
        .filter(|e| e.exam.level == ExamLevel::Zhongkao)
        .collect();
    assert_eq!(zhongkao.len(), 1);
    assert_eq!(zhongkao[0].exam.grade.get(), 9);
    assert_eq!(zhongkao[0].exam.subjects.len(), 7);
    for e in &x.exams {
        let g = e.exam.grade.get();
        assert!((3..=9).contains(&g));
        // Cohort: the grade then, moved up by the years since.
        assert_eq!(
            e.cohort.get(),
            g + (2024 - e.exam.term.school_year) as u8,
            "{}",
            e.exam.name
        );
        if g <= 6 {
            assert_eq!(e.exam.level, ExamLevel::District, "双减: primary only 期末");
            assert!(e.exam.subjects.iter().all(|s| s.full_marks == 100.0));
        } else {
            assert_eq!(e.exam.subjects[1].name, "数学");
            assert_eq!(e.exam.subjects[1].full_marks, 120.0);
        }
        // Every student of the cohort has a row (the cohort is the whole current grade).
        let cohort = district()
            .batch
            .students
            .iter()
            .filter(|s| s.grade == e.cohort)
            .count();
        assert_eq!(e.scores.rows.len(), cohort, "{}", e.exam.name);
        assert!(e.scores.rows.iter().all(|r| r.origin.sheet == "synth"));
        assert_eq!(e.scores.rows[0].origin.row, 2);
    }
}

#[test]
fn scores_lie_in_range_in_half_points_around_seventy_percent() {
    let x = exams();
    let mut fracs = Vec::new();
    for e in &x.exams {
        for (k, s) in e.exam.subjects.iter().enumerate() {
            let v: Vec<f64> = e
                .scores
                .rows
                .iter()
                .filter_map(|r| score(r.marks[k]))
                .collect();
            for &x in &v {
                assert!((0.0..=s.full_marks).contains(&x), "{x} of {}", s.full_marks);
                assert_eq!((x * 2.0).fract(), 0.0, "{x} is not a multiple of 0.5");
            }
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
            let (m, s_) = (mean / s.full_marks, sd / s.full_marks);
            assert!(
                (0.6..=0.8).contains(&m),
                "{} {} mean {m}",
                e.exam.name,
                s.name
            );
            assert!(
                (0.08..=0.25).contains(&s_),
                "{} {} sd {s_}",
                e.exam.name,
                s.name
            );
            fracs.push(m);
        }
    }
    let overall = fracs.iter().sum::<f64>() / fracs.len() as f64;
    assert!((0.66..=0.74).contains(&overall), "{overall}");
}

#[test]
fn about_one_percent_absent_never_zero_for_absence() {
    let x = exams();
    let (mut absent, mut all, mut whole_rows) = (0usize, 0usize, 0usize);
    for e in &x.exams {
        for r in &e.scores.rows {
            // Nobody skips a subject without it being recorded (no blanks).
            assert!(r.marks.iter().all(Option::is_some));
            let a = r
                .marks
                .iter()
                .filter(|m| **m == Some(SubjectMark::Absent))
                .count();
            absent += a;
            all += r.marks.len();
            whole_rows += usize::from(a == r.marks.len());
        }
    }
    let rate = absent as f64 / all as f64;
    assert!((0.007..=0.013).contains(&rate), "absence rate {rate}");
    assert!(whole_rows > 0, "some students miss a whole exam");
}

#[test]
fn item_points_add_up_to_the_math_score() {
    let x = exams();
    let with_items: Vec<&SynthExam> = x.exams.iter().filter(|e| e.items.is_some()).collect();
    // Grade 8 and 9 期末 of the exam years and the 中考.
    assert_eq!(with_items.len(), 2 + 2 + 1 + 1);
    for e in with_items {
        assert!(e.exam.grade.get() >= 8 && e.exam.level >= ExamLevel::District);
        let b = e.items.as_ref().unwrap();
        assert_eq!(b.subject, "数学");
        assert!((20..=25).contains(&b.items.len()));
        let full = e.exam.subjects[1].full_marks;
        assert_eq!(b.items.iter().map(|i| i.max_points).sum::<f64>(), full);
        assert!(
            b.items
                .iter()
                .all(|i| (1..=3).contains(&i.knowledge_points.len()))
        );
        let binary = b.items.iter().filter(|i| i.max_points == 4.0).count();
        assert!(binary >= 10, "选择/填空 scored 0 or 4");
        assert_eq!(b.rows.len(), e.scores.rows.len());
        let mut partial = 0usize;
        for (ir, sr) in b.rows.iter().zip(&e.scores.rows) {
            assert_eq!(ir.student_no, sr.student_no);
            match sr.marks[1] {
                Some(SubjectMark::Absent) => {
                    assert!(ir.absent);
                    assert!(ir.points.iter().all(Option::is_none));
                }
                Some(SubjectMark::Score(s)) => {
                    assert!(!ir.absent);
                    let mut sum = 0.0;
                    for (p, item) in ir.points.iter().zip(&b.items) {
                        let p = p.expect("no blanks for students who sat");
                        assert!((0.0..=item.max_points).contains(&p));
                        if item.max_points > 4.0 && p > 0.0 && p < item.max_points {
                            partial += 1;
                        }
                        sum += p;
                    }
                    assert_eq!(sum, s);
                }
                None => panic!("blank 数学"),
            }
        }
        assert!(partial > 0, "解答题 get partial credit");
    }
}

#[test]
fn baselines_are_earlier_exams_of_the_same_cohort() {
    let x = exams();
    for (i, e) in x.exams.iter().enumerate() {
        let earlier: Vec<usize> = (0..i)
            .filter(|&k| x.exams[k].cohort == e.cohort && x.exams[k].exam.date < e.exam.date)
            .collect();
        match e.baseline {
            None => assert!(earlier.is_empty(), "{} lacks a baseline", e.exam.name),
            Some(b) => {
                assert!(b < i);
                let base = &x.exams[b];
                assert_eq!(base.cohort, e.cohort);
                assert!(base.exam.date < e.exam.date);
                // The latest district-level one when there is one.
                let district_level: Vec<usize> = earlier
                    .iter()
                    .copied()
                    .filter(|&k| x.exams[k].exam.level >= ExamLevel::District)
                    .collect();
                if let Some(&last) = district_level.last() {
                    assert_eq!(b, last, "{}", e.exam.name);
                }
                // The same students.
                let a: HashSet<&str> = e
                    .scores
                    .rows
                    .iter()
                    .map(|r| r.student_no.as_str())
                    .collect();
                let c: HashSet<&str> = base
                    .scores
                    .rows
                    .iter()
                    .map(|r| r.student_no.as_str())
                    .collect();
                assert_eq!(a, c);
            }
        }
    }
}

#[test]
fn schools_differ_in_value_added_and_some_improve() {
    let t = &exams().truth;
    let sd = |v: &[f64]| {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    let lasting: Vec<f64> = t.schools.iter().map(|s| s.va).collect();
    let sd_lasting = sd(&lasting);
    assert!(
        (0.6 * SCHOOL_VA_SD..=1.4 * SCHOOL_VA_SD).contains(&sd_lasting),
        "{sd_lasting}"
    );
    // In a term, lasting and own parts together: ≈ 0.25 of the student SD.
    let term = Term::new(2024, TermPart::Spring).unwrap();
    let now: Vec<f64> = t.schools.iter().map(|s| s.va_at(term)).collect();
    let sd_now = sd(&now);
    assert!((0.17..=0.33).contains(&sd_now), "{sd_now}");
    let n = t.schools.len() as f64;
    let improving = t.schools.iter().filter(|s| s.trend > 0.0).count();
    let declining = t.schools.iter().filter(|s| s.trend < 0.0).count();
    assert!(improving as f64 >= 0.2 * n, "{improving} improving");
    assert!(declining > 0);
    assert_eq!(t.weak_teachers().count(), 2);
}

/// Fits the REML random-intercept model on `exam`'s 数学 with its baseline's 数学 as the prior;
/// returns the correlation of the EB school effects with the true value added.
fn recovery(exam: &SynthExam) -> (f64, usize) {
    let x = exams();
    let d = district();
    let base = &x.exams[exam.baseline.expect("a baseline")];
    let prior = scores_of(base, "数学");
    let school_of: HashMap<&str, &str> = d
        .batch
        .students
        .iter()
        .map(|s| (s.student_no.as_str(), s.school_code.as_str()))
        .collect();
    let (mut y, mut xs, mut groups) = (Vec::new(), Vec::new(), Vec::new());
    for (no, s) in scores_of(exam, "数学") {
        if let Some(&p) = prior.get(no) {
            y.push(s);
            xs.push(p);
            groups.push(school_of[no].to_string());
        }
    }
    let fit = random_intercept(
        &y,
        &[("prior".to_string(), xs)],
        &groups,
        Estimation::Reml,
        &VaOptions::default(),
    )
    .unwrap();
    let (mut eb, mut truth) = (Vec::new(), Vec::new());
    for g in &fit.groups {
        let code = wuyu_domain::SchoolCode::parse(&g.group).unwrap();
        eb.push(g.shrunken.unwrap());
        truth.push(x.truth.school(&code).unwrap().va_at(exam.exam.term));
    }
    (pearson(&eb, &truth), eb.len())
}

#[test]
fn reml_value_added_recovers_the_true_school_effects() {
    let x = exams();
    let find = |grade: u8, part: TermPart| {
        x.exams
            .iter()
            .find(|e| {
                e.exam.grade.get() == grade
                    && e.exam.term.school_year == 2024
                    && e.exam.term.part == part
                    && e.exam.level == ExamLevel::District
            })
            .unwrap()
    };
    // A junior exam (grade 7 spring 期末 from the autumn 期末) and a primary one.
    for exam in [find(7, TermPart::Spring), find(4, TermPart::Spring)] {
        let (r, schools) = recovery(exam);
        eprintln!("{}: {schools} schools, r = {r:.3}", exam.exam.name);
        assert!(schools >= 10);
        assert!(r > 0.7, "{}: r = {r}", exam.exam.name);
    }
    // And on average over every district exam measured from a district exam.
    let rs: Vec<f64> = x
        .exams
        .iter()
        .filter(|e| {
            e.exam.level >= ExamLevel::District
                && e.baseline
                    .is_some_and(|b| x.exams[b].exam.level >= ExamLevel::District)
        })
        .map(|e| recovery(e).0)
        .collect();
    let mean = rs.iter().sum::<f64>() / rs.len() as f64;
    eprintln!("{} exams: mean r = {mean:.3}", rs.len());
    assert!(rs.len() >= 15);
    assert!(mean > 0.7, "mean r = {mean}");
}

#[test]
fn weak_teachers_are_below_their_parallel_classes_and_flagged() {
    let x = exams();
    let d = district();
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
    for t in x.truth.weak_teachers() {
        let mine: Vec<_> = d
            .batch
            .assignments
            .iter()
            .filter(|a| {
                a.school_code == t.school_code && a.staff_no == t.staff_no && a.subject == t.subject
            })
            .collect();
        assert!(!mine.is_empty());
        let (mut below, mut events) = (0, 0);
        let mut rule_events = Vec::new();
        for e in x.exams.iter().filter(|e| e.cohort == mine[0].grade) {
            let Some(col) = e.scores.subjects.iter().position(|s| *s == t.subject) else {
                continue;
            };
            // Class means of the teacher's school in this exam.
            let mut sums: HashMap<&str, (f64, usize, usize)> = HashMap::new();
            for r in &e.scores.rows {
                let (school, class) = class_of[r.student_no.as_str()];
                if school != t.school_code.as_str() {
                    continue;
                }
                let c = sums.entry(class).or_default();
                c.2 += 1;
                if let Some(s) = score(r.marks[col]) {
                    c.0 += s;
                    c.1 += 1;
                }
            }
            let classes: Vec<ClassResult> = sums
                .iter()
                .map(|(name, (sum, n, enrolled))| ClassResult {
                    class: name.to_string(),
                    class_type: "普通班".into(),
                    enrolled: *enrolled,
                    sat: *n,
                    n: *n,
                    mean: sum / *n as f64,
                    sd: None,
                })
                .collect();
            let total: usize = classes.iter().map(|c| c.n).sum();
            let avg = classes.iter().map(|c| c.mean * c.n as f64).sum::<f64>() / total as f64;
            for a in &mine {
                let c = classes.iter().find(|c| c.class == a.class_name).unwrap();
                events += 1;
                if (c.mean * 100.0).round() < (avg * 100.0).round() {
                    below += 1;
                }
                rule_events.push(ParallelEvent {
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
                    classes: classes.clone(),
                });
            }
        }
        let share = f64::from(below) / f64::from(events);
        eprintln!(
            "weak {} {} {}: below in {below} of {events} exams",
            t.school_code, t.staff_no, t.subject
        );
        assert!(events >= 6);
        assert!(share > 0.6, "below in {below} of {events}");
        let alert = parallel_class_alert(&t.staff_no, &rule_events, 2024, &ParallelRule::default())
            .unwrap();
        assert_eq!(alert.status, AlertStatus::Flagged, "{alert:?}");
    }
}
