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
}
