//! The fitness import plan (score at write): resolve every record's 学籍号 against the roster
//! snapshot the store loaded, score it with `wuyu-standards`, and hand back the rows to write.
use std::collections::{HashMap, HashSet};

use time::Date;
use wuyu_domain::{FitnessBatch, FitnessMeasures, Grade, Origin, RowError, Sex, Term};
use wuyu_standards::{
    EyeExam, FitnessGrade, FitnessInput, FitnessItem, ScreeningError, exact_age,
    malnutrition_status, score_record, screening_myopia, weight_status,
};

/// The measured items (BMI is computed), in [`FitnessItem::ALL`] order without BMI.
pub const MEASURED: [FitnessItem; 10] = [
    FitnessItem::VitalCapacity,
    FitnessItem::Run50m,
    FitnessItem::SitAndReach,
    FitnessItem::RopeSkip1min,
    FitnessItem::SitUp1min,
    FitnessItem::Shuttle50x8,
    FitnessItem::StandingLongJump,
    FitnessItem::PullUp,
    FitnessItem::Run1000m,
    FitnessItem::Run800m,
];

pub const BONUS_ITEMS: [FitnessItem; 5] = [
    FitnessItem::RopeSkip1min,
    FitnessItem::SitUp1min,
    FitnessItem::PullUp,
    FitnessItem::Run1000m,
    FitnessItem::Run800m,
];

/// What the roster says about a student, for resolving and scoring a record.
#[derive(Debug, Clone, Copy)]
pub struct StudentRef {
    pub school_id: i64,
    pub student_id: i64,
    pub sex: Sex,
    pub birth_date: Date,
    /// The grade of the student's class now.
    pub grade: u8,
}

/// One record ready to write: the raw values and everything scored, in column order.
pub struct FitnessW {
    pub school_id: i64,
    pub student_id: i64,
    pub term: Term,
    pub test_date: Date,
    pub grade: i32,
    pub sex: &'static str,
    pub age_years: f64,
    pub m: FitnessMeasures,
    pub bmi: Option<f64>,
    pub bmi_category: Option<&'static str>,
    /// Scores in [`FitnessItem::ALL`] order (BMI first).
    pub scores: [Option<i32>; FitnessItem::COUNT],
    /// Bonuses of [`BONUS_ITEMS`].
    pub bonuses: [Option<i32>; 5],
    pub bonus_total: i32,
    pub standard_score: Option<f64>,
    pub year_total: Option<f64>,
    pub level: Option<&'static str>,
    pub status: &'static str,
    pub missing: String,
    pub weight_status: Option<&'static str>,
    pub malnutrition: Option<&'static str>,
    pub vision_status: Option<&'static str>,
}

impl FitnessW {
    /// The measured values of [`MEASURED`], in order.
    pub fn values(&self) -> [Option<f64>; 10] {
        let m = &self.m;
        [
            m.vital_capacity,
            m.run_50m,
            m.sit_and_reach,
            m.rope_skip_1min,
            m.sit_up_1min,
            m.shuttle_50x8,
            m.standing_long_jump,
            m.pull_up,
            m.run_1000m,
            m.run_800m,
        ]
    }
}

/// The scoring input for the standard, from raw measures.
pub fn fitness_input(grade: Grade, sex: Sex, m: &FitnessMeasures) -> FitnessInput {
    FitnessInput {
        grade: FitnessGrade::from(grade),
        sex,
        height_cm: m.height_cm,
        weight_kg: m.weight_kg,
        vital_capacity: m.vital_capacity,
        run_50m: m.run_50m,
        sit_and_reach: m.sit_and_reach,
        rope_skip_1min: m.rope_skip_1min,
        sit_up_1min: m.sit_up_1min,
        shuttle_50x8: m.shuttle_50x8,
        standing_long_jump: m.standing_long_jump,
        pull_up: m.pull_up,
        run_1000m: m.run_1000m,
        run_800m: m.run_800m,
    }
}

