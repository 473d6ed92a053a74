//! Exams (issue 4): an exam's definition (name, date, level, grade, subjects with full marks,
//! optional item structure with knowledge-point tags) and the batches an import delivers — one
//! row per student with a mark per subject, or one row per student with points per item.
//!
//! Plain data on purpose: `ingest` and `synth` produce these, the store resolves 学籍号, takes
//! each student's class at import (the class at exam time is kept with the score) and computes
//! the statistics at write.
use serde::{Deserialize, Serialize};
use time::Date;

use crate::{DomainError, Grade, Origin, StudentNo, Term};

/// Who set the exam. Only 校级 and above count for the parallel-class rule (spec §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExamLevel {
    /// 校级: set and marked by one school.
    School,
    /// 区级: a district-wide exam.
    District,
    /// 市级.
    City,
    /// 中考: the senior-high entrance exam.
    Zhongkao,
}

impl ExamLevel {
    pub const ALL: [ExamLevel; 4] = [
        ExamLevel::School,
        ExamLevel::District,
        ExamLevel::City,
        ExamLevel::Zhongkao,
    ];

    /// The code stored in the database and used in the API.
    pub fn code(self) -> &'static str {
        match self {
            ExamLevel::School => "school",
            ExamLevel::District => "district",
            ExamLevel::City => "city",
            ExamLevel::Zhongkao => "zhongkao",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ExamLevel::School => "校级",
            ExamLevel::District => "区级",
            ExamLevel::City => "市级",
            ExamLevel::Zhongkao => "中考",
        }
    }

    /// Parses a code (`district`) or a Chinese name (`区级`, `区统考`, `中考`).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let t = s.trim();
        let level = match t {
            "school" | "校级" | "校考" => ExamLevel::School,
            "district" | "区级" | "区统考" | "县级" => ExamLevel::District,
            "city" | "市级" | "市统考" => ExamLevel::City,
            "zhongkao" | "中考" => ExamLevel::Zhongkao,
            _ => {
                return Err(DomainError::BadExamLevel(t.to_string()));
            }
        };
        Ok(level)
    }

    /// Whether the district sets and marks it (统一阅卷): every level above 校级.
    pub fn unified_marking(self) -> bool {
        self != ExamLevel::School
    }
}

/// One subject of an exam. `name` is the subject as teacher assignments name it (语文, 数学 …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamSubject {
    pub name: String,
    pub full_marks: f64,
}

/// One question (小题) of a subject's paper, from the 双向细目表.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamItem {
    /// As printed: "1", "13(2)", "选择题5".
    pub item_no: String,
    pub max_points: f64,
    /// 知识点 tags; empty when the paper was not tagged.
    pub knowledge_points: Vec<String>,
}

/// A new exam as the analyst defines it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewExam {
    pub name: String,
    pub date: Date,
    pub term: Term,
    pub level: ExamLevel,
    pub grade: Grade,
    /// In the order the reports show them.
    pub subjects: Vec<ExamSubject>,
    /// The earlier exam of the same students that value-added is measured from (入口成绩).
    pub baseline: Option<crate::ExamId>,
}

/// A stored exam.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exam {
    pub id: crate::ExamId,
    pub name: String,
    pub date: Date,
    pub term: Term,
    pub level: ExamLevel,
    pub grade: Grade,
    pub subjects: Vec<ExamSubject>,
    pub baseline: Option<crate::ExamId>,
}

impl Exam {
    pub fn subject(&self, name: &str) -> Option<&ExamSubject> {
        self.subjects.iter().find(|s| s.name == name)
    }
}

/// One student's mark in one subject. A blank cell is not a mark: the student did not take
/// that subject (no row is stored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "score")]
pub enum SubjectMark {
    /// 0 points is a real score.
    Score(f64),
    /// 缺考: never a 0.
    Absent,
}

/// One row of a score sheet: a student and their marks, aligned with
/// [`ExamScoreBatch::subjects`] (`None` = blank: not taken).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewExamScoreRow {
    pub origin: Origin,
    pub student_no: StudentNo,
    pub marks: Vec<Option<SubjectMark>>,
}

/// A score sheet (one row per student, one column per subject) for one exam. Importing it
/// replaces the marks of these students in these subjects; the whole batch lands or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamScoreBatch {
    pub exam: crate::ExamId,
    /// Subject names of the columns, each one of the exam's subjects.
    pub subjects: Vec<String>,
    pub rows: Vec<NewExamScoreRow>,
}

/// One row of an item-level sheet: a student's points per item, aligned with
/// [`ExamItemBatch::items`]. `None` = blank (not answered counts as 0 only if the marking
/// system wrote 0). `absent` marks a 缺考 row (every item blank).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewItemScoreRow {
    pub origin: Origin,
    pub student_no: StudentNo,
    pub absent: bool,
    pub points: Vec<Option<f64>>,
}

/// An item-level sheet for one subject of one exam, with its 双向细目表. Importing it defines
/// (or replaces) the subject's items, stores every student's item points and sets the
/// student's subject score to the sum of their points (blank = 0) unless absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamItemBatch {
    pub exam: crate::ExamId,
    pub subject: String,
    pub items: Vec<ExamItem>,
    pub rows: Vec<NewItemScoreRow>,
}

/// One line of an exam's 考号 list (考号表): the marking system's candidate number of a
/// student, so score and item sheets that carry only 考号 can be matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCandidate {
    pub origin: Origin,
    pub student_no: StudentNo,
    pub candidate_no: String,
}

/// A 考号 as printed on an answer sheet: 1–30 letters, digits or `-`.
pub fn parse_candidate_no(s: &str) -> Result<String, DomainError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(DomainError::Empty);
    }
    if t.chars().count() > 30 {
        return Err(DomainError::TooLong { max: 30 });
    }
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(DomainError::BadChar(c));
    }
    Ok(t.to_string())
}
