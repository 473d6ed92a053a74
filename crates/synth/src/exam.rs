//! Synthetic exams (issue 4): a few school years of 期中 / 期末 exams and a 中考, with item-level
//! 数学 for some, generated from a model whose truth is returned ([`ExamTruth`]), so that
//! value-added, the parallel-class rule and item analysis have something real to find.
//!
//! # Which exams, sat by whom
//!
//! * Per 学年 in [`ExamOptions::school_years`] and per term: grades 3–6 sit one 期末 质量检测
//!   (区级) — under 双减 primary schools hold no 期中 and grades 1–2 no written exam; grades 7–9
//!   sit a 期中 (校级) and a 期末 (区级), except that grade 9 sits the 中考 instead of the
//!   spring 期末.
//! * Papers: primary 语文 数学 英语 at 100; junior 语文 数学 英语 at 120, at the 期末 also
//!   道德与法治 and 历史 at 100; 物理 (100) from grade 8 on, 化学 (100) in grade 9; the 中考 has
//!   all seven.
//! * The roster is one snapshot (the district's [`crate::SynthDistrict::school_year`] `Y`). An
//!   exam of 学年 `y` for grade `g` is sat by today's students of grade `g + (Y − y)` — the
//!   cohort that was in grade `g` then ([`SynthExam::cohort`]), in their current class (the
//!   store keeps the class at import as the class at exam time). Exams whose cohort has left
//!   (grade > 9), was still at another school (primary → junior, grades 6 → 7), or has not
//!   happened yet (`y > Y`) are not generated.
//! * Every exam of a cohort after its first has a [`SynthExam::baseline`]: the cohort's previous
//!   区级 (or 中考) exam, or — for a new junior cohort's first 期末 — the 期中 before it, its
//!   only earlier result. Baselines are indices into [`SynthExams::exams`] (always earlier in
//!   the list, which is in date order); the loader maps them to [`ExamId`]s.
//! * Item-level 数学 ([`ExamOptions::items`]): every 区级 期末 of grades 8 and 9 and the 中考,
//!   22 items (8 选择题 and 6 填空题 scored 0 or 4, 8 解答题 of 6–10 points with partial
//!   credit), each tagged with 1–3 knowledge points of the term's chapters. The subject score
//!   is the sum of the item points.
//!
//! # The model (latent scale: 1 = the spread of students' ability)
//!
//! For student `i` of class `c` in school `j` and subject `s` at half-term step `h` (two steps
//! a term: the 期中 and the 期末; the 中考 is a 期末 step):
//!
//! ```text
//! z = θ_is + D_cs(h) + w_is(h) + k_cs(exam) + ε
//! θ_is    = intake_j + sex_s + √ρ·g_i + √(1−ρ)·e_is        ρ = 0.7 (subjects correlate)
//! D_cs(h) = Σ_{m = entry..h} λ^(h−m) · (v_j(m) + t_cs) / 2   λ = 0.75 per half term
//! w_is(h) = the student's own drift, AR(1): sd 0.3, 0.9 per half term
//! k_cs    = the class on the day, sd 0.08;  ε ~ N(0, 0.35²) (0.4 on a school's own 期中 paper)
//! ```
//!
//! * **Schools**: `v_j(t)` is the school's value added per term ([`SchoolTruth::va_at`]): a
//!   lasting part (sd [`SCHOOL_VA_SD`] between schools) with a linear trend over the exam
//!   years — a third of the schools improve, a sixth decline — plus each term's own part (sd
//!   [`SCHOOL_TERM_VA_SD`]; a new grade team, a good or a bad year), ≈ 0.25 in all. The terms'
//!   own parts are what a value-added model on one exam recovers best: a lasting effect is
//!   already in the baseline, so it shows only through its increment.
//! * **Teachers**: `t_cs` is the class's teachers' value added per term in the subject
//!   (share-weighted; [`TeacherTruth::va`], sd [`TEACHER_VA_SD`], so that the class of a
//!   teacher who keeps it up settles about 2·0.075 = 0.15 apart), and one or two designated weak
//!   teachers at [`WEAK_TEACHER_VA`] (settling ≈ 0.6 below). The current teachers are taken to
//!   have taught the class since the cohort entered its stage (grade 1 or grade 7 autumn),
//!   which is also where `D` starts.
//! * What a term adds fades by λ per half term, so an effect `v` kept up settles at about `2v`
//!   (between-school ICC of the scores ≈ 0.15–0.2, as in Chinese 中考 data).
//! * `intake_j` (urban ≈ +0.15, rural ≈ −0.15, sd 0.15) is where the school's students start:
//!   not value added, which is what a value-added model must tell apart. Classes are formed by
//!   均衡分班: 80 % of the chance difference of ability between a school's classes is removed.
//! * A score is `clamp(round_0.5(full · (μ + σ·z/1.25)), 0, full)` with a paper's μ around
//!   0.70 (0.66–0.75) and σ 0.10 (语文) to 0.17 (数学, 英语); item points come from a
//!   graded-response model on `z` (difficulty rising through the paper, 选择题 guessed right a
//!   quarter of the time, each class a little stronger or weaker in each knowledge point, sd
//!   0.25), and the paper's score is their sum.
//! * 缺考: 0.8 % of the students miss an exam (every paper), 0.2 % of the papers are missed
//!   alone: ≈ 1 % of the marks, each an explicit [`SubjectMark::Absent`], never a 0.
//!
//! Note on the parallel-class rule: with only six events a teacher is below in four or more by
//! chance alone a third of the time, so the rule flags many more teachers than the designated
//! weak ones (≈ 30 % of the judged teacher–subject pairs here) — which is why the spec calls
//! it an alert for review next to value added.
//!
//! Deterministic: the same district, options and seed give the same exams, byte for byte.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::{Date, Month};
use wuyu_domain::roster::NewStudent;
use wuyu_domain::{
    ExamId, ExamItem, ExamItemBatch, ExamLevel, ExamScoreBatch, ExamSubject, Grade, Location,
    NewExam, NewExamScoreRow, NewItemScoreRow, Origin, SchoolCode, Sex, Stage, SubjectMark, Term,
    TermPart,
};

