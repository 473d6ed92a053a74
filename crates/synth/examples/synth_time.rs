//! Times `generate` and prints a summary of the district.
//!
//! `cargo run --release -p wuyu-synth --example synth_time -- [students] [seed] [--schools]
//! [--school CODE]`: `--schools` lists every school, `--school` shows one school's teachers.
use std::collections::HashMap;
use std::time::Instant;

use wuyu_synth::{SynthConfig, generate};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let defaults = SynthConfig::default();
    let students = args
        .first()
        .map(|s| s.parse().expect("students: a number"))
        .unwrap_or(defaults.students);
    let seed = args
        .get(1)
        .map(|s| s.parse().expect("seed: a number"))
        .unwrap_or(defaults.seed);
    let cfg = SynthConfig {
        seed,
        students,
        ..defaults
    };

    // Several runs: the wall time of one run on a shared machine is noisy.
    let runs = if students >= 100_000 { 5 } else { 1 };
    let mut times = Vec::with_capacity(runs);
    let mut d = None;
    for _ in 0..runs {
        drop(d.take());
        let t = Instant::now();
        d = Some(generate(&cfg));
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let d = d.expect("at least one run");
    let b = &d.batch;
    println!(
        "generate({students} students, seed {seed}): {runs} runs, wall min {:.3} s, median {:.3} s, max {:.3} s — {} schools, {} classes, {} students, {} teachers, {} assignments",
        times[0],
        times[runs / 2],
        times[runs - 1],
        b.schools.len(),
        b.classes.len(),
        b.students.len(),
        b.teachers.len(),
        b.assignments.len()
    );
    println!("demo: {:?}", d.demo);
    let shared = b.assignments.iter().filter(|a| a.share < 1.0).count();
    let teaching: std::collections::HashSet<(&str, &str)> = b
        .assignments
        .iter()
        .map(|a| (a.school_code.as_str(), a.staff_no.as_str()))
        .collect();
    println!(
        "{} half-share assignments; {} of {} teachers without assignments; {} students without 身份证号",
        shared,
        b.teachers.len() - teaching.len(),
        b.teachers.len(),
        b.students.iter().filter(|s| s.id_card_no.is_none()).count()
    );

    let mut grades_of: HashMap<(&str, &str), Vec<u8>> = HashMap::new();
    for a in &b.assignments {
        grades_of
            .entry((a.school_code.as_str(), a.staff_no.as_str()))
            .or_default()
            .push(a.grade.get());
    }
    let parallel = grades_of
        .values()
        .filter(|g| g.len() <= 3 && g.iter().all(|x| *x == g[0]))
        .count();
    println!(
        "{parallel} of {} teaching teachers teach 1–3 classes of one grade; the others teach one subject across grades (small schools)",
        grades_of.len()
    );

    if args.iter().any(|a| a == "--schools") {
        let mut students_of: HashMap<&str, usize> = HashMap::new();
        for s in &b.students {
            *students_of.entry(s.school_code.as_str()).or_default() += 1;
        }
        let mut teachers_of: HashMap<&str, usize> = HashMap::new();
        for t in &b.teachers {
            *teachers_of.entry(t.school_code.as_str()).or_default() += 1;
        }
        for s in &b.schools {
            println!(
                "{} {:<24} {:<10} {:<6} {:>5} students {:>4} teachers  {}",
                s.code,
                s.name,
                s.stage.label_zh(),
                s.location.label_zh(),
                students_of[s.code.as_str()],
                teachers_of[s.code.as_str()],
                s.school_group.as_deref().unwrap_or("")
            );
        }
    }

    if let Some(i) = args.iter().position(|a| a == "--school") {
        let code = args.get(i + 1).expect("--school CODE");
        for t in b.teachers.iter().filter(|t| t.school_code.as_str() == code) {
            let mine: Vec<String> = b
                .assignments
                .iter()
                .filter(|a| a.school_code == t.school_code && a.staff_no == t.staff_no)
                .map(|a| {
                    let share = if a.share < 1.0 {
                        format!("×{}", a.share)
                    } else {
                        String::new()
                    };
                    format!("{}{}{}{share}", a.subject, a.grade.label_zh(), a.class_name)
                })
                .collect();
            println!("{} {} {}", t.staff_no, t.name, mine.join(" "));
        }
    }
}
