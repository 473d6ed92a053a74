//! Matching score-sheet headers to an exam's subjects: `语文成绩` and `数学(120分)` are 语文 and
//! 数学, `政治` is 道德与法治, and `物理` in an exam without 物理 is recognised as a subject the
//! exam does not have (an error), while `姓名` or `语文排名` are just other columns.
use wuyu_domain::Exam;

use crate::schema::normalize_header;

/// School subjects as headers name them, grouped by synonyms; the first name of a group is
/// its canonical name.
const SUBJECTS: &[&[&str]] = &[
    &["语文"],
    &["数学"],
    &["英语", "英文", "外语"],
    &["物理"],
    &["化学"],
    &["生物", "生物学"],
    &["历史"],
    &["地理"],
    &[
        "道德与法治",
        "道法",
        "政治",
        "思想政治",
        "思政",
        "思想品德",
        "思品",
        "品德与社会",
        "品德与生活",
        "品德",
    ],
    &["科学"],
    &["信息技术", "信息科技", "信息"],
    &["通用技术"],
    &["体育", "体育与健康"],
    &["音乐"],
    &["美术"],
    &["艺术"],
    &["劳动"],
    &["综合实践", "综合实践活动"],
    &["心理健康"],
    &["书法"],
    &["日语"],
    &["俄语"],
    &["理科综合", "理综"],
    &["文科综合", "文综"],
];

/// Suffixes that still name the score itself: 语文成绩, 数学得分.
const SCORE_SUFFIXES: &[&str] = &[
    "考试成绩",
    "卷面成绩",
    "原始成绩",
    "原始分",
    "卷面分",
    "成绩",
    "分数",
    "得分",
    "score",
];

/// The canonical name of a school subject (`政治` → `道德与法治`), or `None` for a name that is
/// not a school subject.
pub fn canonical_subject(name: &str) -> Option<&'static str> {
    let n = subject_key(name);
    SUBJECTS
        .iter()
        .find(|g| g.contains(&n.as_str()))
        .map(|g| g[0])
}

/// Whether a header names a school subject (after dropping notes and score suffixes).
pub fn is_school_subject(header: &str) -> bool {
    canonical_subject(header).is_some()
}

/// A header or subject name as compared: [`normalize_header`] (no `*`, no bracket note, no
/// spaces) and no score suffix.
fn subject_key(h: &str) -> String {
    let n = normalize_header(h);
    for s in SCORE_SUFFIXES {
        if let Some(rest) = n.strip_suffix(s)
            && !rest.is_empty()
        {
            return rest.to_string();
        }
    }
    n
}

/// What a header of a score sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HeaderKind {
    /// The exam's subject with this index.
    Subject(usize),
    /// A school subject the exam does not have (its canonical name).
    ForeignSubject(&'static str),
    /// Anything else: passed over.
    Other,
}

/// Classifies a header against the exam's subjects: an exact name first (after the
/// normalisation of [`subject_key`]), then a synonym.
pub(super) fn classify(header: &str, exam: &Exam) -> HeaderKind {
    let key = subject_key(header);
    if key.is_empty() {
        return HeaderKind::Other;
    }
    if let Some(i) = exam
        .subjects
        .iter()
        .position(|s| subject_key(&s.name) == key)
    {
        return HeaderKind::Subject(i);
    }
    let Some(canonical) = SUBJECTS
        .iter()
        .find(|g| g.contains(&key.as_str()))
        .map(|g| g[0])
    else {
        return HeaderKind::Other;
    };
    match exam
        .subjects
        .iter()
        .position(|s| canonical_subject(&s.name) == Some(canonical))
    {
        Some(i) => HeaderKind::Subject(i),
        None => HeaderKind::ForeignSubject(canonical),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use wuyu_domain::{ExamId, ExamLevel, ExamSubject, Grade, Term, TermPart};

    fn exam(subjects: &[&str]) -> Exam {
        Exam {
            id: ExamId(1),
            name: "期末".into(),
            date: date!(2026 - 01 - 15),
            term: Term::new(2025, TermPart::Autumn).unwrap(),
            level: ExamLevel::District,
            grade: Grade::new(8).unwrap(),
            subjects: subjects
                .iter()
                .map(|s| ExamSubject {
                    name: s.to_string(),
                    full_marks: 100.0,
                })
                .collect(),
            baseline: None,
        }
    }

    #[test]
    fn headers_find_their_subject() {
        let e = exam(&["语文", "数学", "英语", "道德与法治", "英语听说"]);
        for (h, want) in [
            ("语文", HeaderKind::Subject(0)),
            ("语文成绩", HeaderKind::Subject(0)),
            ("*语文 ", HeaderKind::Subject(0)),
            ("数学(120分)", HeaderKind::Subject(1)),
            ("数学（满分120）", HeaderKind::Subject(1)),
            ("英语得分", HeaderKind::Subject(2)),
            ("外语", HeaderKind::Subject(2)),
            ("政治", HeaderKind::Subject(3)),
            ("思想品德", HeaderKind::Subject(3)),
            ("英语听说", HeaderKind::Subject(4)),
            ("物理", HeaderKind::ForeignSubject("物理")),
            ("生物学成绩", HeaderKind::ForeignSubject("生物")),
            ("姓名", HeaderKind::Other),
            ("总分", HeaderKind::Other),
            ("语文排名", HeaderKind::Other),
            ("考号", HeaderKind::Other),
            ("成绩", HeaderKind::Other),
            ("", HeaderKind::Other),
        ] {
            assert_eq!(classify(h, &e), want, "{h}");
        }
    }

    #[test]
    fn an_exam_subject_spelled_as_a_synonym_still_matches() {
        let e = exam(&["政治", "生物学"]);
        assert_eq!(classify("道德与法治", &e), HeaderKind::Subject(0));
        assert_eq!(classify("生物", &e), HeaderKind::Subject(1));
    }
}