use crate::SynthDistrict;
use crate::rng::Rng;

/// Sheet name of every generated row's [`Origin`].
pub const EXAM_SHEET: &str = "synth";
/// SD between schools of the lasting value added per term, in student-ability units.
pub const SCHOOL_VA_SD: f64 = 0.12;
/// SD of a school's value added from term to term around its lasting part (with
/// [`SCHOOL_VA_SD`] ≈ 0.25 in all).
pub const SCHOOL_TERM_VA_SD: f64 = 0.22;
/// SD between teachers (per subject) of the value added per term; kept up, it settles at
/// twice this (0.15) between their classes.
pub const TEACHER_VA_SD: f64 = 0.075;
/// Value added per term of a designated weak teacher (4 teacher SDs below the mean): their
/// classes settle about 0.6 student SDs below an average teacher's.
pub const WEAK_TEACHER_VA: f64 = -0.3;
/// Share of a term's value added still there one half term later.
pub const PERSISTENCE: f64 = 0.75;

const ABSENT_EXAM: f64 = 0.008;
const ABSENT_PAPER: f64 = 0.002;
/// Correlation of a student's abilities in two subjects.
const ABILITY_CORR: f64 = 0.7;
const DRIFT_SD: f64 = 0.3;
const DRIFT_PHI: f64 = 0.9;
const ERROR_SD: f64 = 0.35;
const SCHOOL_PAPER_ERROR_SD: f64 = 0.4;
/// Latent spread that one paper SD (σ · full) stands for.
const Z_SCALE: f64 = 1.25;
/// Share of the chance difference in ability between a school's classes that 均衡分班 removes.
const BALANCE: f64 = 0.8;
/// SD of a class's result on one paper around what its students' abilities predict.
const CLASS_EXAM_SD: f64 = 0.08;
/// SD of a class's strength in one knowledge point (the item heat map's pattern).
const TOPIC_SD: f64 = 0.25;

/// Stream offsets of the seed (students use 0..).
const SCHOOL_STREAMS: u64 = 1 << 40;
const TEACHER_STREAMS: u64 = 2 << 40;
const EXAM_STREAMS: u64 = 3 << 40;
const TOPIC_STREAMS: u64 = 4 << 40;
const WEAK_STREAM: u64 = 5 << 40;
const CLASS_EXAM_STREAMS: u64 = 6 << 40;
/// Keeps exam streams apart from the fitness and roster streams of the same seed.
const SALT: u64 = 0x00E8_A4E5_0000_0000;

/// Every subject the exams set, in report order.
pub const EXAM_SUBJECTS: [&str; 7] = ["语文", "数学", "英语", "物理", "化学", "道德与法治", "历史"];
const MATH: usize = 1;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamOptions {
    pub seed: u64,
    /// 学年 of the exams (2024 = 2024–2025); years after the roster's are skipped.
    pub school_years: Vec<u16>,
    /// Grades that sit exams (3–9; others are ignored).
    pub grades: Vec<u8>,
    /// Item-level 数学 for the 区级 期末 of grades 8–9 and the 中考.
    pub items: bool,
}

impl ExamOptions {
    /// The three school years ending with `last`, grades 3–9, with item-level data.
    pub fn three_years(seed: u64, last: u16) -> Self {
        Self {
            seed,
            school_years: vec![last.saturating_sub(2), last.saturating_sub(1), last],
            grades: (3..=9).collect(),
            items: true,
        }
    }
}

/// The generated exams, oldest first, and the truth they were drawn from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthExams {
    pub exams: Vec<SynthExam>,
    pub truth: ExamTruth,
}

impl SynthExams {
    /// Marks (scores and 缺考) over every exam's score sheet.
    pub fn marks(&self) -> usize {
        self.exams
            .iter()
            .map(|e| e.scores.rows.len() * e.scores.subjects.len())
            .sum()
    }

    /// Rows of the item sheets (one per student and paper with items).
    pub fn item_rows(&self) -> usize {
        self.exams
            .iter()
            .filter_map(|e| e.items.as_ref())
            .map(|b| b.rows.len())
            .sum()
    }

    /// Item points (cells) over every item sheet, blanks of 缺考 rows included.
    pub fn item_points(&self) -> usize {
        self.exams
            .iter()
            .filter_map(|e| e.items.as_ref())
            .map(|b| b.rows.len() * b.items.len())
            .sum()
    }
}

/// One exam with its sheets. The batches carry `ExamId(0)` until [`SynthExam::bind`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthExam {
    /// The exam to create; its `baseline` is `None` — see [`SynthExam::new_exam`].
    pub exam: NewExam,
    /// Index (in [`SynthExams::exams`], always smaller than this exam's) of the exam value
    /// added is measured from.
    pub baseline: Option<usize>,
    /// The students' grade in the roster's year (the cohort that sat it).
    pub cohort: Grade,
    /// One row per student of the cohort, one column per subject.
    pub scores: ExamScoreBatch,
    /// Item points of 数学, whose column in `scores` holds the same sums.
    pub items: Option<ExamItemBatch>,
}

