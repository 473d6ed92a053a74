//! ECharts options of the exam pages, built on the server as JSON; /assets/app.js hands them
//! to ECharts (and supplies the drawing function of the `"wuyu": "errorbar"` series, which JSON
//! cannot carry).
use serde_json::{Value, json};
use wuyu_monitor::display::{Precision, shown};
use wuyu_service::store_types::{ItemReport, SubjectStat, ValueAddedReport};

use super::fmt_full;

/// The labels of the store's 10 equal bins of full marks (the last bin includes full marks).
pub(crate) fn bin_labels(full_marks: f64, bins: usize) -> Vec<String> {
    let w = full_marks / bins.max(1) as f64;
    (0..bins)
        .map(|i| {
            let lo = w * i as f64;
            let hi = w * (i + 1) as f64;
            format!(
                "{}–{}",
                fmt_full(shown(lo, Precision::One)),
                fmt_full(shown(hi, Precision::One))
            )
        })
        .collect()
}

/// The distribution of one subject's scores (students per score band).
pub(crate) fn histogram(stat: &SubjectStat) -> Value {
    let labels = bin_labels(stat.rates.full_marks, stat.histogram.len());
    json!({
        "title": {"text": stat.subject, "left": "center", "top": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis", "renderMode": "richText"},
        "grid": {"top": 28, "left": 44, "right": 8, "bottom": 44},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 45, "fontSize": 10}},
        "yAxis": {"type": "value", "name": "人数", "minInterval": 1},
        "series": [{"name": "人数", "type": "bar", "data": stat.histogram, "barCategoryGap": "8%"}],
    })
}

/// The caterpillar plot: each unit's EB estimate with its 95 % interval, in `order`
/// (suppressed units and units without an interval are left out).
pub(crate) fn caterpillar(report: &ValueAddedReport, order: &[usize], title: &str) -> Value {
    let mut names = Vec::new();
    let mut points = Vec::new();
    let mut bars = Vec::new();
    for &i in order {
        let g = &report.groups[i];
        let (Some(est), Some(lo), Some(hi)) = (g.shrunken, g.ci_low, g.ci_high) else {
            continue;
        };
        if g.suppressed {
            continue;
        }
        let x = names.len();
        names.push(
            report
                .units
                .get(i)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| g.group.clone()),
        );
        points.push(json!(shown(est, Precision::Three)));
        bars.push(json!([
            x,
            shown(lo, Precision::Three),
            shown(hi, Precision::Three)
        ]));
    }
    json!({
        "title": {"text": title, "left": "center", "top": 0, "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item", "renderMode": "richText"},
        "grid": {"top": 40, "left": 56, "right": 16, "bottom": 84},
        "xAxis": {
            "type": "category", "data": names,
            "axisTick": {"show": false},
            // ECharts drops the labels that would overlap (phones, many schools); the tooltip
            // names every point.
            "axisLabel": {"rotate": 45, "fontSize": 10, "hideOverlap": true}
        },
        // The axis keeps 0 (the district average) in view.
        "yAxis": {"type": "value", "name": "增值（标准分）"},
        "series": [
            {
                "name": "增值（经验贝叶斯）", "type": "scatter", "data": points, "symbolSize": 7, "z": 3,
                "itemStyle": {"color": "#1f6feb"},
                "markLine": {
                    "symbol": "none", "silent": true, "lineStyle": {"type": "dashed"},
                    "label": {"formatter": "全区平均", "position": "insideEndTop"},
                    "data": [{"yAxis": 0}]
                }
            },
            {
                "name": "95%区间", "type": "custom", "wuyu": "errorbar", "data": bars,
                "itemStyle": {"color": "#7b8794"},
                "encode": {"x": 0, "y": [1, 2]}, "z": 2
            }
        ],
    })
}

/// The heat map: items (x) × classes (y), each cell the class's 得分率 on the item.
pub(crate) fn item_heatmap(report: &ItemReport, class_labels: &[String]) -> Value {
    let items: Vec<&str> = report
        .analysis
        .items
        .iter()
        .map(|i| i.item.as_str())
        .collect();
    let mut data = Vec::new();
    for (y, (_, diffs)) in report.classes.iter().enumerate() {
        for (x, d) in diffs.iter().enumerate() {
            if let Some(d) = d {
                data.push(json!([x, y, shown(*d, Precision::Two)]));
            }
        }
    }
    let cells = items.len() * report.classes.len();
    json!({
        "tooltip": {"position": "top", "renderMode": "richText"},
        "grid": {"top": 16, "left": 96, "right": 16, "bottom": 72},
        "xAxis": {"type": "category", "data": items, "splitArea": {"show": true}},
        "yAxis": {"type": "category", "data": class_labels, "inverse": true,
                  "splitArea": {"show": true}, "axisLabel": {"fontSize": 11}},
        "visualMap": {
            "min": 0, "max": 1, "precision": 2, "calculable": false, "orient": "horizontal",
            "left": "center", "bottom": 4, "itemHeight": 120,
            "text": ["得分率高", "得分率低"],
            "inRange": {"color": ["#b42318", "#fde68a", "#2f855a"]}
        },
        "series": [{
            "name": "得分率", "type": "heatmap", "data": data,
            // app.js hides the labels again where the cells are too narrow for them (phones).
            "label": {"show": cells <= 400, "fontSize": 10},
            "emphasis": {"itemStyle": {"borderColor": "#1f2933", "borderWidth": 1}}
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_labelled_in_points() {
        assert_eq!(
            bin_labels(120.0, 10)[..2],
            ["0–12".to_string(), "12–24".to_string()]
        );
        assert_eq!(bin_labels(150.0, 10)[9], "135–150");
        assert_eq!(bin_labels(75.0, 10)[0], "0–7.5");
    }
}
