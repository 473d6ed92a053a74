//! Criterion benchmark of the scoring kernel: 100,000 synthetic students (grades 1–12 and
//! university, both sexes, every item of their grade present) scored on one thread, reported
//! as students per second (criterion's "elements/s").
//!
//! ```sh
//! cargo bench -p wuyu-standards --bench scoring
//! ```
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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

fn scoring(c: &mut Criterion) {
    const N: usize = 100_000;
    let input = students(N);
    // The tables are parsed on first use; keep that out of the timing.
    score_record(&input[0]).expect("valid synthetic record");
    let mut group = c.benchmark_group("fitness_standard");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(30);
    group.bench_function("score_record x 100k students, 1 thread", |b| {
        b.iter(|| {
            let mut checksum = 0u64;
            for r in &input {
                let res = score_record(black_box(r)).expect("valid synthetic record");
                checksum += u64::from(res.year_total.map_or(0, |p| p.tenths()));
            }
            checksum
        })
    });
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
