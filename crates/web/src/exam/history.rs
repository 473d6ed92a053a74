//! The exam history on the student page: each exam's marks (缺考 as 缺考), and for school and
//! district roles the T score and 百分等级, plus the district rank where ranks may be shown.
//! Parents see their child's marks only: no rank, no percentile (the store leaves them out
//! for parents as well).
use wuyu_service::exam::sheets::{NumFormat, borderline_label};
use wuyu_service::store_types::StudentExamRow;
use wuyu_service::store_types::TOTAL;

use super::{fmt_num, level_zh};
use crate::view::format_date;

pub(crate) struct MarkView {
    pub subject: String,
    pub score: String,
    pub absent: bool,
    pub t: String,
    pub percentile: String,
    pub rank: String,
    pub borderline: &'static str,
}

pub(crate) struct ExamHistoryView {
    pub name: String,
    pub href: Option<String>,
    pub date: String,
    pub level: &'static str,
    pub grade: &'static str,
    pub marks: Vec<MarkView>,
}

/// What the caller sees besides the marks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HistoryColumns {
    /// T score, 百分等级 and 临界生 (not for parents).
    pub standing: bool,
    /// District rank (rank rules).
    pub rank: bool,
    /// Link to the exam's page (roles that may open exams).
    pub links: bool,
}

/// Newest exam first; subjects in the exam's order, then 总分.
pub(crate) fn exam_history(rows: &[StudentExamRow], c: HistoryColumns) -> Vec<ExamHistoryView> {
    let opt = |v: Option<f64>, f| v.map_or_else(|| "—".into(), |v| fmt_num(v, f));
    rows.iter()
        .rev()
        .map(|r| {
            let order: Vec<&str> = r
                .exam
                .subjects
                .iter()
                .map(|s| s.name.as_str())
                .chain(std::iter::once(TOTAL))
                .collect();
            let marks = order
                .iter()
                .filter_map(|name| r.marks.iter().find(|m| m.subject == *name))
                .map(|m| MarkView {
                    subject: m.subject.clone(),
                    score: if m.absent {
                        "缺考".into()
                    } else {
                        opt(m.score, NumFormat::Two)
                    },
                    absent: m.absent,
                    t: if c.standing {
                        opt(m.t, NumFormat::Two)
                    } else {
                        String::new()
                    },
                    percentile: if c.standing {
                        opt(m.percentile, NumFormat::One)
                    } else {
                        String::new()
                    },
                    rank: if c.rank {
                        m.district_rank
                            .map_or_else(|| "—".into(), |k| k.to_string())
                    } else {
                        String::new()
                    },
                    borderline: if c.standing {
                        borderline_label(m.borderline)
                    } else {
                        ""
                    },
                })
                .collect();
            ExamHistoryView {
                name: r.exam.name.clone(),
                href: c.links.then(|| format!("/exams/{}", r.exam.id)),
                date: format_date(r.exam.date),
                level: level_zh(r.exam.level),
                grade: r.exam.grade.label_zh(),
                marks,
            }
        })
        .collect()
}