/// Scores one record (score at write): the fitness standard, WS/T 586, WS/T 456 and screening
/// myopia. An error is `(column, value, message_zh)`.
#[allow(clippy::too_many_arguments)]
pub fn score(
    school_id: i64,
    student_id: i64,
    term: Term,
    test_date: Date,
    birth_date: Date,
    grade: Grade,
    sex: Sex,
    m: &FitnessMeasures,
) -> Result<FitnessW, (String, String, String)> {
    let age = exact_age(birth_date, test_date)
        .map_err(|e| ("测试日期".to_string(), test_date.to_string(), e.to_string()))?;
    let r = score_record(&fitness_input(grade, sex, m))
        .map_err(|e| ("成绩".to_string(), String::new(), e.to_string()))?;
    let mut scores = [None; FitnessItem::COUNT];
    for (item, s) in r.items.iter() {
        scores[item.index()] = Some(i32::from(s.score));
    }
    let mut bonuses = [None; 5];
    for (n, item) in BONUS_ITEMS.into_iter().enumerate() {
        bonuses[n] = r.items.get(item).map(|s| i32::from(s.bonus));
    }
    let missing = match r.status {
        wuyu_standards::FitnessStatus::Ok => String::new(),
        wuyu_standards::FitnessStatus::Incomplete { missing } => missing
            .iter()
            .map(|i| i.code())
            .collect::<Vec<_>>()
            .join(","),
    };
    // Outside a screening standard's ages the status is not defined: NULL, not an error.
    let in_range = |e: ScreeningError| match e {
        ScreeningError::AgeOutOfRange { .. } => Ok(None),
        e => Err(("年龄".to_string(), format!("{age:.2}"), e.to_string())),
    };
    let (weight, malnutrition) = match (r.bmi, m.height_cm) {
        (Some(bmi), Some(h)) => (
            weight_status(sex, age, bmi)
                .map(|w| Some(w.code()))
                .or_else(in_range)?,
            malnutrition_status(sex, age, h, bmi)
                .map(|w| Some(w.code()))
                .or_else(in_range)?,
        ),
        _ => (None, None),
    };
    let vision = if m.has_vision() {
        let eye = |acuity, se| EyeExam {
            uncorrected_acuity: acuity,
            spherical_equivalent: se,
        };
        let v = screening_myopia(
            &eye(m.acuity_right, m.se_right),
            &eye(m.acuity_left, m.se_left),
        )
        .map_err(|e| ("视力".to_string(), String::new(), e.to_string()))?;
        Some(v.code())
    } else {
        None
    };
    Ok(FitnessW {
        school_id,
        student_id,
        term,
        test_date,
        grade: i32::from(grade.get()),
        sex: sex.code(),
        age_years: age,
        m: *m,
        bmi: r.bmi.map(|b| b.as_f64()),
        bmi_category: r.bmi_category.map(|c| c.code()),
        scores,
        bonuses,
        bonus_total: i32::from(r.bonus_total),
        standard_score: r.standard_score.map(|p| p.as_f64()),
        year_total: r.year_total.map(|p| p.as_f64()),
        level: r.level.map(|l| l.code()),
        status: r.status.code(),
        missing,
        weight_status: weight,
        malnutrition,
        vision_status: vision,
    })
}

fn row_error(file: &str, o: &Origin, column: &str, value: &str, message_zh: String) -> RowError {
    RowError {
        file: file.to_string(),
        sheet: o.sheet.clone(),
        row: o.row,
        column: column.to_string(),
        value: value.to_string(),
        message_zh,
    }
}

/// Resolves every record's 学籍号 against the roster and scores it. Returns the rows to write,
/// or every row error.
///
/// * An unknown 学籍号 is an error; so is the same 学籍号 twice for one term.
/// * Sex is the roster's; a file that gives another one is in error (usually the wrong row).
/// * Grade: the file's grade (the grade at the test, so a past term scores against the grade
///   the student was in then), or the roster's class grade when the file has none. A file
///   grade above the student's grade now is an error: no one was tested in a grade they have
///   not reached.
pub fn plan(
    batch: &FitnessBatch,
    students: &HashMap<String, StudentRef>,
    file: &str,
) -> Result<Vec<FitnessW>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(batch.records.len());
    let mut seen: HashSet<(&str, Term)> = HashSet::with_capacity(batch.records.len());
    for rec in &batch.records {
        let o = &rec.origin;
        let no = rec.student_no.as_str();
        if !seen.insert((no, rec.term)) {
            errors.push(row_error(
                file,
                o,
                "学籍号",
                no,
                format!("学籍号 {no} 在 {} 的成绩中重复出现", rec.term.label_zh()),
            ));
            continue;
        }
        let Some(st) = students.get(no) else {
            errors.push(row_error(
                file,
                o,
                "学籍号",
                no,
                format!("学籍号 {no} 不在学籍名册中：请先导入该学生的学籍，或检查学籍号是否写错"),
            ));
            continue;
        };
        if let Some(sex) = rec.sex
            && sex != st.sex
        {
            errors.push(row_error(
                file,
                o,
                "性别",
                sex.label_zh(),
                format!(
                    "性别与学籍名册不符：学籍号 {no} 在名册中为{}",
                    st.sex.label_zh()
                ),
            ));
            continue;
        }
        let grade = match rec.grade {
            Some(g) if g.get() > st.grade => {
                errors.push(row_error(
                    file,
                    o,
                    "年级",
                    &g.get().to_string(),
                    format!(
                        "年级与学籍名册不符：学籍号 {no} 现在在{}，不可能已在{}参加测试",
                        grade_label(st.grade),
                        g.label_zh()
                    ),
                ));
                continue;
            }
            Some(g) => g,
            None => match Grade::new(st.grade) {
                Ok(g) => g,
                Err(_) => continue,
            },
        };
        match score(
            st.school_id,
            st.student_id,
            rec.term,
            rec.test_date,
            st.birth_date,
            grade,
            st.sex,
            &rec.measures,
        ) {
            Ok(w) => out.push(w),
            Err((column, value, message_zh)) => {
                errors.push(row_error(file, o, &column, &value, message_zh))
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn grade_label(g: u8) -> &'static str {
    Grade::new(g).map_or("未知年级", |g| g.label_zh())
}
