//! Speed check of the survey results (issue 15: "results for 1,000,000 responses in under
//! 1 s"): 1,000,000 responses × 20 items in 1,205 schools, counted per school and item, then
//! every cell's indicators with suppression, and one 5-item scale (two reverse-keyed items)
//! with scale scores and α for the district. The answers are generated in memory, so this
//! times the statistics, not reading a file. Median of 5 runs.
//!
//! Run: `cargo run -p wuyu-analytics --example satisfaction_speed` (the dev profile builds this
//! crate at opt-level 2).
use std::time::Instant;

use wuyu_analytics::satisfaction::{Answer, MinRespondents, Tally, scale_result};

/// SplitMix64: tiny, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn main() {
    let (n, k, schools) = (1_000_000usize, 20usize, 1_205usize);
    let mut rng = Rng(20_240_901);
    let school: Vec<usize> = (0..n).map(|_| rng.next_u64() as usize % schools).collect();
    // A respondent's general leaning (−1, 0, +1) plus noise, so items correlate as in a real
    // survey and α is meaningful; about 4 % 不了解 and 2 % blanks.
    let lean: Vec<i64> = (0..n).map(|_| (rng.next_u64() % 3) as i64 - 1).collect();
    let answers: Vec<Answer> = (0..n * k)
        .map(|i| {
            let r = rng.next_u64() % 100;
            match r {
                0..4 => Answer::Unknown,
                4..6 => Answer::Blank,
                _ => {
                    let noise = (r % 3) as i64 - 1;
                    let school_lean = (school[i / k] % 2) as i64;
                    Answer::Point((3 + lean[i / k] + noise + school_lean).clamp(1, 5) as u8)
                }
            }
        })
        .collect();
    let min = MinRespondents::parents();
    let mut times = Vec::new();
    let mut shown = 0usize;
    let mut alpha = None;
    for _ in 0..5 {
        let t = Instant::now();
        let mut tallies = vec![Tally::default(); schools * k];
        for (row, s) in answers.chunks_exact(k).zip(&school) {
            for (t, &a) in tallies[s * k..(s + 1) * k].iter_mut().zip(row) {
                t.add(a);
            }
        }
        shown = tallies
            .iter()
            .filter(|t| !t.report(min).suppressed())
            .count();
        let counted = t.elapsed().as_secs_f64();
        // The first five items as one scale (none reverse-keyed here: they were generated
        // positively worded; keying still runs over every answer).
        let scale: Vec<Answer> = answers
            .chunks_exact(k)
            .flat_map(|row| row[..5].iter().copied())
            .collect();
        let r = scale_result(&scale, 5, &[false; 5], min).unwrap();
        alpha = r.alpha;
        times.push((t.elapsed().as_secs_f64(), counted));
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!(
        "{n} responses x {k} items, {schools} schools: {shown} school x item cells reported; \
         district scale alpha {alpha:?}"
    );
    println!(
        "median {:.3} s, of which counting + indicators {:.3} s (runs sorted: {})",
        times[2].0,
        times[2].1,
        times
            .iter()
            .map(|t| format!("{:.3}", t.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
}
