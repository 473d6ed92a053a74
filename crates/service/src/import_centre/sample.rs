//! The first rows of an upload as read, as a plain table for the preview page: what the
//! reader understood (学籍号, 姓名, 班级, marks …), so a user sees their columns were matched.
//! Sensitive columns (身份证号) are left out.
use serde::Serialize;
use wuyu_domain::{ExamItemBatch, ExamScoreBatch, FitnessBatch, RosterBatch, SubjectMark};

use crate::import::PREVIEW_ROWS;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SampleTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn headers(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| (*s).to_string()).collect()
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x}")).unwrap_or_default()
}

/// Students first; a file without students shows its classes, then its teachers.
pub(super) fn roster(b: &RosterBatch) -> SampleTable {
    if !b.students.is_empty() {
        return SampleTable {
            headers: headers(&[
                "行",
                "学校代码",
                "年级",
                "班级",
                "学籍号",
                "姓名",
                "性别",
                "出生日期",
            ]),
            rows: b
                .students
                .iter()
                .take(PREVIEW_ROWS)
                .map(|s| {
                    vec![
                        s.origin.row.to_string(),
                        s.school_code.to_string(),
                        s.grade.label_zh().to_string(),
                        s.class_name.clone(),
                        s.student_no.to_string(),
                        s.name.to_string(),
                        s.sex.label_zh().to_string(),
                        s.birth_date.to_string(),
                    ]
                })
                .collect(),
        };
    }
    if !b.classes.is_empty() {
        return SampleTable {
            headers: headers(&["行", "学校代码", "年级", "班级"]),
            rows: b
                .classes
                .iter()
                .take(PREVIEW_ROWS)
                .map(|c| {
                    vec![
                        c.origin.row.to_string(),
                        c.school_code.to_string(),
                        c.grade.label_zh().to_string(),
                        c.name.clone(),
                    ]
                })
                .collect(),
        };
    }
    SampleTable {
        headers: headers(&["行", "学校代码", "工号", "姓名"]),
        rows: b
            .teachers
            .iter()
            .take(PREVIEW_ROWS)
            .map(|t| {
                vec![
                    t.origin.row.to_string(),
                    t.school_code.to_string(),
                    t.staff_no.clone(),
                    t.name.to_string(),
                ]
            })
            .collect(),
    }
}

pub(super) fn fitness(b: &FitnessBatch) -> SampleTable {
    SampleTable {
        headers: headers(&[
            "行",
            "学籍号",
            "测试日期",
            "身高(cm)",
            "体重(kg)",
            "肺活量",
            "50米跑",
        ]),
        rows: b
            .records
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| {
                let m = &r.measures;
                vec![
                    r.origin.row.to_string(),
                    r.student_no.to_string(),
                    r.test_date.to_string(),
                    num(m.height_cm),
                    num(m.weight_kg),
                    num(m.vital_capacity),
                    num(m.run_50m),
                ]
            })
            .collect(),
    }
}

pub(super) fn exam_scores(b: &ExamScoreBatch) -> SampleTable {
    let mut h = vec!["行".to_string(), "学籍号".to_string()];
    h.extend(b.subjects.iter().cloned());
    SampleTable {
        headers: h,
        rows: b
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| {
                let mut row = vec![r.origin.row.to_string(), r.student_no.to_string()];
                row.extend(r.marks.iter().map(|m| match m {
                    Some(SubjectMark::Score(x)) => format!("{x}"),
                    Some(SubjectMark::Absent) => "缺考".to_string(),
                    None => String::new(),
                }));
                row
            })
            .collect(),
    }
}

pub(super) fn exam_items(b: &ExamItemBatch) -> SampleTable {
    SampleTable {
        headers: headers(&["行", "学籍号", "缺考", "小题得分合计"]),
        rows: b
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| {
                let total: f64 = r.points.iter().flatten().sum();
                vec![
                    r.origin.row.to_string(),
                    r.student_no.to_string(),
                    if r.absent { "是" } else { "" }.to_string(),
                    if r.absent {
                        String::new()
                    } else {
                        format!("{total}")
                    },
                ]
            })
            .collect(),
    }
}

/// Activity records as read.
pub(super) fn activities(rows: &[wuyu_ingest::archive::ActivityRow]) -> SampleTable {
    SampleTable {
        headers: headers(&["行", "学籍号", "类别", "日期", "时长", "活动内容"]),
        rows: rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| {
                vec![
                    r.origin.row.to_string(),
                    r.student_no.clone(),
                    r.category.label_zh().to_string(),
                    match r.end_date {
                        Some(e) => format!("{} 至 {e}", r.date),
                        None => r.date.to_string(),
                    },
                    r.hours.to_string(),
                    r.description.clone(),
                ]
            })
            .collect(),
    }
}

/// Art assessments as read, with the total they will be scored at.
pub(super) fn art(rows: &[wuyu_ingest::archive::ArtRow]) -> SampleTable {
    SampleTable {
        headers: headers(&["行", "学籍号", "基础指标", "学业指标", "发展指标"]),
        rows: rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| {
                vec![
                    r.origin.row.to_string(),
                    r.student_no.clone(),
                    r.parts.basic.to_string(),
                    r.parts.academic.to_string(),
                    r.parts.development.to_string(),
                ]
            })
            .collect(),
    }
}
