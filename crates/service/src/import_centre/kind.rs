//! The import kinds of the centre and the options each needs, as the upload form sends them
//! and as they are held with the file until confirm.
use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;
use wuyu_domain::{ExamId, Term};

use crate::ServiceError;

/// What a file is imported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// 名册: schools, classes, students, teachers, assignments.
    Roster,
    /// 体质健康 results of one term.
    Fitness,
    /// An exam's score sheet (one column per subject).
    ExamScores,
    /// One subject's item points (小题分) with the 双向细目表.
    ExamItems,
    /// 综合素质写实记录 of one school and term (they await the 班主任's review).
    Activities,
    /// 艺术素质测评 of one school and school year (scored at write).
    Art,
    /// Teachers' training courses (学时, 666 programme level).
    StaffTraining,
    /// Teachers' titles (骨干教师, 学科带头人, 名师).
    StaffTitles,
}

impl ImportKind {
    pub const ALL: [ImportKind; 8] = [
        ImportKind::Roster,
        ImportKind::Fitness,
        ImportKind::ExamScores,
        ImportKind::ExamItems,
        ImportKind::Activities,
        ImportKind::Art,
        ImportKind::StaffTraining,
        ImportKind::StaffTitles,
    ];

    /// The kind in URLs and the import history.
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Roster => "roster",
            ImportKind::Fitness => "fitness",
            ImportKind::ExamScores => "exam-scores",
            ImportKind::ExamItems => "exam-items",
            ImportKind::Activities => "activities",
            ImportKind::Art => "art",
            ImportKind::StaffTraining => "staff-training",
            ImportKind::StaffTitles => "staff-titles",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ImportKind::Roster => "学校名册",
            ImportKind::Fitness => "体质健康测试成绩",
            ImportKind::ExamScores => "考试成绩",
            ImportKind::ExamItems => "考试小题分",
            ImportKind::Activities => "综合素质写实记录",
            ImportKind::Art => "艺术素质测评",
            ImportKind::StaffTraining => "教师培训学时",
            ImportKind::StaffTitles => "教师荣誉称号",
        }
    }
}

/// The options of an upload, as the form sends them (every field text, blank = not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportParams {
    /// Fitness: the term the records belong to, e.g. `2025-autumn`.
    #[serde(default)]
    pub term: String,
    /// Fitness: the test date of rows without a 测试日期 cell (yyyy-mm-dd).
    #[serde(default)]
    pub test_date: String,
    /// Exams: the exam's id.
    #[serde(default)]
    pub exam: String,
    /// Exam items: the subject.
    #[serde(default)]
    pub subject: String,
    /// Art: the school year (2025 = 2025–2026).
    #[serde(default)]
    pub school_year: String,
    /// Archive kinds, district admins: the 学校代码 the file belongs to (a school admin's is
    /// their own).
    #[serde(default)]
    pub school: String,
}

/// [`ImportParams`] checked for a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Checked {
    Roster,
    Fitness { term: Term, test_date: Option<Date> },
    ExamScores { exam: ExamId },
    ExamItems { exam: ExamId, subject: String },
    Activities { term: Term },
    Art { school_year: i32 },
    StaffTraining,
    StaffTitles,
}

impl ImportParams {
    /// The options the kind needs, with a Chinese message for the first one missing or wrong.
    pub(crate) fn check(&self, kind: ImportKind) -> Result<Checked, ServiceError> {
        let bad = |m: String| Err(ServiceError::BadRequest(m));
        let exam = || -> Result<ExamId, ServiceError> {
            match self.exam.trim().parse::<i64>() {
                Ok(id) if id > 0 => Ok(ExamId(id)),
                _ => Err(ServiceError::BadRequest("请选择考试".into())),
            }
        };
        match kind {
            ImportKind::Roster => Ok(Checked::Roster),
            ImportKind::StaffTraining => Ok(Checked::StaffTraining),
            ImportKind::StaffTitles => Ok(Checked::StaffTitles),
            ImportKind::Fitness => {
                let Ok(term) = Term::parse_code(self.term.trim()) else {
                    return bad(format!("学期“{}”无效，请选择学期", self.term.trim()));
                };
                let date = self.test_date.trim();
                let test_date = if date.is_empty() {
                    None
                } else {
                    match Date::parse(date, format_description!("[year]-[month]-[day]")) {
                        Ok(d) => Some(d),
                        Err(_) => {
                            return bad(format!(
                                "测试日期“{date}”无效，请按 2025-10-20 的格式填写"
                            ));
                        }
                    }
                };
                Ok(Checked::Fitness { term, test_date })
            }
            ImportKind::ExamScores => Ok(Checked::ExamScores { exam: exam()? }),
            ImportKind::Activities => match Term::parse_code(self.term.trim()) {
                Ok(term) => Ok(Checked::Activities { term }),
                Err(_) => bad(format!("学期“{}”无效，请选择学期", self.term.trim())),
            },
            ImportKind::Art => match self.school_year.trim().parse::<i32>() {
                Ok(y) if (2000..=2100).contains(&y) => Ok(Checked::Art { school_year: y }),
                _ => bad(format!(
                    "学年“{}”无效，请填写学年的起始年份，如 2025",
                    self.school_year.trim()
                )),
            },
            ImportKind::ExamItems => {
                let exam = exam()?;
                let subject = self.subject.trim();
                if subject.is_empty() {
                    return bad("请选择科目".into());
                }
                Ok(Checked::ExamItems {
                    exam,
                    subject: subject.to_string(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_params_are_checked() {
        for k in ImportKind::ALL {
            assert_eq!(ImportKind::from_code(k.code()), Some(k));
        }
        let p = ImportParams {
            term: "2025-autumn".into(),
            test_date: "2025-10-20".into(),
            ..Default::default()
        };
        assert!(matches!(
            p.check(ImportKind::Fitness),
            Ok(Checked::Fitness {
                test_date: Some(_),
                ..
            })
        ));
        let e = ImportParams::default().check(ImportKind::ExamScores);
        assert!(matches!(e, Err(ServiceError::BadRequest(m)) if m == "请选择考试"));
        let e = ImportParams {
            term: "2025-autumn".into(),
            test_date: "20.10.2025".into(),
            ..Default::default()
        }
        .check(ImportKind::Fitness);
        assert!(matches!(e, Err(ServiceError::BadRequest(m)) if m.contains("测试日期")));
    }
}