impl SynthExam {
    /// The exam to create, its baseline resolved through `ids`: the ids of the exams created so
    /// far, in list order.
    ///
    /// # Panics
    /// If the baseline has no id yet (exams must be created in list order).
    pub fn new_exam(&self, ids: &[ExamId]) -> NewExam {
        NewExam {
            baseline: self.baseline.map(|b| ids[b]),
            ..self.exam.clone()
        }
    }

    /// Sets the exam's id in its batches.
    pub fn bind(&mut self, id: ExamId) {
        self.scores.exam = id;
        if let Some(items) = &mut self.items {
            items.exam = id;
        }
    }
}

/// The truth behind the scores, for tests and the demo's notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamTruth {
    /// Share of a term's value added left one half term later ([`PERSISTENCE`]).
    pub persistence: f64,
    /// In the roster's school order.
    pub schools: Vec<SchoolTruth>,
    /// Every (teacher, subject) teaching an exam subject.
    pub teachers: Vec<TeacherTruth>,
}

impl ExamTruth {
    pub fn school(&self, code: &SchoolCode) -> Option<&SchoolTruth> {
        self.schools.iter().find(|s| &s.school_code == code)
    }

    pub fn weak_teachers(&self) -> impl Iterator<Item = &TeacherTruth> {
        self.teachers.iter().filter(|t| t.weak)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolTruth {
    pub school_code: SchoolCode,
    /// Mean ability of the school's intake (not value added).
    pub intake: f64,
    /// The lasting part of the value added per term, in the last exam term.
    pub va: f64,
    /// Change of the lasting part per term (> 0: improving).
    pub trend: f64,
    /// Term index (2·学年 + 0 autumn / 1 spring) of the first and last exam terms; the trend
    /// holds between them and the lasting part is flat outside.
    pub first_term: i32,
    pub last_term: i32,
    /// Term index of `shocks[0]`: the autumn the earliest cohort entered its stage.
    pub shocks_from: i32,
    /// Each term's own part of the value added (a new grade team, a good or a bad year), from
    /// `shocks_from` to `last_term`.
    pub shocks: Vec<f64>,
}

impl SchoolTruth {
    /// The school's value added in `term`: lasting part, trend and the term's own part.
    pub fn va_at(&self, term: Term) -> f64 {
        self.va_at_index(term_index(term))
    }

    /// The lasting part (with its trend) in `term`, without the term's own part.
    pub fn lasting_va_at(&self, term: Term) -> f64 {
        self.lasting(term_index(term))
    }

    fn lasting(&self, t: i32) -> f64 {
        let t = t.clamp(self.first_term, self.last_term);
        self.va + self.trend * f64::from(t - self.last_term)
    }

    fn va_at_index(&self, t: i32) -> f64 {
        let shock = usize::try_from(t - self.shocks_from)
            .ok()
            .and_then(|k| self.shocks.get(k))
            .copied()
            .unwrap_or(0.0);
        self.lasting(t) + shock
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeacherTruth {
    pub school_code: SchoolCode,
    pub staff_no: String,
    pub subject: String,
    /// Value added per term.
    pub va: f64,
    /// A designated weak teacher ([`WEAK_TEACHER_VA`]).
    pub weak: bool,
}

fn term_index(term: Term) -> i32 {
    2 * i32::from(term.school_year) + i32::from(term.part == TermPart::Spring)
}

/// Standard normal by Box–Muller (one of the pair).
fn normal(r: &mut Rng) -> f64 {
    let u1 = 1.0 - r.f64(); // (0, 1]
    let u2 = r.f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn uniform(r: &mut Rng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * r.f64()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Midterm,
    Final,
    Zhongkao,
}

/// An exam before its rows: when, for whom, which papers.
struct Plan {
    exam: NewExam,
    cohort: u8,
    kind: Kind,
    /// Half-term step: 4·学年 + 2·(spring) + (0 期中 / 1 期末, 中考).
    step: i32,
    /// (subject index, full marks).
    papers: Vec<(usize, f64)>,
    items: bool,
}

/// Chapters (知识点) of the 人教版 数学 a term's 期末 covers.
fn topics(grade: u8, part: TermPart, kind: Kind) -> &'static [&'static str] {
    match (grade, part, kind) {
        (_, _, Kind::Zhongkao) => &[
            "实数",
            "因式分解",
            "分式",
            "二次根式",
            "一元二次方程",
            "不等式与不等式组",
            "一次函数",
            "反比例函数",
            "二次函数",
            "全等三角形",
            "相似三角形",
            "勾股定理",
            "锐角三角函数",
            "圆",
            "概率初步",
            "数据的分析",
        ],
        (8, TermPart::Autumn, _) => &[
            "三角形",
            "全等三角形",
            "轴对称",
            "整式的乘法",
            "因式分解",
            "分式",
        ],
        (8, TermPart::Spring, _) => &[
            "二次根式",
            "勾股定理",
            "平行四边形",
            "一次函数",
            "数据的分析",
        ],
        (9, TermPart::Autumn, _) => &["一元二次方程", "二次函数", "旋转", "圆", "概率初步"],
        _ => &["反比例函数", "相似三角形", "锐角三角函数", "投影与视图"],
    }
}

/// A stable number for a knowledge point: the key of a class's strength in it.
fn topic_id(name: &str) -> u64 {
    // FNV-1a: stable across runs and versions.
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01B3);
    }
    h & 0xFFFF
}

const ZH_GRADE_TERM: [&str; 2] = ["第一学期", "第二学期"];

/// The exams of the options, in date order (then grade).
fn plans(district_year: u16, opts: &ExamOptions) -> Vec<Plan> {
    let mut years: Vec<u16> = opts
        .school_years
        .iter()
        .copied()
        .filter(|&y| y <= district_year && (2000..=2099).contains(&y))
        .collect();
    years.sort_unstable();
    years.dedup();
    let mut grades: Vec<u8> = opts
        .grades
        .iter()
        .copied()
        .filter(|g| (3..=9).contains(g))
        .collect();
    grades.sort_unstable();
    grades.dedup();

    let mut out = Vec::new();
    for &y in &years {
        let back = district_year - y;
        for part in [TermPart::Autumn, TermPart::Spring] {
            let term = Term::new(y, part).expect("school years are in 2000..=2099");
            for &g in &grades {
                let cohort = u16::from(g) + back;
                // Left the district's schools, or was at another school then (primary → junior).
                if cohort > 9 || (g <= 6) != (cohort <= 6) {
                    continue;
                }
                let cohort = cohort as u8;
                let kinds: &[Kind] = match (g, part) {
                    (3..=6, _) => &[Kind::Final],
                    (9, TermPart::Spring) => &[Kind::Midterm, Kind::Zhongkao],
                    _ => &[Kind::Midterm, Kind::Final],
                };
                for &kind in kinds {
                    out.push(plan(term, g, cohort, kind, opts.items));
                }
            }
        }
    }
    out.sort_by_key(|p| (p.exam.date, p.exam.grade));
    out
}

fn plan(term: Term, g: u8, cohort: u8, kind: Kind, items: bool) -> Plan {
    let y = i32::from(term.school_year);
    let spring = term.part == TermPart::Spring;
    let (year, month, day) = match (kind, spring) {
        (Kind::Midterm, false) => (y, Month::November, 12),
        (Kind::Final, false) => (y + 1, Month::January, 15),
        (Kind::Midterm, true) => (y + 1, Month::April, 23),
        (Kind::Zhongkao, _) => (y + 1, Month::June, 16),
        (Kind::Final, true) => (y + 1, Month::June, 27),
    };
    let date = Date::from_calendar_date(year, month, day).expect("valid exam date");
    let grade = Grade::new(g).expect("grades 3..=9");
    let name = match kind {
        Kind::Zhongkao => format!("{}年中考", y + 1),
        Kind::Midterm => format!(
            "{y}学年{}{}期中考试",
            ZH_GRADE_TERM[usize::from(spring)],
            grade.label_zh()
        ),
        Kind::Final => format!(
            "{y}学年{}{}期末质量检测",
            ZH_GRADE_TERM[usize::from(spring)],
            grade.label_zh()
        ),
    };
    let level = match kind {
        Kind::Midterm => ExamLevel::School,
        Kind::Final => ExamLevel::District,
        Kind::Zhongkao => ExamLevel::Zhongkao,
    };
    let papers: Vec<(usize, f64)> = if g <= 6 {
        vec![(0, 100.0), (1, 100.0), (2, 100.0)]
    } else {
        let mut p = vec![(0, 120.0), (1, 120.0), (2, 120.0)];
        if g >= 8 {
            p.push((3, 100.0));
        }
        if g == 9 {
            p.push((4, 100.0));
        }
        if kind != Kind::Midterm {
            p.push((5, 100.0));
            p.push((6, 100.0));
        }
        p
    };
    let step = 4 * y + 2 * i32::from(spring) + i32::from(kind != Kind::Midterm);
    Plan {
        exam: NewExam {
            name,
            date,
            term,
            level,
            grade,
            subjects: papers
                .iter()
                .map(|&(s, full)| ExamSubject {
                    name: EXAM_SUBJECTS[s].to_string(),
                    full_marks: full,
                })
                .collect(),
            baseline: None,
        },
        cohort,
        kind,
        step,
        papers,
        items: items && g >= 8 && kind != Kind::Midterm,
    }
}

/// The cohort's previous 区级-or-above exam, else its previous exam.
fn baselines(plans: &[Plan]) -> Vec<Option<usize>> {
    plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let earlier = || {
                (0..i)
                    .rev()
                    .filter(|&k| plans[k].cohort == p.cohort && plans[k].exam.date < p.exam.date)
            };
            earlier()
                .find(|&k| plans[k].exam.level >= ExamLevel::District)
                .or_else(|| earlier().next())
        })
        .collect()
}

