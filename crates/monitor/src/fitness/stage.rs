//! 学段 (小学 / 初中 / 高中) of the fitness page: the plan's targets read differently by stage
//! (myopia climbs through junior school), so the district's grade rows are added up per stage.
//! A stage is a range of grades, not a kind of school: a 九年一贯制 school's grades 1–6 count as
//! 小学 and 7–9 as 初中.
use serde::Serialize;
use wuyu_domain::Grade;

use super::FitnessSummaryRow;

/// A 学段 of students, by grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GradeStage {
    Primary,
    Junior,
    Senior,
}

impl GradeStage {
    pub const ALL: [GradeStage; 3] = [GradeStage::Primary, GradeStage::Junior, GradeStage::Senior];

    /// 1–6 小学, 7–9 初中, 10–12 高中.
    pub fn of(grade: Grade) -> Self {
        match grade.get() {
            0..=6 => GradeStage::Primary,
            7..=9 => GradeStage::Junior,
            _ => GradeStage::Senior,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            GradeStage::Primary => "小学",
            GradeStage::Junior => "初中",
            GradeStage::Senior => "高中",
        }
    }
}

fn rate(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The rows added up as one group (empty key): counts summed, every rate recomputed from the
/// sums over its own denominator, the mean 学年总分 weighted by complete records.
pub fn merge_rows<'a>(rows: impl IntoIterator<Item = &'a FitnessSummaryRow>) -> FitnessSummaryRow {
    let mut s = FitnessSummaryRow::default();
    let mut total = 0.0;
    for r in rows {
        s.enrolled += r.enrolled;
        s.tested += r.tested;
        s.ok_count += r.ok_count;
        s.incomplete_count += r.incomplete_count;
        s.excellent_count += r.excellent_count;
        s.good_count += r.good_count;
        s.pass_level_count += r.pass_level_count;
        s.fail_count += r.fail_count;
        s.bmi_measured += r.bmi_measured;
        s.bmi_underweight += r.bmi_underweight;
        s.bmi_normal += r.bmi_normal;
        s.bmi_overweight += r.bmi_overweight;
        s.bmi_obese += r.bmi_obese;
        s.weight_measured += r.weight_measured;
        s.overweight_count += r.overweight_count;
        s.obese_count += r.obese_count;
        s.growth_measured += r.growth_measured;
        s.stunting_count += r.stunting_count;
        s.wasting_count += r.wasting_count;
        s.vision_screened += r.vision_screened;
        s.myopia_count += r.myopia_count;
        s.reduced_vision_count += r.reduced_vision_count;
        total += r.mean_year_total.unwrap_or(0.0) * r.ok_count as f64;
    }
    let ok = s.ok_count;
    s.test_rate = rate(s.tested, s.enrolled);
    s.pass_rate = rate(s.excellent_count + s.good_count + s.pass_level_count, ok);
    s.good_or_better_rate = rate(s.excellent_count + s.good_count, ok);
    s.excellent_rate = rate(s.excellent_count, ok);
    s.fail_rate = rate(s.fail_count, ok);
    s.mean_year_total = (ok > 0).then(|| total / ok as f64);
    s.overweight_rate = rate(s.overweight_count, s.weight_measured);
    s.obese_rate = rate(s.obese_count, s.weight_measured);
    s.stunting_rate = rate(s.stunting_count, s.growth_measured);
    s.wasting_rate = rate(s.wasting_count, s.growth_measured);
    s.myopia_rate = rate(s.myopia_count, s.vision_screened);
    s
}

/// Rows grouped by grade, added up per 学段 in stage order; stages without a row are left out.
pub fn by_stage(grade_rows: &[FitnessSummaryRow]) -> Vec<(GradeStage, FitnessSummaryRow)> {
    GradeStage::ALL
        .into_iter()
        .filter_map(|st| {
            let rows: Vec<&FitnessSummaryRow> = grade_rows
                .iter()
                .filter(|r| r.key.grade.map(GradeStage::of) == Some(st))
                .collect();
            (!rows.is_empty()).then(|| (st, merge_rows(rows)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitness::FitnessGroupKey;

    fn row(
        grade: u8,
        ok: i64,
        excellent: i64,
        screened: i64,
        myopic: i64,
        mean: f64,
    ) -> FitnessSummaryRow {
        FitnessSummaryRow {
            key: FitnessGroupKey {
                grade: Some(Grade::new(grade).unwrap()),
                ..Default::default()
            },
            enrolled: ok,
            tested: ok,
            ok_count: ok,
            excellent_count: excellent,
            vision_screened: screened,
            myopia_count: myopic,
            mean_year_total: Some(mean),
            ..Default::default()
        }
    }

    #[test]
    fn grades_add_up_to_stages_with_rates_over_the_sums() {
        let rows = [
            row(5, 10, 5, 10, 2, 80.0),
            row(6, 30, 3, 20, 8, 60.0),
            row(8, 20, 4, 20, 12, 70.0),
        ];
        let st = by_stage(&rows);
        assert_eq!(st.len(), 2, "no 高中 rows, no 高中 line");
        let (p, primary) = &st[0];
        assert_eq!(*p, GradeStage::Primary);
        assert_eq!(primary.ok_count, 40);
        assert_eq!(primary.excellent_rate, Some(8.0 / 40.0));
        assert_eq!(primary.myopia_rate, Some(10.0 / 30.0));
        assert_eq!(primary.mean_year_total, Some((800.0 + 1800.0) / 40.0));
        let (j, junior) = &st[1];
        assert_eq!((*j, junior.myopia_rate), (GradeStage::Junior, Some(0.6)));
        assert_eq!(GradeStage::of(Grade::new(10).unwrap()).label_zh(), "高中");
        assert_eq!(merge_rows(std::iter::empty()).excellent_rate, None);
    }
}
