//! The results as XLSX: one sheet of units (responses, response rate, each dimension's and the
//! overall item's 满意率) and one of items per unit, the same numbers as the page and the API.
//! A suppressed cell is empty, as on the page.
use wuyu_analytics::satisfaction::Reported;
use wuyu_report::exam::{Cell, NumFormat, Sheet, sheets_xlsx};

use super::SurveyResults;
use crate::exam::export::XlsxFile;

fn rate(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, |v| Cell::Number(v, NumFormat::Percent))
}

fn count(n: usize) -> Cell {
    Cell::Number(n as f64, NumFormat::Int)
}

fn item_cells(r: &Reported) -> Vec<Cell> {
    let s = r.stats.as_ref();
    vec![
        count(r.n),
        rate(s.map(|s| s.top2_rate)),
        rate(s.map(|s| s.ci_low)),
        rate(s.map(|s| s.ci_high)),
        rate(s.map(|s| s.top3_rate)),
        s.map_or(Cell::Empty, |s| Cell::Number(s.mean, NumFormat::Two)),
        s.map_or(Cell::Empty, |s| Cell::Number(s.index, NumFormat::Two)),
        rate(s.map(|s| s.unknown_share)),
        Cell::Text(if r.suppressed() {
            "样本不足，不报告".into()
        } else {
            String::new()
        }),
    ]
}

/// The workbook of a questionnaire's results.
pub fn results_xlsx(r: &SurveyResults) -> Result<XlsxFile, crate::ServiceError> {
    let title = format!(
        "{}（第 {} 版）满意度结果 · 每个单位至少 {} 份有效回答才报告",
        r.questionnaire.title, r.questionnaire.version, r.min_n
    );
    let scale_names: Vec<String> = r
        .units
        .first()
        .map(|u| u.scales.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    let overall = r
        .questionnaire
        .items
        .iter()
        .any(|i| i.code == wuyu_domain::OVERALL_ITEM);

    let mut headers: Vec<String> = ["单位", "答卷数", "发放答题码", "回收率"]
        .map(String::from)
        .to_vec();
    headers.extend(scale_names.iter().map(|n| format!("{n}满意率")));
    if overall {
        headers.push("总体满意率".into());
    }
    let units = r
        .units
        .iter()
        .map(|u| {
            let mut row = vec![
                Cell::Text(u.name.clone()),
                count(u.responses),
                count(u.codes_issued),
                rate(u.response_rate),
            ];
            row.extend(u.scales.iter().map(|s| rate(s.result.top2_rate)));
            if overall {
                let item = u.items.iter().find(|i| i.code == wuyu_domain::OVERALL_ITEM);
                row.push(rate(
                    item.and_then(|i| i.reported.stats).map(|s| s.top2_rate),
                ));
            }
            row
        })
        .collect();

    let item_headers: Vec<String> = [
        "单位",
        "题号",
        "题目",
        "有效回答",
        "满意率",
        "95%下限",
        "95%上限",
        "满意率（含基本满意）",
        "均值",
        "满意度指数",
        "不了解占比",
        "说明",
    ]
    .map(String::from)
    .to_vec();
    let mut item_rows = Vec::new();
    for u in &r.units {
        for it in &u.items {
            let mut row = vec![
                Cell::Text(u.name.clone()),
                Cell::Text(it.code.clone()),
                Cell::Text(it.text.clone()),
            ];
            row.extend(item_cells(&it.reported));
            item_rows.push(row);
        }
    }
    let choice_headers: Vec<String> = [
        "单位",
        "题号",
        "题目",
        "题型",
        "有效回答",
        "选项",
        "人数",
        "占比",
        "说明",
    ]
    .map(String::from)
    .to_vec();
    let mut choice_rows = Vec::new();
    for u in &r.units {
        for c in &u.choices {
            for o in &c.options {
                choice_rows.push(vec![
                    Cell::Text(u.name.clone()),
                    Cell::Text(c.code.clone()),
                    Cell::Text(c.text.clone()),
                    Cell::Text(if c.multiple { "多选" } else { "单选" }.into()),
                    count(c.n),
                    Cell::Text(o.label.clone()),
                    o.count.map_or(Cell::Empty, count),
                    rate(o.share),
                    Cell::Text(match (c.suppressed, c.multiple) {
                        (true, _) => "样本不足，不报告".into(),
                        (false, true) => "多选题，各项占比之和可超过 100%".into(),
                        (false, false) => String::new(),
                    }),
                ]);
            }
        }
    }
    let mut sheets = vec![
        Sheet {
            name: "单位".into(),
            title: title.clone(),
            headers,
            rows: units,
        },
        Sheet {
            name: "题目".into(),
            title: title.clone(),
            headers: item_headers,
            rows: item_rows,
        },
    ];
    if !choice_rows.is_empty() {
        sheets.push(Sheet {
            name: "选择题".into(),
            title: format!(
                "{}（第 {} 版）选择题 · 占比 = 选该项人数 ÷ 作答该题人数",
                r.questionnaire.title, r.questionnaire.version
            ),
            headers: choice_headers,
            rows: choice_rows,
        });
    }
    let rows = sheets.iter().map(|s| s.rows.len()).sum();
    let bytes = sheets_xlsx(&sheets).map_err(|e| crate::ServiceError::Internal(e.to_string()))?;
    Ok(XlsxFile {
        file_name: format!("survey-{}-results.xlsx", r.questionnaire.id),
        bytes,
        rows,
    })
}