/// One item of a 数学 paper.
struct ItemSpec {
    item: ExamItem,
    /// Score steps (1 = right or wrong).
    steps: u32,
    a: f64,
    b: f64,
    /// Chance of guessing a 选择题 right.
    guess: f64,
    topics: Vec<u64>,
}

/// A 120-point 数学 paper: 8 选择题 and 6 填空题 of 4 points, 8 解答题 of 6–10 points.
fn math_paper(r: &mut Rng, topics: &[&str]) -> Vec<ItemSpec> {
    const SOLVE: [u32; 8] = [6, 6, 8, 8, 8, 8, 10, 10];
    let mut out = Vec::with_capacity(22);
    let tag = |r: &mut Rng, k: usize| -> Vec<String> {
        let mut t = vec![topics[k % topics.len()]];
        let extra = r.below(3) as usize; // 0–2 more
        for _ in 0..extra {
            let x = topics[r.index(topics.len())];
            if !t.contains(&x) {
                t.push(x);
            }
        }
        t.truncate(3);
        t.into_iter().map(str::to_string).collect()
    };
    for k in 0..22usize {
        let (max, steps, b, guess) = if k < 8 {
            (4, 1, -2.4 + 1.6 * k as f64 / 7.0, 0.25)
        } else if k < 14 {
            (4, 1, -1.8 + 1.6 * (k - 8) as f64 / 5.0, 0.0)
        } else {
            let m = SOLVE[k - 14];
            (m, m, -2.0 + 2.8 * (k - 14) as f64 / 7.0, 0.0)
        };
        let knowledge_points = tag(r, k);
        out.push(ItemSpec {
            topics: knowledge_points.iter().map(|t| topic_id(t)).collect(),
            item: ExamItem {
                item_no: (k + 1).to_string(),
                max_points: f64::from(max),
                knowledge_points,
            },
            steps,
            a: uniform(r, 0.9, 1.6),
            b: b + uniform(r, -0.25, 0.25),
            guess,
        });
    }
    out
}

