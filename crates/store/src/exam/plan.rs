//! Exam import planning: resolves every row's 学籍号 against the roster, checks every mark
//! against the exam's definition, and collects every problem as a [`RowError`]. Pure: the
//! backends load the exam and the students the batch names, call [`plan_scores`] or
//! [`plan_items`], and write the plan in the same transaction.
use std::collections::HashMap;
use std::fmt::Write;

use wuyu_domain::{Exam, ExamItemBatch, ExamScoreBatch, Origin, RowError, SubjectMark};

use wuyu_monitor::exam::{Cell, hundredths};

/// Where a 学籍号 is enrolled now (the class becomes the class at exam time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StudentRef {
    pub school_id: i64,
    pub student_id: i64,
    pub class_id: i64,
}

/// One student's row of a score sheet, resolved.
#[derive(Debug, Clone)]
pub(crate) struct ScoreRowW {
    pub student: StudentRef,
    /// Aligned with [`ScorePlan::subjects`]; `None` = blank (a stored mark is removed).
    pub marks: Vec<Option<Cell>>,
}

#[derive(Debug, Clone)]
pub(crate) struct ScorePlan {
    /// Exam subject indices of the sheet's columns.
    pub subjects: Vec<usize>,
    pub rows: Vec<ScoreRowW>,
}

/// One student's row of an item sheet, resolved: `None` when 缺考, else the subject score
/// (the sum of the points, blank = 0) and the points packed for `exam_score.item_points`.
#[derive(Debug, Clone)]
pub(crate) struct ItemRowW {
    pub student: StudentRef,
    pub scored: Option<(f64, String, Vec<f64>)>,
}

#[derive(Debug, Clone)]
pub(crate) struct ItemPlan {
    /// Exam subject index.
    pub subject: usize,
    pub rows: Vec<ItemRowW>,
}

struct Errors<'a> {
    file: &'a str,
    list: Vec<RowError>,
}

impl Errors<'_> {
    fn push(&mut self, sheet: &str, row: u32, column: &str, value: &str, message_zh: String) {
        self.list.push(RowError {
            file: self.file.to_string(),
            sheet: sheet.to_string(),
            row,
            column: column.to_string(),
            value: value.to_string(),
            message_zh,
        });
    }

    fn at(&mut self, o: &Origin, column: &str, value: &str, message_zh: String) {
        self.push(&o.sheet, o.row, column, value, message_zh);
    }
}

/// Scores are stored to the hundredth of a point (§0.2: scores carry at most two decimals),
/// so a score reads back as the same number however it was computed or transported.
pub(crate) fn round2(x: f64) -> f64 {
    hundredths(x) as f64 / 100.0
}

