//! How fast is the scoring kernel? Scores 1,000,000 synthetic students (grades 1–12 and
//! university, both sexes, every item of their grade present) on one thread and prints students
//! per second.
//!
//! ```sh
//! CARGO_TARGET_DIR=/work/target-standards cargo run --release -p wuyu-standards --example score_speed
//! ```
use std::hint::black_box;
use std::time::Instant;

use wuyu_domain::Sex;
use wuyu_standards::{FitnessGrade, FitnessInput, FitnessItem, applies, score_record};

/// xorshift64*: a fixed-seed generator, so every run scores the same students.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [lo, hi), rounded to `step`.
    fn range(&mut self, lo: f64, hi: f64, step: f64) -> f64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((lo + u * (hi - lo)) / step).round() * step
    }
}

fn students(n: usize) -> Vec<FitnessInput> {
    let mut rng = Rng(0x5EED_2024_0901);
    (0..n)
        .map(|_| {
            let g = FitnessGrade::ALL[(rng.next() % 14) as usize];
            let s = if rng.next() & 1 == 0 {
                Sex::Male
            } else {
                Sex::Female
            };
            let mut r = FitnessInput::new(g, s);
            r.height_cm = Some(rng.range(110.0, 185.0, 0.1));
            r.weight_kg = Some(rng.range(18.0, 85.0, 0.1));
            for item in FitnessItem::ALL.into_iter().skip(1) {
                if !applies(item, g, s) {
                    continue;
                }
                let v = match item {
                    FitnessItem::VitalCapacity => rng.range(600.0, 5500.0, 1.0),
                    FitnessItem::Run50m => rng.range(6.5, 14.0, 0.1),
                    FitnessItem::SitAndReach => rng.range(-8.0, 25.0, 0.1),
                    FitnessItem::RopeSkip1min => rng.range(10.0, 200.0, 1.0),
                    FitnessItem::SitUp1min => rng.range(5.0, 60.0, 1.0),
                    FitnessItem::Shuttle50x8 => rng.range(90.0, 160.0, 1.0),
                    FitnessItem::StandingLongJump => rng.range(120.0, 270.0, 1.0),
                    FitnessItem::PullUp => rng.range(0.0, 20.0, 1.0),
                    FitnessItem::Run1000m => rng.range(190.0, 400.0, 1.0),
                    FitnessItem::Run800m => rng.range(190.0, 330.0, 1.0),
                    FitnessItem::Bmi => unreachable!(),
                };
                r.set(item, Some(v)).expect("a measured item");
            }
            r
        })
        .collect()
}

fn main() {
    const N: usize = 1_000_000;
    const CHUNK: usize = 100_000;
    const PASSES: usize = 5;
    let input = students(N);
    // The tables are parsed on first use; keep that out of the timing.
    let first = score_record(&input[0]).expect("valid synthetic record");
    println!("first student: {first:?}");

    // Each chunk of 100,000 students is timed on its own; on a shared machine the fastest
    // chunks are the ones that ran uninterrupted, the median shows the typical case.
    let mut ns_per_student = Vec::new();
    let mut checksum = 0u64;
    for _ in 0..PASSES {
        for chunk in input.chunks(CHUNK) {
            let t = Instant::now();
            for r in chunk {
                let res = score_record(black_box(r)).expect("valid synthetic record");
                checksum += u64::from(res.year_total.map_or(0, |p| p.tenths()));
            }
            ns_per_student.push(t.elapsed().as_secs_f64() * 1e9 / chunk.len() as f64);
        }
    }
    ns_per_student.sort_by(f64::total_cmp);
    let best = ns_per_student[0];
    let median = ns_per_student[ns_per_student.len() / 2];
    println!(
        "scored {N} students x {PASSES} passes on one thread, timed in chunks of {CHUNK}: \
         best {best:.0} ns/student = {:.2} million students/s; median {median:.0} ns = {:.2} \
         million/s (checksum {checksum})",
        1e3 / best,
        1e3 / median
    );
}