/// Points of one student on one item: a graded response to `z` (standardised ability plus
/// the class's strength in the item's topics).
fn item_points(r: &mut Rng, spec: &ItemSpec, z: f64) -> f64 {
    let u = r.f64().clamp(1e-12, 1.0 - 1e-12);
    let noise = (u / (1.0 - u)).ln() / (1.7 * spec.a);
    let x = z - spec.b + noise;
    if spec.steps == 1 {
        let right = x > 0.0 || (spec.guess > 0.0 && r.chance(spec.guess));
        return if right { spec.item.max_points } else { 0.0 };
    }
    // Step thresholds spread over (−1.2, 1.2) around b: the count below x.
    let m = f64::from(spec.steps);
    let q = ((x / 1.2 + 1.0) * m + 1.0) / 2.0;
    let count = (q.ceil() - 1.0).clamp(0.0, m);
    count * spec.item.max_points / m
}

/// Per class: where it is and who teaches it.
struct ClassInfo {
    school: usize,
    grade: u8,
    /// Roster indices of its students, in roster order.
    students: Vec<usize>,
    /// Share-weighted teacher value added per exam subject.
    teacher_va: [f64; 7],
}

/// Per student: the draws that persist across exams.
struct StudentState {
    rng: Rng,
    /// Ability per subject, intake and sex effect included.
    theta: [f64; 7],
    drift: [f64; 7],
    last_step: Option<i32>,
}

/// Draws the abilities of a class's students. Classes are formed by 均衡分班 (balanced on
/// entrance results), so most of the chance difference between classes is taken out.
fn init_class(
    states: &mut [Option<StudentState>],
    class: &ClassInfo,
    roster: &[NewStudent],
    intake: f64,
    seed: u64,
) {
    let sqrt_rho = ABILITY_CORR.sqrt();
    let sqrt_rest = (1.0 - ABILITY_CORR).sqrt();
    let mut draws: Vec<(Rng, f64, [f64; 7])> = class
        .students
        .iter()
        .map(|&i| {
            let mut rng = Rng::stream(seed, i as u64);
            let g = normal(&mut rng);
            let mut e = [0.0; 7];
            for x in &mut e {
                *x = normal(&mut rng);
            }
            (rng, g, e)
        })
        .collect();
    let n = draws.len().max(1) as f64;
    let mean_g = draws.iter().map(|d| d.1).sum::<f64>() / n;
    let mut mean_e = [0.0; 7];
    for d in &draws {
        for (m, x) in mean_e.iter_mut().zip(&d.2) {
            *m += x / n;
        }
    }
    for (&i, (rng, g, e)) in class.students.iter().zip(draws.iter_mut()) {
        let sex = roster[i].sex;
        let mut theta = [0.0; 7];
        for (s, th) in theta.iter_mut().enumerate() {
            *th = intake
                + sex_effect(sex, s)
                + sqrt_rho * (*g - BALANCE * mean_g)
                + sqrt_rest * (e[s] - BALANCE * mean_e[s]);
        }
        let mut drift = [0.0; 7];
        for d in &mut drift {
            *d = DRIFT_SD * normal(rng);
        }
        states[i] = Some(StudentState {
            rng: rng.clone(),
            theta,
            drift,
            last_step: None,
        });
    }
}

fn sex_effect(sex: Sex, subject: usize) -> f64 {
    match (sex, subject) {
        (Sex::Female, 0 | 2) => 0.15,
        (Sex::Female, 5 | 6) => 0.05,
        (Sex::Male, 3) => 0.05,
        _ => 0.0,
    }
}

