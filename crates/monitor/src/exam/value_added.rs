//! Value-added of schools and classes from the exam's baseline.

use wuyu_analytics::descriptive::{Mark, TScale, standard_scores};
use wuyu_analytics::value_added::{Estimation, VaModel, VaOptions, random_intercept};
use wuyu_domain::ExamSubject;

use super::model::{ExamSettings, ExamUnitKind, TOTAL, ValueAddedReport};

use super::*;

/// Classification minimums of value-added units (§4.3).
const VA_CLASSIFY_SCHOOL: usize = 30;
const VA_CLASSIFY_CLASS: usize = 20;

// --- value-added -----------------------------------------------------------------------------

/// Value-added reports of every subject (and 总分) the baseline also has, for schools and
/// for classes (`exam_stat`, kind `va`, unit `school` / `class`).
#[allow(clippy::too_many_arguments)]
pub fn value_added_rows(
    exam: i64,
    subjects: &[ExamSubject],
    marks: &ExamMarks,
    baseline: i64,
    base_subjects: &[ExamSubject],
    base: &ExamMarks,
    names: &Names,
    settings: &ExamSettings,
) -> Result<Vec<ExamStatW>, String> {
    let policy = settings.absent_policy;
    let base_pos = base.position();
    let mut pairs: Vec<(String, usize, usize)> = subjects
        .iter()
        .enumerate()
        .filter_map(|(s, sub)| {
            base_subjects
                .iter()
                .position(|b| b.name == sub.name)
                .map(|b| (sub.name.clone(), s, b))
        })
        .collect();
    if !base_subjects.is_empty() {
        pairs.push((TOTAL.to_string(), subjects.len(), base_subjects.len()));
    }
    // Per student, once: where they are in the baseline and their unit labels.
    let in_base: Vec<Option<usize>> = marks
        .students
        .iter()
        .map(|k| base_pos.get(&(k.school_id, k.student_id)).copied())
        .collect();
    let school_label: Vec<String> = marks
        .students
        .iter()
        .map(|k| k.school_id.to_string())
        .collect();
    let class_label: Vec<String> = marks
        .students
        .iter()
        .map(|k| format!("{}/{}", k.school_id, k.class_id))
        .collect();
    let per_pair = par_map(pairs.len(), |k| {
        let (name, s, b) = &pairs[k];
        let (s, b) = (*s, *b);
        let mut out = Vec::with_capacity(2);
        let y_col = marks.column(s, policy);
        let x_col = base.column(b, policy);
        let scores = |col: &[Option<Mark>]| -> Vec<f64> {
            col.iter()
                .filter_map(|m| match m {
                    Some(Mark::Score(x)) => Some(*x),
                    _ => None,
                })
                .collect()
        };
        let (y_ref, x_ref) = (scores(&y_col), scores(&x_col));
        let (mut y, mut x, mut school_g, mut class_g) = (vec![], vec![], vec![], vec![]);
        for (i, j) in in_base.iter().enumerate() {
            let (Some(Mark::Score(yi)), Some(j)) = (y_col[i], j) else {
                continue;
            };
            let Some(Mark::Score(xi)) = x_col[*j] else {
                continue;
            };
            y.push(yi);
            x.push(xi);
            school_g.push(school_label[i].clone());
            class_g.push(class_label[i].clone());
        }
        for (level, groups, classify) in [
            (ExamUnitKind::School, &school_g, VA_CLASSIFY_SCHOOL),
            (ExamUnitKind::Class, &class_g, VA_CLASSIFY_CLASS),
        ] {
            let report = va_report(
                exam,
                baseline,
                name,
                level,
                (&y, &y_ref),
                (&x, &x_ref),
                groups,
                VaOptions {
                    min_compute: settings.va_min_n,
                    min_classify: classify.max(settings.va_min_n),
                    ..VaOptions::default()
                },
                names,
            );
            out.push(ExamStatW {
                kind: "va",
                unit: if level == ExamUnitKind::School {
                    "school".into()
                } else {
                    "class".into()
                },
                subject: name.clone(),
                payload: json(&report)?,
            });
        }
        Ok::<_, String>(out)
    });
    let mut out = Vec::new();
    for rows in per_pair {
        out.extend(rows?);
    }
    Ok(out)
}

pub fn va_label() -> String {
    format!(
        "{}；出口、入口成绩均为全区标准分 (z)",
        VaModel::Reml.label()
    )
}

#[allow(clippy::too_many_arguments)]
fn va_report(
    exam: i64,
    baseline: i64,
    subject: &str,
    level: ExamUnitKind,
    (y, y_ref): (&[f64], &[f64]),
    (x, x_ref): (&[f64], &[f64]),
    groups: &[String],
    opts: VaOptions,
    names: &Names,
) -> ValueAddedReport {
    let mut report = ValueAddedReport {
        exam: wuyu_domain::ExamId(exam),
        baseline: wuyu_domain::ExamId(baseline),
        subject: subject.to_string(),
        level,
        model_label: va_label(),
        n: y.len(),
        coefficients: Vec::new(),
        sigma2: None,
        tau2: None,
        icc: None,
        rankable: None,
        message: None,
        groups: Vec::new(),
        units: Vec::new(),
    };
    if y.is_empty() {
        report.message = Some("没有同时参加本次考试和入口考试的学生，无法计算增值".into());
        return report;
    }
    let fit = standard_scores(y, y_ref, TScale::default()).and_then(|zy| {
        let zx = standard_scores(x, x_ref, TScale::default())?;
        random_intercept(
            &zy.z,
            &[("入口成绩 (z)".to_string(), zx.z)],
            groups,
            Estimation::Reml,
            &opts,
        )
    });
    match fit {
        Ok(r) => {
            report.coefficients = r.coefficients.unwrap_or_default();
            report.sigma2 = r.sigma2;
            report.tau2 = r.tau2;
            report.icc = r.icc;
            report.rankable = r.rankable;
            report.message = r.message;
            report.units = r
                .groups
                .iter()
                .map(|g| {
                    let (s, c) = match g.group.split_once('/') {
                        Some((s, c)) => (s.parse().unwrap_or(0), Some(c.parse().unwrap_or(0))),
                        None => (g.group.parse().unwrap_or(0), None),
                    };
                    match c {
                        Some(c) => names.class_unit(s, c),
                        None => names.school_unit(s),
                    }
                })
                .collect();
            report.groups = r.groups;
        }
        Err(e) => {
            report.message = Some(format!("无法估计增值：{e}"));
        }
    }
    report
}
