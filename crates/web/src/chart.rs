//! ECharts options built on the server as JSON; /assets/app.js hands them to ECharts.
use serde_json::{Value, json};
use wuyu_domain::{Location, Stage};
use wuyu_service::store_types::OverviewCell;

/// Students by 学段 (x axis) and 城乡 (one bar series each).
pub(crate) fn students_by_stage_and_location(cells: &[OverviewCell]) -> Value {
    let stages: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|s| cells.iter().any(|c| c.stage == *s))
        .collect();
    let series: Vec<Value> = [Location::Urban, Location::Rural]
        .into_iter()
        .map(|loc| {
            let data: Vec<i64> = stages
                .iter()
                .map(|s| {
                    cells
                        .iter()
                        .filter(|c| c.stage == *s && c.location == loc)
                        .map(|c| c.students)
                        .sum()
                })
                .collect();
            json!({"name": loc.label_zh(), "type": "bar", "data": data})
        })
        .collect();
    json!({
        // Rich-text tooltips are drawn on the canvas: HTML tooltips carry inline styles,
        // which the CSP (style-src 'self') blocks.
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 4},
        "grid": {"top": 48, "left": 48, "right": 16, "bottom": 32},
        "xAxis": {"type": "category", "data": stages.iter().map(|s| s.label_zh()).collect::<Vec<_>>()},
        "yAxis": {"type": "value", "name": "学生数"},
        "series": series,
    })
}

/// One target over the plan's years: the unit's value as bars, the yearly target as a line
/// (a year without a value or a numeric target is a gap, not a zero).
pub(crate) fn plan_trend(name: &str, years: &[(i32, Option<f64>, Option<f64>)]) -> Value {
    json!({
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "legend": {"top": 4},
        "grid": {"top": 48, "left": 56, "right": 16, "bottom": 32},
        "xAxis": {"type": "category", "data": years.iter().map(|(y, _, _)| format!("{y}年")).collect::<Vec<_>>()},
        "yAxis": {"type": "value", "name": name},
        "series": [
            {"name": "实际", "type": "bar", "data": years.iter().map(|(_, v, _)| *v).collect::<Vec<_>>()},
            {"name": "目标", "type": "line", "connectNulls": true, "data": years.iter().map(|(_, _, t)| *t).collect::<Vec<_>>()},
        ],
    })
}

/// A bullet chart of one target across units: each unit's value as a horizontal bar, the
/// target as a marked line (units without a value are left out).
pub(crate) fn plan_units(units: &[(String, f64)], target: Option<f64>) -> Value {
    let mut series = json!({
        "name": "实际",
        "type": "bar",
        "data": units.iter().map(|(_, v)| *v).collect::<Vec<_>>(),
    });
    if let Some(t) = target {
        series["markLine"] = json!({"symbol": "none", "data": [{"name": "目标", "xAxis": t}], "label": {"formatter": "目标"}});
    }
    json!({
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "grid": {"top": 16, "left": 120, "right": 40, "bottom": 24},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "inverse": true, "data": units.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>()},
        "series": [series],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_series_per_location_aligned_with_stages() {
        let cell = |stage, location, students| OverviewCell {
            stage,
            location,
            schools: 1,
            classes: 1,
            students,
        };
        let v = students_by_stage_and_location(&[
            cell(Stage::Junior, Location::Urban, 30),
            cell(Stage::Primary, Location::Rural, 20),
            cell(Stage::Primary, Location::Urban, 10),
        ]);
        assert_eq!(v["xAxis"]["data"], json!(["小学", "初中"]));
        assert_eq!(v["series"][0]["name"], "城区");
        assert_eq!(v["series"][0]["data"], json!([10, 30]));
        assert_eq!(v["series"][1]["data"], json!([20, 0]));
    }

    #[test]
    fn the_trend_keeps_missing_years_as_gaps_and_the_bullet_marks_the_target() {
        let v = plan_trend(
            "%",
            &[
                (2023, Some(28.5), None),
                (2024, None, Some(30.0)),
                (2025, Some(31.0), Some(32.0)),
            ],
        );
        assert_eq!(v["xAxis"]["data"], json!(["2023年", "2024年", "2025年"]));
        assert_eq!(v["series"][0]["data"], json!([28.5, null, 31.0]));
        assert_eq!(v["series"][1]["data"], json!([null, 30.0, 32.0]));
        let b = plan_units(&[("甲校".into(), 25.0), ("乙校".into(), 12.5)], Some(20.0));
        assert_eq!(b["yAxis"]["data"], json!(["甲校", "乙校"]));
        assert_eq!(b["series"][0]["markLine"]["data"][0]["xAxis"], json!(20.0));
        assert!(plan_units(&[], None)["series"][0].get("markLine").is_none());
    }
}