/// Generates the exams of `opts` for `district`'s students (see the module documentation).
pub fn generate_exams(district: &SynthDistrict, opts: &ExamOptions) -> SynthExams {
    let seed = opts.seed ^ SALT;
    let batch = &district.batch;
    let year = district.school_year;
    let plans = plans(year, opts);
    let bases = baselines(&plans);
    let terms = plans.iter().map(|p| term_index(p.exam.term));
    let first_term = terms.clone().min().unwrap_or(0);
    let last_term = terms.max().unwrap_or(0);
    let shocks_from = plans
        .iter()
        .map(|p| 2 * entry_year(p.cohort, year))
        .min()
        .unwrap_or(last_term);

    // Schools: intake and value added.
    let school_index: HashMap<&str, usize> = batch
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.code.as_str(), i))
        .collect();
    // A third of the schools improve, a sixth decline (a shuffled assignment, so the shares
    // hold in small districts too).
    let n_schools = batch.schools.len();
    let mut trend_kind: Vec<u8> = (0..n_schools)
        .map(|i| {
            if i < n_schools.div_ceil(3) {
                1
            } else if i < n_schools.div_ceil(3) + n_schools.div_ceil(6) {
                2
            } else {
                0
            }
        })
        .collect();
    Rng::stream(seed, SCHOOL_STREAMS - 1).shuffle(&mut trend_kind);
    let schools: Vec<SchoolTruth> = batch
        .schools
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut r = Rng::stream(seed, SCHOOL_STREAMS + i as u64);
            let base = match s.location {
                Location::Urban => 0.15,
                Location::Rural => -0.15,
            };
            let intake = base + 0.15 * normal(&mut r);
            let va = SCHOOL_VA_SD * normal(&mut r);
            let shocks = (shocks_from..=last_term)
                .map(|_| SCHOOL_TERM_VA_SD * normal(&mut r))
                .collect();
            let trend = match trend_kind[i] {
                1 => uniform(&mut r, 0.02, 0.06),
                2 => -uniform(&mut r, 0.015, 0.04),
                _ => 0.0,
            };
            SchoolTruth {
                school_code: s.code.clone(),
                intake,
                va,
                trend,
                first_term,
                last_term,
                shocks_from,
                shocks,
            }
        })
        .collect();

    // Teachers: value added per (teacher, subject) they teach an exam subject in.
    let teacher_index: HashMap<(&str, &str), usize> = batch
        .teachers
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.school_code.as_str(), t.staff_no.as_str()), i))
        .collect();
    let subject_index = |s: &str| EXAM_SUBJECTS.iter().position(|x| *x == s);
    let mut teachers: Vec<TeacherTruth> = Vec::new();
    let mut teacher_of: HashMap<(usize, usize), usize> = HashMap::new();
    for a in &batch.assignments {
        let Some(s) = subject_index(&a.subject) else {
            continue;
        };
        let Some(&t) = teacher_index.get(&(a.school_code.as_str(), a.staff_no.as_str())) else {
            continue;
        };
        teacher_of.entry((t, s)).or_insert_with(|| {
            let mut r = Rng::stream(seed, TEACHER_STREAMS + (t as u64) * 8 + s as u64);
            teachers.push(TeacherTruth {
                school_code: a.school_code.clone(),
                staff_no: a.staff_no.clone(),
                subject: a.subject.clone(),
                va: TEACHER_VA_SD * normal(&mut r),
                weak: false,
            });
            teachers.len() - 1
        });
    }
    for w in pick_weak(district, opts.seed) {
        if let Some(t) = teachers
            .iter_mut()
            .find(|t| t.school_code == w.0 && t.staff_no == w.1 && t.subject == w.2)
        {
            t.va = WEAK_TEACHER_VA;
            t.weak = true;
        }
    }

    // Classes and their students.
    let mut class_index: HashMap<(&str, u8, &str), usize> = HashMap::new();
    let mut classes: Vec<ClassInfo> = Vec::new();
    for (i, st) in batch.students.iter().enumerate() {
        let key = (
            st.school_code.as_str(),
            st.grade.get(),
            st.class_name.as_str(),
        );
        let c = *class_index.entry(key).or_insert_with(|| {
            classes.push(ClassInfo {
                school: school_index
                    .get(st.school_code.as_str())
                    .copied()
                    .unwrap_or(0),
                grade: st.grade.get(),
                students: Vec::new(),
                teacher_va: [0.0; 7],
            });
            classes.len() - 1
        });
        classes[c].students.push(i);
    }
    for a in &batch.assignments {
        let (Some(s), Some(&t)) = (
            subject_index(&a.subject),
            teacher_index.get(&(a.school_code.as_str(), a.staff_no.as_str())),
        ) else {
            continue;
        };
        let key = (a.school_code.as_str(), a.grade.get(), a.class_name.as_str());
        if let Some(&c) = class_index.get(&key) {
            classes[c].teacher_va[s] += a.share * teachers[teacher_of[&(t, s)]].va;
        }
    }
    let mut classes_of_grade: Vec<Vec<usize>> = vec![Vec::new(); 13];
    for (c, info) in classes.iter().enumerate() {
        classes_of_grade[usize::from(info.grade)].push(c);
    }

    // Students: abilities, drawn once.
    let mut students: Vec<Option<StudentState>> = Vec::new();
    students.resize_with(batch.students.len(), || None);
    let mut class_ready = vec![false; classes.len()];

    let mut exams = Vec::with_capacity(plans.len());
    for (e, p) in plans.into_iter().enumerate() {
        let mut r = Rng::stream(seed, EXAM_STREAMS + e as u64);
        // Paper difficulty and spread per subject.
        let shape: Vec<(f64, f64)> = p
            .papers
            .iter()
            .map(|&(s, _)| {
                let mu = uniform(&mut r, 0.66, 0.75);
                let sigma = match s {
                    0 => 0.10,
                    1 | 2 => 0.17,
                    _ => 0.14,
                } * uniform(&mut r, 0.92, 1.08);
                (mu, sigma)
            })
            .collect();
        let paper = p
            .items
            .then(|| math_paper(&mut r, topics(p.exam.grade.get(), p.exam.term.part, p.kind)));
        let math_col = p.papers.iter().position(|&(s, _)| s == MATH);
        let error_sd = if p.kind == Kind::Midterm {
            SCHOOL_PAPER_ERROR_SD
        } else {
            ERROR_SD
        };
        let entry_step = 4 * entry_year(p.cohort, year);

        let mut rows: Vec<NewExamScoreRow> = Vec::new();
        let mut item_rows: Vec<NewItemScoreRow> = Vec::new();
        for &c in &classes_of_grade[usize::from(p.cohort)] {
            let class = &classes[c];
            let school = &schools[class.school];
            // Accumulated value added of school and teachers per subject.
            let mut added = [0.0f64; 7];
            for &(s, _) in &p.papers {
                let mut d = 0.0;
                for m in entry_step..=p.step {
                    let v = school.va_at_index(m.div_euclid(2)) + class.teacher_va[s];
                    d = PERSISTENCE * d + v / 2.0;
                }
                added[s] = d;
            }
            // The class's strength in each item's topics (mean over its tags).
            let strength: Vec<f64> = paper
                .iter()
                .flatten()
                .map(|it| {
                    it.topics
                        .iter()
                        .map(|&t| {
                            let mut tr =
                                Rng::stream(seed, TOPIC_STREAMS + (c as u64) * 0x1_0000 + t);
                            TOPIC_SD * normal(&mut tr)
                        })
                        .sum::<f64>()
                        / it.topics.len() as f64
                })
                .collect();

            if !class_ready[c] {
                class_ready[c] = true;
                init_class(&mut students, class, &batch.students, school.intake, seed);
            }
            // The class on the day: how the paper suited it, how the morning went.
            let mut day = Rng::stream(seed, CLASS_EXAM_STREAMS + ((c as u64) << 12) + e as u64);
            let class_day: Vec<f64> = p
                .papers
                .iter()
                .map(|_| CLASS_EXAM_SD * normal(&mut day))
                .collect();

            for &i in &class.students {
                let st = &batch.students[i];
                let state = students[i]
                    .as_mut()
                    .expect("the class's students are initialised");
                let rng = &mut state.rng;
                if let Some(last) = state.last_step {
                    let gap = (p.step - last).max(0);
                    let keep = DRIFT_PHI.powi(gap);
                    let fresh = DRIFT_SD * (1.0 - keep * keep).sqrt();
                    for d in &mut state.drift {
                        *d = keep * *d + fresh * normal(rng);
                    }
                }
                state.last_step = Some(p.step);

                let absent_all = rng.chance(ABSENT_EXAM);
                let mut marks = Vec::with_capacity(p.papers.len());
                let mut points_row: Option<NewItemScoreRow> = None;
                for (k, &(s, full)) in p.papers.iter().enumerate() {
                    let absent = absent_all || rng.chance(ABSENT_PAPER);
                    let z = state.theta[s] + added[s] + state.drift[s] + class_day[k];
                    if let (Some(items), true) = (&paper, Some(k) == math_col) {
                        let mut row = NewItemScoreRow {
                            origin: origin(0),
                            student_no: st.student_no.clone(),
                            absent,
                            points: vec![None; items.len()],
                        };
                        if absent {
                            marks.push(Some(SubjectMark::Absent));
                        } else {
                            let zs = z / Z_SCALE;
                            let mut sum = 0.0;
                            for ((slot, it), topic) in
                                row.points.iter_mut().zip(items).zip(&strength)
                            {
                                let pts = item_points(rng, it, zs + topic);
                                sum += pts;
                                *slot = Some(pts);
                            }
                            marks.push(Some(SubjectMark::Score(sum)));
                        }
                        points_row = Some(row);
                        continue;
                    }
                    if absent {
                        marks.push(Some(SubjectMark::Absent));
                        continue;
                    }
                    let (mu, sigma) = shape[k];
                    let x = z + error_sd * normal(rng);
                    let frac = (mu + sigma * x / Z_SCALE).clamp(0.0, 1.0);
                    let score = ((frac * full * 2.0).round() / 2.0).clamp(0.0, full);
                    marks.push(Some(SubjectMark::Score(score)));
                }
                rows.push(NewExamScoreRow {
                    origin: origin(0),
                    student_no: st.student_no.clone(),
                    marks,
                });
                if let Some(row) = points_row {
                    item_rows.push(row);
                }
            }
        }
        if rows.is_empty() {
            continue;
        }
        number(rows.iter_mut().map(|r| &mut r.origin));
        number(item_rows.iter_mut().map(|r| &mut r.origin));
        let baseline = bases[e];
        exams.push((
            e,
            SynthExam {
                scores: ExamScoreBatch {
                    exam: ExamId(0),
                    subjects: p.exam.subjects.iter().map(|s| s.name.clone()).collect(),
                    rows,
                },
                items: paper.map(|items| ExamItemBatch {
                    exam: ExamId(0),
                    subject: EXAM_SUBJECTS[MATH].to_string(),
                    items: items.into_iter().map(|i| i.item).collect(),
                    rows: item_rows,
                }),
                exam: p.exam,
                baseline,
                cohort: Grade::new(p.cohort).expect("cohorts are grades 3..=9"),
            },
        ));
    }

    // Renumber baselines over the exams kept (a skipped exam has no rows, so no cohort: its
    // later exams had no baseline through it either).
    let kept: HashMap<usize, usize> = exams
        .iter()
        .enumerate()
        .map(|(k, (e, _))| (*e, k))
        .collect();
    let exams = exams
        .into_iter()
        .map(|(_, mut x)| {
            x.baseline = x.baseline.and_then(|b| kept.get(&b).copied());
            x
        })
        .collect();
    SynthExams {
        exams,
        truth: ExamTruth {
            persistence: PERSISTENCE,
            schools,
            teachers,
        },
    }
}