/// A number as a person writes it: 95.5, 88, 0.25.
pub(crate) fn fmt_num(x: f64) -> String {
    if x.is_finite() && x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn subject_list(exam: &Exam) -> String {
    exam.subjects
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// Resolves the 学籍号 of a row, reporting unknown and repeated ones.
fn resolve<'b>(
    errs: &mut Errors,
    o: &Origin,
    no: &'b str,
    students: &HashMap<String, StudentRef>,
    seen: &mut HashMap<&'b str, u32>,
) -> Option<StudentRef> {
    if let Some(first) = seen.get(no) {
        errs.at(
            o,
            "学籍号",
            no,
            format!("学籍号 {no} 在文件中重复出现（第 {first} 行已有该学生）"),
        );
        return None;
    }
    seen.insert(no, o.row);
    let s = students.get(no).copied();
    if s.is_none() {
        errs.at(
            o,
            "学籍号",
            no,
            format!("学籍号 {no} 不在学籍名单中：请先导入该学生，或检查学籍号是否写错"),
        );
    }
    s
}

/// Plans a score sheet: one column per subject, a score or 缺考 per cell, blank = not taken.
pub(crate) fn plan_scores(
    batch: &ExamScoreBatch,
    exam: &Exam,
    students: &HashMap<String, StudentRef>,
    file: &str,
) -> Result<ScorePlan, Vec<RowError>> {
    let mut errs = Errors {
        file,
        list: Vec::new(),
    };
    let sheet = batch
        .rows
        .first()
        .map(|r| r.origin.sheet.clone())
        .unwrap_or_default();
    let mut subjects = Vec::with_capacity(batch.subjects.len());
    let mut ok_columns = Vec::with_capacity(batch.subjects.len());
    for name in &batch.subjects {
        match exam.subjects.iter().position(|s| &s.name == name) {
            Some(i) if subjects.contains(&i) => {
                errs.push(
                    &sheet,
                    1,
                    name,
                    name,
                    format!("科目“{name}”在表头中出现了不止一次"),
                );
                ok_columns.push(false);
            }
            Some(i) => {
                subjects.push(i);
                ok_columns.push(true);
            }
            None => {
                errs.push(
                    &sheet,
                    1,
                    name,
                    name,
                    format!(
                        "本次考试“{}”没有科目“{name}”（本次考试的科目：{}）",
                        exam.name,
                        subject_list(exam)
                    ),
                );
                ok_columns.push(false);
            }
        }
    }
    if batch.subjects.is_empty() {
        errs.push(&sheet, 1, "", "", "文件中没有任何科目列".to_string());
    }
    let mut seen = HashMap::with_capacity(batch.rows.len());
    let mut rows = Vec::with_capacity(batch.rows.len());
    for r in &batch.rows {
        let o = &r.origin;
        let no = r.student_no.as_str();
        let student = resolve(&mut errs, o, no, students, &mut seen);
        if r.marks.len() != batch.subjects.len() {
            errs.at(
                o,
                "",
                "",
                format!(
                    "本行有 {} 个成绩，表头有 {} 个科目",
                    r.marks.len(),
                    batch.subjects.len()
                ),
            );
            continue;
        }
        let mut marks = Vec::with_capacity(subjects.len());
        for ((m, name), ok) in r.marks.iter().zip(&batch.subjects).zip(&ok_columns) {
            if !ok {
                continue;
            }
            let full = exam.subject(name).map_or(0.0, |s| s.full_marks);
            marks.push(match m {
                None => None,
                Some(SubjectMark::Absent) => Some(Cell::Absent),
                Some(SubjectMark::Score(x)) => {
                    if !(x.is_finite() && *x >= 0.0 && hundredths(*x) <= hundredths(full)) {
                        errs.at(
                            o,
                            name,
                            &fmt_num(*x),
                            format!(
                                "{name}成绩 {} 超出范围：应在 0 到满分 {} 之间",
                                fmt_num(*x),
                                fmt_num(full)
                            ),
                        );
                        None
                    } else {
                        Some(Cell::Score(round2(*x)))
                    }
                }
            });
        }
        if let Some(student) = student {
            rows.push(ScoreRowW { student, marks });
        }
    }
    if errs.list.is_empty() {
        Ok(ScorePlan { subjects, rows })
    } else {
        Err(errs.list)
    }
}

/// Plans an item sheet: the subject's items (双向细目表) and every student's points.
pub(crate) fn plan_items(
    batch: &ExamItemBatch,
    exam: &Exam,
    students: &HashMap<String, StudentRef>,
    file: &str,
) -> Result<ItemPlan, Vec<RowError>> {
    let mut errs = Errors {
        file,
        list: Vec::new(),
    };
    let sheet = batch
        .rows
        .first()
        .map(|r| r.origin.sheet.clone())
        .unwrap_or_default();
    let subject = exam.subjects.iter().position(|s| s.name == batch.subject);
    let full = subject.map_or(0.0, |i| exam.subjects[i].full_marks);
    if subject.is_none() {
        errs.push(
            &sheet,
            0,
            "科目",
            &batch.subject,
            format!(
                "本次考试“{}”没有科目“{}”（本次考试的科目：{}）",
                exam.name,
                batch.subject,
                subject_list(exam)
            ),
        );
    }
    if batch.items.len() < 2 {
        errs.push(
            &sheet,
            1,
            "",
            "",
            format!("小题分表至少要有 2 道小题，实际为 {} 道", batch.items.len()),
        );
    }
    let mut item_seen: HashMap<&str, usize> = HashMap::new();
    for (j, item) in batch.items.iter().enumerate() {
        let no = item.item_no.trim();
        if no.is_empty() {
            errs.push(&sheet, 1, "", "", format!("第 {} 道小题没有题号", j + 1));
        } else if item_seen.insert(no, j).is_some() {
            errs.push(&sheet, 1, no, no, format!("题号“{no}”出现了不止一次"));
        }
        let m = item.max_points;
        if !(m.is_finite() && m > 0.0) {
            errs.push(
                &sheet,
                1,
                no,
                &fmt_num(m),
                format!("第 {no} 题满分应大于 0"),
            );
        } else if subject.is_some() && hundredths(m) > hundredths(full) {
            errs.push(
                &sheet,
                1,
                no,
                &fmt_num(m),
                format!(
                    "第 {no} 题满分 {} 超过科目满分 {}",
                    fmt_num(m),
                    fmt_num(full)
                ),
            );
        }
    }
    let mut seen = HashMap::with_capacity(batch.rows.len());
    let mut rows = Vec::with_capacity(batch.rows.len());
    for r in &batch.rows {
        let o = &r.origin;
        let no = r.student_no.as_str();
        let student = resolve(&mut errs, o, no, students, &mut seen);
        if r.points.len() != batch.items.len() {
            errs.at(
                o,
                "",
                "",
                format!(
                    "本行有 {} 个小题得分，表头有 {} 道小题",
                    r.points.len(),
                    batch.items.len()
                ),
            );
            continue;
        }
        let scored = if r.absent {
            if let Some((j, _)) = r.points.iter().enumerate().find(|(_, p)| p.is_some()) {
                let item_no = &batch.items[j].item_no;
                errs.at(
                    o,
                    item_no,
                    &fmt_num(r.points[j].unwrap_or_default()),
                    "缺考的学生不应有小题得分：请删去得分或取消缺考".to_string(),
                );
            }
            None
        } else {
            let mut total: i64 = 0;
            let mut points = Vec::with_capacity(r.points.len());
            let mut bad = false;
            for (p, item) in r.points.iter().zip(&batch.items) {
                let x = p.unwrap_or(0.0);
                if !(x.is_finite() && x >= 0.0 && hundredths(x) <= hundredths(item.max_points)) {
                    errs.at(
                        o,
                        &item.item_no,
                        &fmt_num(x),
                        format!(
                            "第 {} 题得分 {} 超出范围：应在 0 到该题满分 {} 之间",
                            item.item_no,
                            fmt_num(x),
                            fmt_num(item.max_points)
                        ),
                    );
                    bad = true;
                    continue;
                }
                total += hundredths(x);
                points.push(round2(x));
            }
            if !bad && subject.is_some() && total > hundredths(full) {
                let sum = total as f64 / 100.0;
                errs.at(
                    o,
                    &batch.subject,
                    &fmt_num(sum),
                    format!(
                        "各小题得分合计 {} 超过{}满分 {}",
                        fmt_num(sum),
                        batch.subject,
                        fmt_num(full)
                    ),
                );
                bad = true;
            }
            if bad {
                None
            } else {
                // Display of f64 is the shortest text that reads back as the same number.
                let mut packed = String::with_capacity(points.len() * 4);
                for (j, p) in points.iter().enumerate() {
                    if j > 0 {
                        packed.push(',');
                    }
                    let _ = write!(packed, "{p}");
                }
                Some((total as f64 / 100.0, packed, points))
            }
        };
        if let Some(student) = student {
            rows.push(ItemRowW { student, scored });
        }
    }
    match (errs.list.is_empty(), subject) {
        (true, Some(subject)) => Ok(ItemPlan { subject, rows }),
        _ => Err(errs.list),
    }
}

/// Reads a packed `item_points` value back.
pub(crate) fn unpack_points(s: &str, k: usize) -> Option<Vec<f64>> {
    let mut out = Vec::with_capacity(k);
    for p in s.split(',') {
        out.push(p.parse::<f64>().ok()?);
    }
    (out.len() == k).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_written() {
        assert_eq!(fmt_num(95.5), "95.5");
        assert_eq!(fmt_num(88.0), "88");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(-3.0), "-3");
        assert_eq!(unpack_points("1,0,2.5", 3), Some(vec![1.0, 0.0, 2.5]));
        assert_eq!(unpack_points("1,0", 3), None);
    }
}