/// The 学年 in whose autumn a cohort (grade `cohort` in 学年 `year`) entered its stage
/// (grade 1 or grade 7).
fn entry_year(cohort: u8, year: u16) -> i32 {
    let entry_grade = if cohort <= 6 { 1 } else { 7 };
    i32::from(year) - i32::from(cohort - entry_grade)
}

fn origin(row: u32) -> Origin {
    Origin {
        sheet: EXAM_SHEET.to_string(),
        row,
    }
}

/// Data rows from 2, under the header.
fn number<'a>(origins: impl Iterator<Item = &'a mut Origin>) {
    for (i, o) in origins.enumerate() {
        o.row = u32::try_from(i + 2).expect("fewer than 4 billion rows");
    }
}

/// The designated weak teachers as (school, 工号, subject): one in the demo school if it can
/// (a primary teacher of grade 5 or 6, whose classes sat six 区级 exams over the three years;
/// not the demo teacher), one in the first junior or nine-year school that has one (a grade-9
/// teacher). Only teachers of 语文, 数学 or 英语 (数学 preferred) in one grade, with full
/// shares and at most half of the grade's classes (at least three), so that their classes
/// can fall below the parallel average.
fn pick_weak(district: &SynthDistrict, seed: u64) -> Vec<(SchoolCode, String, String)> {
    let b = &district.batch;
    let mut r = Rng::stream(seed ^ SALT, WEAK_STREAM);
    let mut classes_per_grade: HashMap<(&str, u8), usize> = HashMap::new();
    for c in &b.classes {
        *classes_per_grade
            .entry((c.school_code.as_str(), c.grade.get()))
            .or_default() += 1;
    }
    // (school, 工号, subject) → (grades taught, classes, all shares full).
    type Load = (Vec<u8>, usize, bool);
    let mut loads: HashMap<(&str, &str, &str), Load> = HashMap::new();
    for a in &b.assignments {
        let e = loads
            .entry((
                a.school_code.as_str(),
                a.staff_no.as_str(),
                a.subject.as_str(),
            ))
            .or_insert_with(|| (Vec::new(), 0, true));
        if !e.0.contains(&a.grade.get()) {
            e.0.push(a.grade.get());
        }
        e.1 += 1;
        e.2 &= a.share >= 1.0;
    }
    let candidates = |school: &str, grades: &[u8]| -> Vec<(String, String)> {
        let mut c: Vec<(u8, String, String)> = loads
            .iter()
            .filter(|((s, staff, subject), (gs, n, full))| {
                *s == school
                    && *full
                    && gs.len() == 1
                    && grades.contains(&gs[0])
                    && classes_per_grade
                        .get(&(*s, gs[0]))
                        .is_some_and(|&all| all >= 3 && 2 * n <= all)
                    && ["语文", "数学", "英语"].contains(subject)
                    && !(*s == district.demo.school_code.as_str()
                        && *staff == district.demo.teacher_staff_no)
            })
            .map(|((_, staff, subject), _)| {
                (
                    u8::from(*subject != "数学"),
                    staff.to_string(),
                    subject.to_string(),
                )
            })
            .collect();
        c.sort();
        // 数学 teachers if any.
        if let Some(first) = c.first().map(|x| x.0) {
            c.retain(|x| x.0 == first);
        }
        c.into_iter().map(|(_, s, subj)| (s, subj)).collect()
    };
    let mut out = Vec::new();
    for (stages, grades) in [
        ([Stage::Primary, Stage::NineYear], &[5u8, 6][..]),
        ([Stage::Junior, Stage::NineYear], &[9u8][..]),
    ] {
        let pick = b
            .schools
            .iter()
            .filter(|s| stages.contains(&s.stage))
            .map(|s| (s, candidates(s.code.as_str(), grades)))
            .find(|(_, c)| !c.is_empty());
        if let Some((s, c)) = pick {
            let (staff, subject) = c[r.index(c.len())].clone();
            out.push((s.code.clone(), staff, subject));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_math_paper_has_22_items_summing_to_120() {
        let mut r = Rng::new(1);
        let p = math_paper(&mut r, topics(8, TermPart::Autumn, Kind::Final));
        assert_eq!(p.len(), 22);
        let total: f64 = p.iter().map(|i| i.item.max_points).sum();
        assert_eq!(total, 120.0);
        for i in &p {
            assert!((1..=3).contains(&i.item.knowledge_points.len()));
        }
    }

    #[test]
    fn item_points_are_monotone_in_ability_on_average() {
        let mut r = Rng::new(3);
        let p = math_paper(&mut r, topics(9, TermPart::Autumn, Kind::Final));
        let mean = |z: f64, r: &mut Rng| {
            (0..2000)
                .map(|_| p.iter().map(|it| item_points(r, it, z)).sum::<f64>())
                .sum::<f64>()
                / 2000.0
        };
        let pop = (0..4000)
            .map(|_| {
                let z = normal(&mut r);
                p.iter().map(|it| item_points(&mut r, it, z)).sum::<f64>()
            })
            .sum::<f64>()
            / 4000.0;
        // A standard-normal population scores around 70 % of 120.
        assert!((0.65 * 120.0..0.76 * 120.0).contains(&pop), "{pop}");
        let lo = mean(-1.0, &mut r);
        let mid = mean(0.0, &mut r);
        let hi = mean(1.0, &mut r);
        assert!(lo < mid && mid < hi, "{lo} {mid} {hi}");
    }

    #[test]
    fn plans_follow_the_cohorts() {
        let opts = ExamOptions::three_years(1, 2024);
        let p = plans(2024, &opts);
        // Grade 9 exams only in the last year; primary only 期末; 中考 once.
        assert!(
            p.iter()
                .filter(|x| x.exam.grade.get() == 9)
                .all(|x| x.exam.term.school_year == 2024)
        );
        assert!(
            p.iter()
                .filter(|x| x.exam.grade.get() <= 6)
                .all(|x| x.kind == Kind::Final)
        );
        assert_eq!(p.iter().filter(|x| x.kind == Kind::Zhongkao).count(), 1);
        // Grade 6 two years ago would be grade 8 now, at another school: not generated.
        assert!(
            !p.iter()
                .any(|x| x.exam.grade.get() == 6 && x.exam.term.school_year == 2022)
        );
        assert!(p.windows(2).all(|w| w[0].exam.date <= w[1].exam.date));
    }
}
